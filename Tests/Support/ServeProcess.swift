import Foundation

/// `accord serve` as a child process (the debug build next to the tests), for what only a
/// real process shows: signals, exit codes, standard output.
public final class ServeProcess {
    public let process: Process
    public let port: Int
    private let output: FileHandle

    /// Starts `accord serve --port 0 <arguments>` and waits for its `listening on` line.
    public init(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = Executables.accord
        process.arguments = ["serve", "--port", "0"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = [UInt8]()
        let reader = out.fileHandleForReading
        while line.last != UInt8(ascii: "\n") {
            guard let byte = reader.readData(ofLength: 1).first else { break }
            line.append(byte)
        }
        let announcement = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .newlines)
        guard announcement.hasPrefix("listening on http://127.0.0.1:"), let port = Int(announcement.split(separator: ":").last ?? "") else {
            if process.isRunning { process.terminate() }
            throw TestFailure("accord serve did not announce its port: '\(announcement)'")
        }
        self.process = process
        self.port = port
        self.output = reader
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Sends SIGTERM and waits (at most `seconds`) for the process to end; its exit status,
    /// or nil when it is still running.
    public func terminate(within seconds: Double = 30) async throws -> Int32? {
        process.terminate()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        guard !process.isRunning else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
