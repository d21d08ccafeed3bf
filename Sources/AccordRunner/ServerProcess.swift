import Foundation
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
    private let child: Mutex<ChildProcess>
    /// Orders kill, restart and stop.
    private let lifecycle = DispatchQueue(label: "accord.server-process")

    private init(url: String, child: ChildProcess, executable: String, arguments: [String], logFile: String) {
        self.url = url
        self.child = Mutex(child)
        self.executable = executable
        self.restartArguments = Self.pinningPort(of: url, in: arguments)
        self.logFile = logFile
    }

    /// The pid of the server running now (after a restart, the new one's).
    public var pid: Int32 { child.withLock { $0.pid } }

    /// Starts `executable serve …` and waits (up to `timeout`) for its announcement.
    public static func start(executable: String, arguments: [String], logFile: String, timeout: Duration = .seconds(30)) async throws -> ServerProcess {
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let (child, url) = try await DispatchQueue.global().perform {
            try launch(executable: executable, arguments: arguments, logFile: logFile, timeout: timeout)
        }
        return ServerProcess(url: url, child: child, executable: executable, arguments: arguments, logFile: logFile)
    }

    /// Spawns the server, appending to `logFile`, and waits for the announcement written after
    /// this launch; on failure, no process is left.
    private static func launch(executable: String, arguments: [String], logFile: String, timeout: Duration) throws -> (ChildProcess, String) {
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
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let url = announcedURL(in: logFile, from: offset) { return (child, url) }
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

    /// `arguments` with every `--port N` / `--port=N` replaced by the port of `url`, so that
    /// a restart listens where clients already connect. Unchanged when `url` has no port.
    static func pinningPort(of url: String, in arguments: [String]) -> [String] {
        guard let port = URLComponents(string: url)?.port else { return arguments }
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
    public var isRunning: Bool { child.withLock { $0.poll() == nil } }

    /// SIGTERM, then SIGKILL after `grace`; returns a description of how it ended.
    @discardableResult
    public func stop(grace: Duration = .seconds(10)) async -> String {
        await withCheckedContinuation { continuation in
            // On the lifecycle queue: the child of a restart queued before this stop.
            lifecycle.async { continuation.resume(returning: "\(self.child.withLock { $0 }.terminate(grace: grace))") }
        }
    }

    /// `kill -9`: no graceful shutdown, no draining; returns once it is reaped. Nothing to do
    /// when it already exited.
    public func kill() async {
        await lifecycle.perform {
            let child = self.child.withLock { $0 }
            child.send(SIGKILL)
            _ = child.wait(timeout: .seconds(3600))
        }
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
        var attempt = 1
        while true {
            do {
                let (child, announced) = try Self.launch(
                    executable: executable, arguments: restartArguments, logFile: logFile, timeout: timeout)
                guard announced == url else {
                    _ = child.terminate(grace: .seconds(5))
                    throw EnvironmentError(
                        .commandFailed, doing: "to restart", subject: "the reference server",
                        cause: "it announced \(announced) instead of \(url)")
                }
                self.child.withLock { $0 = child }
                return
            } catch let error as EnvironmentError where error.kind == .commandFailed && attempt < 5
                && LogTail.lastLines(ofFile: logFile, count: 5).contains("ddress already in use")
            {
                // Its port is pinned: wait for whoever holds it.
                usleep(useconds_t(200_000 * attempt))
                attempt += 1
            }
        }
    }
}
