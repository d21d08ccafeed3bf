import AccordTestSupport
import AccordHTTP
import Foundation
import Testing

/// `accord serve` as a user runs it: a child process, its output, signals and exit codes.
@Suite("accord serve (the executable)", .serialized)
struct ServeCommandTests {
    @Test func announcesOneLineServesAndStopsCleanlyOnSIGTERM() async throws {
        let process = Process()
        process.executableURL = Executables.accord
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
        let result = try await Executables.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(mentions), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func badEnvironmentValueExits2() async throws {
        let result = try await Executables.run(["serve", "--store", "memory"], environment: ["ACCORD_PORT": "eighty"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("eighty"))
    }

    @Test func unreachableDatabaseExits3AndSaysWhere() async throws {
        let result = try await Executables.run(["serve", "--port", "0", "--database-url", "postgresql://postgres:secret@127.0.0.1:1/accord"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("127.0.0.1:1"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("secret"), "the password must not be printed")
        #expect(result.stdout.isEmpty)
    }
}
