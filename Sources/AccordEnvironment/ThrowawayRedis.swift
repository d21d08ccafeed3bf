import AccordStorage
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Redis server of its own for one test or one `accord run`: `redis-server` as a child process
/// on a free port on 127.0.0.1, its working directory private under /tmp; no persistence, or
/// an append-only file when its data must survive an outage (fault scenarios).
///
/// ```swift
/// let redis = try await ThrowawayRedis.start(logger: logger, persistence: .appendOnly)
/// // … connect to redis.url: redis://127.0.0.1:54322
/// await redis.stopServer()        // an outage: the port stays reserved for this server
/// try await redis.startServer()   // back, on the same port, with its data (.none: empty)
/// try await redis.pauseServer()   // SIGSTOP: connections open, nothing answered
/// try await redis.resumeServer()  // SIGCONT
/// await redis.stop()
/// ```
///
/// Call ``stop()`` when done, after a failure as after a success. Two last resorts back it up:
/// `deinit` kills a server that was never stopped, and a watchdog process kills it and removes
/// its directory if this process dies first — a crashed test does not leave a server running.
///
/// A final class rather than an actor for the reasons given on ``ThrowawayPostgres``: immutable
/// identity, blocking lifecycle work on a serial dispatch queue of its own (which also orders
/// concurrent ``stopServer()``/``startServer()``/``stop()`` calls), synchronous `deinit`.
///
/// `redis-server` is found on `PATH`, or at `$ACCORD_REDIS_SERVER`. Readiness means `+PONG`
/// to `PING` from a server whose `INFO` reports the child's pid, so a program named there must
/// be Redis itself or a wrapper that `exec`s it.
public final class ThrowawayRedis: Sendable {
    /// The TCP port the server listens on, on 127.0.0.1; the same across ``startServer()``.
    public let port: Int
    /// `redis://127.0.0.1:<port>`.
    public let url: String
    /// The server's working directory, holding `redis.log` and `redis.pid`; removed by ``stop()``.
    public let directory: String
    /// The server's standard output and error, appended to across restarts.
    public let logFile: String
    /// Whether its data survives ``stopServer()``/``startServer()``.
    public let persistence: Persistence

    /// What a restarted server finds.
    public enum Persistence: Sendable {
        /// Nothing: a restarted server starts empty (`--appendonly no`, no snapshots).
        case none
        /// An append-only file in its directory, fsynced every second and on the SIGTERM of
        /// ``stopServer()``: a restarted server has every write acknowledged before the stop.
        case appendOnly
    }

    private let executable: String
    private let layout: Layout
    private let logger: Logger
    private let lifecycle = DispatchQueue(label: "accord.throwaway-redis")
    private let state: Mutex<State>

    private struct State {
        var server: ChildProcess?
        var watchdog: OrphanWatchdog?
        var removed = false
        /// SIGSTOPped by ``pauseServer()``.
        var paused = false
    }

    private struct Layout: Sendable {
        let root: String
        let persistence: Persistence
        var log: String { "\(root)/redis.log" }
        var pidFile: String { "\(root)/redis.pid" }
    }

    private enum Readiness { case ready, exited(ProcessTermination), timedOut }

    static let overrideVariable = "ACCORD_REDIS_SERVER"
    static let aptPackage = "redis-server"
    private static let readyTimeout = Duration.seconds(10)
    private static let stopGrace = Duration.seconds(5)

    private init(
        port: Int, executable: String, layout: Layout, server: ChildProcess, watchdog: OrphanWatchdog?, logger: Logger
    ) {
        self.port = port
        self.url = "redis://\(FreePort.host):\(port)"
        self.directory = layout.root
        self.logFile = layout.log
        self.persistence = layout.persistence
        self.executable = executable
        self.layout = layout
        self.logger = logger
        self.state = Mutex(State(server: server, watchdog: watchdog, removed: false))
    }

    /// Starts `redis-server` on a free port and waits (up to 10 s) until it answers `PING`.
    /// A start that loses its port to another process is retried on a new port, five attempts
    /// in all.
    ///
    /// - Throws: ``EnvironmentError``: `redis-server` missing (naming the apt package), or a
    ///   server that exited or did not answer in time (with the end of its log).
    public static func start(logger: Logger, persistence: Persistence = .none) async throws -> ThrowawayRedis {
        try await start(logger: logger, persistence: persistence, ports: FreePort.find)
    }

    /// ``start(logger:persistence:)`` with the ports to try coming from `ports`: a seam for collision tests.
    static func start(
        logger: Logger, persistence: Persistence = .none, ports: @escaping @Sendable () throws -> Int
    ) async throws -> ThrowawayRedis {
        try await DispatchQueue.global().perform { try boot(logger: logger, persistence: persistence, ports: ports) }
    }

    /// Stops the server (SIGTERM; SIGKILL after 5 s) but keeps its directory and port, for
    /// outage tests; ``startServer()`` brings it back. Does nothing when it is not running.
    public func stopServer() async {
        await lifecycle.perform { self.stopServerNow() }
    }

    /// Starts the server again on the same port after ``stopServer()`` — empty, or with its
    /// append-only file's data — and waits until it answers `PING`. Does nothing when it is running.
    ///
    /// - Throws: ``EnvironmentError``: ``EnvironmentError/Kind/invalidState`` after ``stop()``;
    ///   ``EnvironmentError/Kind/addressInUse`` when another process took the port meanwhile;
    ///   or a server that exited or did not answer in time.
    public func startServer() async throws {
        try await lifecycle.perform { try self.startServerNow() }
    }

    /// Pauses the server with SIGSTOP: its port and connections stay open, nothing is
    /// answered, until ``resumeServer()``. Does nothing when it is already paused.
    ///
    /// - Throws: ``EnvironmentError/Kind/invalidState`` when the server is not running.
    public func pauseServer() async throws {
        try await lifecycle.perform { try self.signalServer(pause: true) }
    }

    /// Resumes a paused server with SIGCONT. Does nothing when it is not paused.
    ///
    /// - Throws: ``EnvironmentError/Kind/invalidState`` when the server is not running.
    public func resumeServer() async throws {
        try await lifecycle.perform { try self.signalServer(pause: false) }
    }

    /// Stops the server if it runs and removes its directory. Idempotent; later and concurrent
    /// calls return once the first has finished. Never throws: failures are logged.
    public func stop() async {
        await lifecycle.perform { self.tearDown(reason: nil) }
    }

    deinit {
        tearDown(reason: "was never stopped; stopping it from deinit")
    }

    // MARK: Boot

    private static func boot(logger: Logger, persistence: Persistence, ports: () throws -> Int) throws -> ThrowawayRedis {
        let executable = try locateServer()
        let layout = Layout(
            root: try ScratchDirectory.create(prefix: "accord-redis-", doing: "starting Redis"), persistence: persistence)
        let watchdog = OrphanWatchdog.start(pidFile: layout.pidFile, signal: "TERM", directory: layout.root, logger: logger)
        do {
            return try PortAttempts.onFreshPorts(ports, service: "redis-server", logger: logger) { port in
                let server = try launch(executable, port: port, layout: layout)
                logger.info("started redis-server", metadata: ["port": "\(port)", "directory": "\(layout.root)"])
                return ThrowawayRedis(
                    port: port, executable: executable, layout: layout, server: server, watchdog: watchdog, logger: logger)
            }
        } catch {
            ScratchDirectory.remove(layout.root, logger: logger)
            watchdog?.dismiss()
            throw error
        }
    }

    private static func locateServer(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> String {
        let doing = "starting Redis"
        let subject = "on \(FreePort.host)"
        if let override = environment[overrideVariable], !override.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: override) else {
                throw EnvironmentError(
                    .missingProgram, doing: doing, subject: subject,
                    cause: "program `redis-server` not found at \(override) (from \(overrideVariable)); point it at a redis-server 7 binary, or unset it to search PATH"
                )
            }
            return override
        }
        let fallbacks = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
        if let found = ExternalCommand.locate("redis-server")
            ?? fallbacks.first(where: FileManager.default.isExecutableFile(atPath:))
        {
            return found
        }
        throw EnvironmentError(
            .missingProgram, doing: doing, subject: subject,
            cause: "program `redis-server` not found on PATH; install the apt package `\(aptPackage)`, or set \(overrideVariable) to its path"
        )
    }

    /// Starts `redis-server` on `port` and waits until it is ready; on failure, no process is left.
    private static func launch(_ executable: String, port: Int, layout: Layout) throws -> ChildProcess {
        let doing = "starting redis-server"
        let subject = "on \(FreePort.host):\(port)"
        let logOffset = LogTail.size(ofFile: layout.log)
        let log = StandardStreams.openAppending(layout.log)
        guard log >= 0 else {
            throw EnvironmentError.systemCall("opening \(layout.log)", doing: doing, subject: subject, errno: errno)
        }
        defer { closeDescriptor(log) }
        let null = StandardStreams.openNull()
        defer { closeDescriptor(null) }

        let server: ChildProcess
        do {
            server = try ChildProcess.spawn(
                executable: executable,
                arguments: [
                    "--port", "\(port)", "--bind", FreePort.host, "--save", "",
                    "--dir", layout.root, "--daemonize", "no", "--pidfile", layout.pidFile,
                ] + persistenceArguments(layout.persistence),
                workingDirectory: nil, input: null, output: log)
        } catch {
            throw EnvironmentError(
                .commandFailed, doing: doing, subject: subject, cause: "could not launch \(executable): \(error)")
        }

        switch awaitReady(server, port: port) {
        case .ready:
            return server
        case .exited(let status):
            let tail = LogTail.lastLines(ofFile: layout.log, from: logOffset, count: 20)
            let portTaken = tail.contains("Address already in use")
            throw EnvironmentError(
                portTaken ? .addressInUse : .commandFailed, doing: doing, subject: subject,
                cause: "redis-server \(status) before answering PING\(excerpt(tail, of: layout.log))"
            )
        case .timedOut:
            server.terminate(grace: stopGrace)
            let tail = LogTail.lastLines(ofFile: layout.log, from: logOffset, count: 20)
            throw EnvironmentError(
                .timedOut, doing: doing, subject: subject,
                cause: "redis-server did not answer PING with +PONG within \(readyTimeout.formattedSeconds)\(excerpt(tail, of: layout.log))"
            )
        }
    }

    private static func persistenceArguments(_ persistence: Persistence) -> [String] {
        switch persistence {
        case .none: ["--appendonly", "no"]
        case .appendOnly: ["--appendonly", "yes", "--appendfsync", "everysec"]
        }
    }

    /// Polls until our server answers `PING` — checking by pid that it is ours, not another
    /// server that took the port first — or exits, or the timeout passes.
    private static func awaitReady(_ server: ChildProcess, port: Int) -> Readiness {
        let deadline = ContinuousClock.now + readyTimeout
        repeat {
            if let status = server.poll() { return .exited(status) }
            if serverProcessID(port: port) == server.pid { return .ready }
            usleep(20_000)
        } while ContinuousClock.now < deadline
        return server.poll().map(Readiness.exited) ?? .timedOut
    }

    /// The pid the server on `port` reports in `INFO server` once it answers `PING`: tells our
    /// server apart from one that took the port first. Nil while nothing answers.
    private static func serverProcessID(port: Int) -> pid_t? {
        let url = RedisURL(host: FreePort.host, port: port)
        guard let connection = try? RedisConnection(url: url, connectTimeout: .milliseconds(500), commandTimeout: .milliseconds(500)),
            (try? connection.command(["PING"]))?.stringValue == "PONG",
            let info = (try? connection.command(["INFO", "server"]))?.stringValue,
            let field = info.range(of: "process_id:")
        else { return nil }
        return pid_t(info[field.upperBound...].prefix { $0.isNumber })
    }

    private static func excerpt(_ tail: String, of log: String) -> String {
        tail.isEmpty ? "; its log \(log) is empty" : "; its log \(log) ends with:\n\(tail)"
    }

    // MARK: Lifecycle (on the lifecycle queue)

    private func stopServerNow() {
        let (server, paused) = state.withLock { state in
            defer {
                state.server = nil
                state.paused = false
            }
            return (state.server, state.paused)
        }
        guard let server else { return }
        // A stopped process keeps SIGTERM pending: let it run to act on it.
        if paused { server.send(SIGCONT) }
        server.terminate(grace: Self.stopGrace)
        logger.info("stopped redis-server, keeping its port and directory", metadata: ["port": "\(port)"])
    }

    private func startServerNow() throws {
        let (removed, running) = state.withLock { ($0.removed, $0.server != nil) }
        guard !removed else {
            throw EnvironmentError(
                .invalidState, doing: "starting redis-server", subject: "on \(FreePort.host):\(port)",
                cause: "it was torn down by stop(); start a new ThrowawayRedis instead")
        }
        guard !running else { return }
        let server = try PortAttempts.onPinnedPort(port, service: "redis-server", logger: logger) { port in
            try Self.launch(executable, port: port, layout: layout)
        }
        state.withLock { $0.server = server }
        logger.info("restarted redis-server", metadata: ["port": "\(port)"])
    }

    private func signalServer(pause: Bool) throws {
        let server = try state.withLock { state -> ChildProcess? in
            guard let server = state.server, !state.removed else {
                throw EnvironmentError(
                    .invalidState, doing: pause ? "pausing redis-server" : "resuming redis-server",
                    subject: "on \(FreePort.host):\(port)", cause: "it is not running")
            }
            guard state.paused != pause else { return nil }
            state.paused = pause
            return server
        }
        guard let server else { return }
        server.send(pause ? SIGSTOP : SIGCONT)
        logger.info(pause ? "paused redis-server" : "resumed redis-server", metadata: ["port": "\(port)"])
    }

    /// Tears down once: later calls find `removed` set and return.
    private func tearDown(reason: String?) {
        let (first, server, paused, watchdog) = state.withLock { state in
            defer {
                state.removed = true
                state.server = nil
                state.paused = false
            }
            return (!state.removed, state.server, state.paused, state.watchdog)
        }
        guard first else { return }
        if let reason { logger.warning("redis-server on port \(port) \(reason)") }
        if paused { server?.send(SIGCONT) }
        if let server { server.terminate(grace: Self.stopGrace) }
        ScratchDirectory.remove(layout.root, logger: logger)
        watchdog?.dismiss()
        logger.info("stopped redis-server", metadata: ["port": "\(port)"])
    }
}
