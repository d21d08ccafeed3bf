import AccordHTTP
import Foundation
import Testing

/// `accord serve` as a user runs it: a child process, its output, signals and exit codes.
@Suite("accord serve (the executable)", .serialized)
struct ServeCommandTests {
    /// The `accord` binary built next to this test bundle.
    static var executable: URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/accord")
    }

    struct Finished {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `accord` with `arguments` to completion (bounded by a timeout).
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 30) async throws -> Finished {
        try await run(executable, arguments, environment: environment, timeout: timeout)
    }

    /// Runs `program` with `arguments` to completion (bounded by a timeout).
    /// Waits without holding a thread: a whole `accord run` takes minutes, and a test that
    /// blocked a thread of the (two-thread, on this machine) cooperative pool that long
    /// would stall every in-process server test running beside it.
    static func run(_ program: URL, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 30) async throws -> Finished {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain both pipes while waiting: a chatty child must never block on a full pipe.
        let stdout = PipeText(out)
        let stderr = PipeText(err)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.terminate()
            throw TestFailure("\(program.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        process.waitUntilExit()
        return Finished(status: process.terminationStatus, stdout: await stdout.whole(), stderr: await stderr.whole())
    }

    @Test func announcesOneLineServesAndStopsCleanlyOnSIGTERM() async throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--store", "memory", "--port", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // Read the announcement line byte by byte (the pipe stays open while it serves).
        var line = [UInt8]()
        let reader = out.fileHandleForReading
        while line.last != UInt8(ascii: "\n") {
            let byte = reader.readData(ofLength: 1)
            guard let first = byte.first else { break }
            line.append(first)
        }
        let announcement = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .newlines)
        #expect(announcement.hasPrefix("listening on http://127.0.0.1:"))
        let port = try #require(Int(announcement.split(separator: ":").last ?? ""))
        #expect(port > 0)

        let health = try await BlockingHTTP.perform(.init(url: "http://127.0.0.1:\(port)/health")).get()
        #expect(health.status == 200)

        process.terminate()  // SIGTERM
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!process.isRunning)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        let rest = String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
        #expect(rest.isEmpty, "standard output must hold only the announcement")
    }

    @Test(arguments: [
        (["serve", "--port", "70000"], "port"),
        (["serve", "--store", "mongo"], "store"),
        (["serve", "--log-level", "loud"], "log level"),
        (["serve", "--database-url", "mysql://x"], "database URL"),
        (["serve", "--redis-url", "http://x"], "redis URL"),
        (["serve", "--bogus"], "bogus"),
        (["nonsense"], "nonsense"),
    ])
    func badUsageExits2WithAMessage(arguments: [String], mentions: String) async throws {
        let result = try await Self.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(mentions), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func badEnvironmentValueExits2() async throws {
        let result = try await Self.run(["serve", "--store", "memory"], environment: ["ACCORD_PORT": "eighty"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("eighty"))
    }

    @Test func unreachableDatabaseExits3AndSaysWhere() async throws {
        let result = try await Self.run(["serve", "--port", "0", "--database-url", "postgresql://postgres:secret@127.0.0.1:1/accord"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("127.0.0.1:1"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("secret"), "the password must not be printed")
        #expect(result.stdout.isEmpty)
    }
}
