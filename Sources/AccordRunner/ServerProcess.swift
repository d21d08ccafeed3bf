import Foundation

/// The reference server as a child process of `accord run`: started with `--port 0`, ready
/// once its one announcement line `listening on http://HOST:PORT` appears, its output kept in
/// a log file, stopped with SIGTERM (then SIGKILL after a grace period).
public final class ServerProcess: Sendable {
    /// `http://127.0.0.1:PORT`
    public let url: String
    public let pid: Int32
    public let logFile: String
    private let child: ChildProcess

    private init(url: String, child: ChildProcess, logFile: String) {
        self.url = url
        self.child = child
        self.pid = child.pid
        self.logFile = logFile
    }

    /// Starts `executable serve …` and waits (up to `timeout`) for its announcement.
    public static func start(executable: String, arguments: [String], logFile: String, timeout: Duration = .seconds(30)) async throws -> ServerProcess {
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let output = StandardStreams.openAppending(logFile)
        let input = StandardStreams.openNull()
        defer {
            close(output)
            close(input)
        }
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(executable: executable, arguments: arguments, input: input, output: output)
        } catch {
            throw EnvironmentError(.systemCall, doing: "to start", subject: "the reference server \(executable)", cause: "\(error)")
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let url = announcedURL(in: logFile) { return ServerProcess(url: url, child: child, logFile: logFile) }
            if let status = child.poll() {
                throw EnvironmentError(
                    .commandFailed, doing: "to start", subject: "the reference server",
                    cause: "it \(status) before listening; its log ends:\n\(tail(of: logFile))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = child.terminate(grace: .seconds(5))
        throw EnvironmentError(
            .timedOut, doing: "to start", subject: "the reference server",
            cause: "no 'listening on' line within \(timeout); its log ends:\n\(tail(of: logFile))")
    }

    /// The URL of the first `listening on http://…` line of the log.
    static func announcedURL(in logFile: String) -> String? {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("listening on http://") {
            return String(line.dropFirst("listening on ".count))
        }
        return nil
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
        let child = self.child
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: "\(child.terminate(grace: grace))") }
        }
    }
}
