import AccordResults
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `accord load` whose reference server is killed (and not restarted) in the middle of the
/// load: the run reaches a verdict — exit 1, reports written, the phases after the death are
/// errors that say the server is gone — instead of hanging or loading a dead port phase after
/// phase.
@Suite("A server killed mid-load", .serialized)
struct ServerKilledMidRunTests {
    @Test func theRunEndsWithErrorsAndExit1() async throws {
        let root = ServeCommandTests.executable.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let reports = FileManager.default.temporaryDirectory.appendingPathComponent("accord-killed-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let process = Process()
        process.executableURL = ServeCommandTests.executable
        process.arguments = [
            "load", root.appendingPathComponent("specs/load.yaml").path, "--profile", "smoke", "--no-capacity", "--reports", reports,
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let progress = GrowingText(out)
        try process.run()
        let runner = process.processIdentifier
        defer { if process.isRunning { kill(runner, SIGKILL) } }

        var run = RunProcesses.of(runner: runner)
        let bootDeadline = Date().addingTimeInterval(180)
        while run.server == nil, process.isRunning, Date() < bootDeadline {
            try await Task.sleep(for: .milliseconds(200))
            run = RunProcesses.of(runner: runner)
        }
        let server = try #require(run.server, "accord load started no server within 180 s")
        // When the second endpoint phase begins: the server is up and loaded, and the scenarios
        // are still to come.
        while !progress.text.contains("loading create_job"), process.isRunning, Date() < bootDeadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(process.isRunning, "the run ended before the server could be killed: \(progress.text)")
        kill(server.pid, SIGKILL)

        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        try #require(!process.isRunning, "accord load still runs 120 s after its server was killed")
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 1)

        let report = try RunReport.read(Data(contentsOf: URL(fileURLWithPath: "\(reports)/latest/results.json")), path: "results.json")
        #expect(!report.passed)
        let cases = report.suites.flatMap(\.cases)
        let broken = cases.filter { $0.outcome == .failed || $0.outcome == .error }
        #expect(!broken.isEmpty)
        // Whatever phase the kill hit, the scenarios after it are not loaded against a dead port.
        let notRun = cases.filter { $0.reason?.contains("no longer running") == true }
        #expect(!notRun.isEmpty, "\(cases.map { "\($0.outcome): \($0.name) \($0.reason ?? "")" })")
    }
}

/// A child's output as it arrives, read on a thread of its own.
final class GrowingText: Sendable {
    private let buffer = Mutex(Data())

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                self.buffer.withLock { $0.append(chunk) }
            }
        }.start()
    }

    var text: String { buffer.withLock { String(decoding: $0, as: UTF8.self) } }
}
