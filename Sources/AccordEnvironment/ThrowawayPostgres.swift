import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PostgreSQL server of its own for one test or one `accord run`: a fresh cluster in a private
/// directory under /tmp, listening on a free port on 127.0.0.1, `trust` authentication for the
/// `postgres` role, `fsync` on.
///
/// ```swift
/// let postgres = try await ThrowawayPostgres.start(logger: logger)
/// // … connect to postgres.url: postgresql://postgres@127.0.0.1:54321/postgres
/// try await postgres.stopServer()    // an outage: committed data and the port are kept
/// try await postgres.startServer()   // back, on the same data directory and port
/// await postgres.stop()
/// ```
///
/// Call ``stop()`` when done, after a failure as after a success. Two last resorts back it up:
/// `deinit` stops a server that was never stopped (synchronously, with `pg_ctl stop`), and a
/// watchdog process stops it and removes its directory if this process dies first — a crashed
/// test does not leave a server running.
///
/// A final class rather than an actor: what it is (``url``, ``port``, directories) is immutable
/// and readable without `await`; starting and stopping are blocking waits for child processes,
/// which run on a serial dispatch queue of their own instead of occupying the cooperative pool;
/// and `deinit` must be able to tear down synchronously.
///
/// Directory layout: `data/` (the cluster, ``dataDirectory``), `sockets/` (the Unix socket),
/// `server.log` (``logFile``).
public final class ThrowawayPostgres: Sendable {
    /// The TCP port the server listens on, on 127.0.0.1.
    public let port: Int
    /// `postgresql://postgres@127.0.0.1:<port>/postgres`.
    public let url: String
    /// The cluster's data directory (`PGDATA`); removed by ``stop()``.
    public let dataDirectory: String
    /// The server's log, inside the server's directory; removed by ``stop()``.
    public let logFile: String

    private let layout: Layout
    private let installation: PostgresInstallation
    private let account: PostgresAccount
    private let logger: Logger
    private let lifecycle = DispatchQueue(label: "accord.throwaway-postgres")
    private let state: Mutex<State>

    private struct State {
        var stopped = false
        var watchdog: OrphanWatchdog?
        /// Stopped by ``stopServer()``, not yet started again.
        var down = false
    }

    /// The paths inside one server's directory.
    private struct Layout: Sendable {
        let root: String
        var data: String { "\(root)/data" }
        var sockets: String { "\(root)/sockets" }
        var log: String { "\(root)/server.log" }
        var pidFile: String { "\(data)/postmaster.pid" }
    }

    private static let readyTimeoutSeconds = 30

    private init(
        port: Int, layout: Layout, installation: PostgresInstallation, account: PostgresAccount,
        watchdog: OrphanWatchdog?, logger: Logger
    ) {
        self.port = port
        self.url = "postgresql://postgres@\(FreePort.host):\(port)/postgres"
        self.dataDirectory = layout.data
        self.logFile = layout.log
        self.layout = layout
        self.installation = installation
        self.account = account
        self.logger = logger
        self.state = Mutex(State(stopped: false, watchdog: watchdog))
    }

    /// Creates a cluster and starts a server on a free port, waiting until it accepts connections.
    ///
    /// Runs `initdb` and `pg_ctl` from `/usr/lib/postgresql/<version>/bin` (15 preferred, 13 or
    /// newer accepted) or from `$ACCORD_PG_BIN`; as `postgres` through `runuser` when running as
    /// root. A start that loses its port to another process is retried on a new port, five
    /// attempts in all.
    ///
    /// - Throws: ``EnvironmentError``: a missing program (naming the apt package), a failed
    ///   `initdb`, or a server that did not become ready in 30 s (with the end of its log).
    public static func start(logger: Logger) async throws -> ThrowawayPostgres {
        try await start(logger: logger, ports: FreePort.find)
    }

    /// ``start(logger:)`` with the ports to try coming from `ports`: a seam for collision tests.
    static func start(
        logger: Logger, ports: @escaping @Sendable () throws -> Int
    ) async throws -> ThrowawayPostgres {
        try await DispatchQueue.global().perform { try boot(logger: logger, ports: ports) }
    }

    /// Stops the server (`pg_ctl stop -m fast`: sessions are ended, every committed transaction
    /// kept) but keeps its data directory and port, for outage tests; ``startServer()`` brings
    /// it back. Does nothing when it is already down.
    ///
    /// - Throws: ``EnvironmentError``: ``EnvironmentError/Kind/invalidState`` after ``stop()``,
    ///   or a `pg_ctl stop` that failed.
    public func stopServer() async throws {
        try await lifecycle.perform { try self.stopServerNow() }
    }

    /// Starts the server again on the same data directory and port after ``stopServer()`` and
    /// waits until it accepts connections (crash recovery included). Does nothing when it runs.
    ///
    /// - Throws: ``EnvironmentError``: ``EnvironmentError/Kind/invalidState`` after ``stop()``;
    ///   ``EnvironmentError/Kind/addressInUse`` when another process kept the port through five
    ///   attempts; or a server that did not become ready (with the end of its log).
    public func startServer() async throws {
        try await lifecycle.perform { try self.startServerNow() }
    }

    /// Stops the server (`pg_ctl stop -m fast`) and removes its directory. Idempotent; later and
    /// concurrent calls return once the first has finished. Never throws: failures are logged.
    public func stop() async {
        await lifecycle.perform { self.tearDown(reason: nil) }
    }

    deinit {
        tearDown(reason: "was never stopped; stopping it from deinit")
    }

    // MARK: Boot

    private static func boot(logger: Logger, ports: () throws -> Int) throws -> ThrowawayPostgres {
        let installation = try PostgresInstallation.locate()
        let account = try PostgresAccount.current()
        let doing = "starting PostgreSQL"
        let layout = Layout(root: try ScratchDirectory.create(prefix: "accord-pg-", doing: doing))
        var watchdog: OrphanWatchdog?
        do {
            try ScratchDirectory.changeOwner(of: layout.root, to: account.owner, doing: doing)
            try ScratchDirectory.createSubdirectory(layout.sockets, owner: account.owner, doing: doing)
            try initialise(layout, installation: installation, account: account)
            watchdog = OrphanWatchdog.start(pidFile: layout.pidFile, signal: "QUIT", directory: layout.root, logger: logger)
            let port = try PortAttempts.onFreshPorts(ports, service: "PostgreSQL", logger: logger) { port in
                try startServer(layout, installation: installation, account: account, port: port)
                return port
            }
            logger.info(
                "started PostgreSQL",
                metadata: ["port": "\(port)", "directory": "\(layout.root)", "bin": "\(installation.binDirectory)"]
            )
            return ThrowawayPostgres(
                port: port, layout: layout, installation: installation, account: account,
                watchdog: watchdog, logger: logger
            )
        } catch {
            tearDown(layout, installation: installation, account: account, watchdog: watchdog, logger: logger)
            throw error
        }
    }

    /// `initdb`, then the settings every start uses.
    ///
    /// Settings go into `postgresql.conf` rather than `pg_ctl -o`: pg_ctl hands `-o` to a shell,
    /// and the socket path would need quoting. Only the port, which changes per attempt, goes
    /// through `-o`. `--locale=C` keeps sorting and case rules identical on every machine.
    private static func initialise(
        _ layout: Layout, installation: PostgresInstallation, account: PostgresAccount
    ) throws {
        _ = try account.command(
            installation.program("initdb"),
            ["-D", layout.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"],
            in: layout.root
        ).runBlocking(doing: "initialising PostgreSQL", on: "in \(layout.data)", timeout: .seconds(120))

        // fsync stays on: tests check durability semantics.
        let settings = """

            # accord: throwaway server for tests and `accord run`
            listen_addresses = '\(FreePort.host)'
            unix_socket_directories = '\(layout.sockets)'
            fsync = on
            synchronous_commit = on
            max_connections = 200
            shared_buffers = 128MB

            """
        try ScratchDirectory.append(
            settings, to: "\(layout.data)/postgresql.conf", doing: "configuring PostgreSQL")
    }

    /// `pg_ctl start -w` on `port`; a port another process holds fails with
    /// ``EnvironmentError/Kind/addressInUse`` (``PortAttempts`` decides what happens next).
    private static func startServer(
        _ layout: Layout, installation: PostgresInstallation, account: PostgresAccount, port: Int
    ) throws {
        let logOffset = LogTail.size(ofFile: layout.log)
        do {
            _ = try account.command(
                installation.program("pg_ctl"),
                [
                    "start", "-D", layout.data, "-l", layout.log, "-w", "-t", "\(readyTimeoutSeconds)",
                    "-s", "-o", "-p \(port)",
                ],
                in: layout.root
            ).runBlocking(
                doing: "starting PostgreSQL", on: "on \(FreePort.host):\(port)",
                timeout: .seconds(readyTimeoutSeconds + 15)
            )
        } catch let error as EnvironmentError {
            let tail = LogTail.lastLines(ofFile: layout.log, from: logOffset, count: 20)
            let detail = tail.isEmpty
                ? "; the server log \(layout.log) is empty"
                : "; the server log \(layout.log) ends with:\n\(tail)"
            throw error.adding(detail, kind: tail.contains("Address already in use") ? .addressInUse : nil)
        }
    }

    // MARK: Outages (on the lifecycle queue)

    /// Whether the server is down after ``stopServer()``; throws once it has been torn down.
    private func isDown(doing: String) throws -> Bool {
        let (stopped, down) = state.withLock { ($0.stopped, $0.down) }
        guard !stopped else {
            throw EnvironmentError(
                .invalidState, doing: doing, subject: "on \(FreePort.host):\(port)",
                cause: "it was torn down by stop(); start a new ThrowawayPostgres instead")
        }
        return down
    }

    private func stopServerNow() throws {
        guard try !isDown(doing: "stopping PostgreSQL") else { return }
        try Self.stopPostmaster(layout, installation: installation, account: account)
        state.withLock { $0.down = true }
        logger.info("stopped PostgreSQL, keeping its data directory and port", metadata: ["port": "\(port)"])
    }

    private func startServerNow() throws {
        guard try isDown(doing: "starting PostgreSQL") else { return }
        try PortAttempts.onPinnedPort(port, service: "PostgreSQL", logger: logger) { port in
            try Self.startServer(layout, installation: installation, account: account, port: port)
        }
        state.withLock { $0.down = false }
        logger.info("restarted PostgreSQL", metadata: ["port": "\(port)"])
    }

    // MARK: Teardown

    /// Tears down once: later calls find `stopped` set and return.
    private func tearDown(reason: String?) {
        let (first, watchdog) = state.withLock { state in
            defer { state.stopped = true }
            return (!state.stopped, state.watchdog)
        }
        guard first else { return }
        if let reason { logger.warning("PostgreSQL on port \(port) \(reason)") }
        Self.tearDown(layout, installation: installation, account: account, watchdog: watchdog, logger: logger)
        logger.info("stopped PostgreSQL", metadata: ["port": "\(port)"])
    }

    /// Stops a server that may be running, removes its directory, and only then dismisses the
    /// watchdog, so that a crash in between still gets cleaned up.
    private static func tearDown(
        _ layout: Layout, installation: PostgresInstallation, account: PostgresAccount,
        watchdog: OrphanWatchdog?, logger: Logger
    ) {
        if FileManager.default.fileExists(atPath: layout.pidFile) {
            do {
                try stopPostmaster(layout, installation: installation, account: account)
            } catch {
                logger.warning("\(error); sending SIGQUIT, then SIGKILL")
                killPostmaster(layout, logger: logger)
            }
        }
        ScratchDirectory.remove(layout.root, logger: logger)
        watchdog?.dismiss()
    }

    /// `pg_ctl stop -m fast`, waiting (up to 30 s) until the server is down.
    private static func stopPostmaster(_ layout: Layout, installation: PostgresInstallation, account: PostgresAccount) throws {
        _ = try account.command(
            installation.program("pg_ctl"),
            ["stop", "-D", layout.data, "-m", "fast", "-w", "-t", "30", "-s"],
            in: layout.root
        ).runBlocking(doing: "stopping PostgreSQL", on: "in \(layout.data)", timeout: .seconds(40))
    }

    /// The fallback when `pg_ctl stop` fails: immediate shutdown by signal, SIGKILL after 5 s.
    private static func killPostmaster(_ layout: Layout, logger: Logger) {
        guard let contents = try? String(contentsOfFile: layout.pidFile, encoding: .utf8),
            let line = contents.split(whereSeparator: \.isNewline).first,
            let pid = pid_t(line.trimmingCharacters(in: .whitespaces)), pid > 0
        else { return }
        kill(pid, SIGQUIT)
        let deadline = ContinuousClock.now + .seconds(5)
        while FileManager.default.fileExists(atPath: layout.pidFile), ContinuousClock.now < deadline {
            usleep(50_000)
        }
        if FileManager.default.fileExists(atPath: layout.pidFile) {
            logger.warning("PostgreSQL (pid \(pid)) ignored SIGQUIT; sending SIGKILL")
            kill(pid, SIGKILL)
        }
    }
}
