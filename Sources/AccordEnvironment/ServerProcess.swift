import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reference server as a child process of `accord run`: started (typically with
/// `--port 0`), ready once its one announcement line `listening on http://HOST:PORT` appears,
/// its output kept in a log file, stopped with SIGTERM (then SIGKILL after a grace period).
///
/// For fault scenarios it can be killed (SIGKILL) and started again: the same arguments, but
/// pinned to the port it announced the first time, so ``url`` stays valid for every client.
///
/// Every server process it starts has an ``OrphanWatchdog``: when this process dies without
/// stopping it (a crash, SIGKILL, a Ctrl-C with no cleanup), the server is sent SIGTERM
/// (SIGKILL five seconds later) instead of living on, holding its port.
///
/// ```swift
/// let server = try await ServerProcess.start(executable: accord, arguments: ["serve", "--port", "0", …], logFile: log)
/// await server.kill()            // kill -9: no graceful shutdown
/// try await server.restart()     // back on server.url
/// await server.stop()
/// ```
public final class ServerProcess: Sendable {
    /// `http://127.0.0.1:PORT`, the same across ``restart(timeout:)``.
    public let url: String
    public let logFile: String
    /// The arguments of every restart: the first start's, with `--port` pinned to the port it got.
    let restartArguments: [String]
    private let executable: String
    private let logger: Logger
    private let running: Mutex<Running>
    /// Orders kill, restart and stop.
    private let lifecycle = DispatchQueue(label: "accord.server-process")

    /// One server process and the watchdog that takes it down if this process dies first.
    private struct Running: Sendable {
        var child: ChildProcess
        var watchdog: OrphanWatchdog?
    }

    private init(url: String, running: Running, executable: String, arguments: [String], logFile: String, logger: Logger) {
        self.url = url
        self.running = Mutex(running)
        self.executable = executable
        self.restartArguments = Self.pinningPort(of: url, in: arguments)
        self.logFile = logFile
        self.logger = logger
    }

    private var child: ChildProcess { running.withLock { $0.child } }

    /// The pid of the server running now (after a restart, the new one's).
    public var pid: Int32 { child.pid }

    /// Starts `executable serve …` and waits (up to `timeout`) for its announcement.
    public static func start(
        executable: String, arguments: [String], logFile: String, timeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "accord.server-process")
    ) async throws -> ServerProcess {
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let (running, url) = try await DispatchQueue.global().perform {
            try launch(executable: executable, arguments: arguments, logFile: logFile, timeout: timeout, logger: logger)
        }
        return ServerProcess(url: url, running: running, executable: executable, arguments: arguments, logFile: logFile, logger: logger)
    }

    /// Spawns the server, appending to `logFile`, with its watchdog, and waits for the
    /// announcement written after this launch; on failure, no process is left.
    private static func launch(
        executable: String, arguments: [String], logFile: String, timeout: Duration, logger: Logger
    ) throws -> (Running, String) {
        let offset = LogTail.size(ofFile: logFile)
        let output = StandardStreams.openAppending(logFile)
        guard output >= 0 else {
            throw EnvironmentError.systemCall("opening \(logFile)", doing: "to start", subject: "the reference server", errno: errno)
        }
        let input = StandardStreams.openNull()
        defer {
            closeDescriptor(output)
            closeDescriptor(input)
        }
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(executable: executable, arguments: arguments, input: input, output: output)
        } catch {
            throw EnvironmentError(.systemCall, doing: "to start", subject: "the reference server \(executable)", cause: "\(error)")
        }
        // Right after the spawn: a death of this process while the server boots is covered too.
        let watchdog = OrphanWatchdog.start(pid: child.pid, signal: "TERM", subject: "the reference server (pid \(child.pid))", logger: logger)
        do {
            let url = try awaitAnnouncement(of: child, in: logFile, from: offset, timeout: timeout)
            return (Running(child: child, watchdog: watchdog), url)
        } catch {
            watchdog?.dismiss()
            throw error
        }
    }

    /// Waits for `child` to announce its URL in `logFile` after byte `offset`; a child that
    /// does not in time is terminated.
    private static func awaitAnnouncement(of child: ChildProcess, in logFile: String, from offset: UInt64, timeout: Duration) throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let url = announcedURL(in: logFile, from: offset) { return url }
            if let status = child.poll() {
                throw EnvironmentError(
                    .commandFailed, doing: "to start", subject: "the reference server",
                    cause: "it \(status) before listening; its log ends:\n\(tail(of: logFile))")
            }
            usleep(20_000)
        }
        _ = child.terminate(grace: .seconds(5))
        throw EnvironmentError(
            .timedOut, doing: "to start", subject: "the reference server",
            cause: "no 'listening on' line within \(timeout); its log ends:\n\(tail(of: logFile))")
    }

    /// The URL of the first `listening on http://…` line of the log from byte `offset` on.
    static func announcedURL(in logFile: String, from offset: UInt64 = 0) -> String? {
        guard let handle = FileHandle(forReadingAtPath: logFile) else { return nil }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd() else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("listening on http://") {
            return String(line.dropFirst("listening on ".count))
        }
        return nil
    }

    /// The port of `http://HOST:PORT`, the one restarts are pinned to.
    static func port(of url: String) -> Int? { URLComponents(string: url)?.port }

    /// `arguments` with every `--port N` / `--port=N` replaced by the port of `url`, so that
    /// a restart listens where clients already connect. Unchanged when `url` has no port.
    static func pinningPort(of url: String, in arguments: [String]) -> [String] {
        guard let port = port(of: url) else { return arguments }
        var pinned: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--port" {
                index += 2
                continue
            }
            if !argument.hasPrefix("--port=") { pinned.append(argument) }
            index += 1
        }
        return pinned + ["--port", "\(port)"]
    }

    static func tail(of logFile: String, lines: Int = 15) -> String {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// True while the server runs.
    public var isRunning: Bool { child.poll() == nil }

    /// SIGTERM, then SIGKILL after `grace`; returns a description of how it ended.
    @discardableResult
    public func stop(grace: Duration = .seconds(10)) async -> String {
        await withCheckedContinuation { continuation in
            // On the lifecycle queue: the child of a restart queued before this stop.
            lifecycle.async {
                let status = self.child.terminate(grace: grace)
                self.dismissWatchdog()
                continuation.resume(returning: "\(status)")
            }
        }
    }

    /// `kill -9`: no graceful shutdown, no draining; returns once it is reaped. Nothing to do
    /// when it already exited.
    public func kill() async {
        await lifecycle.perform {
            let child = self.child
            child.send(SIGKILL)
            _ = child.wait(timeout: .seconds(3600))
            self.dismissWatchdog()
        }
    }

    /// Ends the watchdog of a server that has exited and been reaped: its pid may soon be another process's.
    private func dismissWatchdog() {
        running.withLock { running in
            let watchdog = running.watchdog
            running.watchdog = nil
            return watchdog
        }?.dismiss()
    }

    /// Starts the server again after it exited (``kill()``, a crash): the same executable and
    /// arguments on the same port, waiting for its announcement. A server still running is
    /// left alone. A port another process took meanwhile is retried five times.
    ///
    /// - Throws: ``EnvironmentError``: the server exited before listening (its log's end), or
    ///   announced another URL, or did not announce in time.
    public func restart(timeout: Duration = .seconds(30)) async throws {
        try await lifecycle.perform { try self.restartNow(timeout: timeout) }
    }

    private func restartNow(timeout: Duration) throws {
        guard !isRunning else { return }
        // A server that crashed on its own still has its watchdog.
        dismissWatchdog()
        let started = try PortAttempts.onPinnedPort(Self.port(of: url) ?? 0, service: "the reference server", logger: logger) { _ in
            let (started, announced): (Running, String)
            do {
                (started, announced) = try Self.launch(
                    executable: executable, arguments: restartArguments, logFile: logFile, timeout: timeout, logger: logger)
            } catch let error as EnvironmentError
                where error.kind == .commandFailed && LogTail.lastLines(ofFile: logFile, count: 5).contains("ddress already in use")
            {
                throw error.adding("", kind: .addressInUse)
            }
            guard announced == url else {
                _ = started.child.terminate(grace: .seconds(5))
                started.watchdog?.dismiss()
                throw EnvironmentError(
                    .commandFailed, doing: "to restart", subject: "the reference server",
                    cause: "it announced \(announced) instead of \(url)")
            }
            return started
        }
        running.withLock { $0 = started }
    }
}
