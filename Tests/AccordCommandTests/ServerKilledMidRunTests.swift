import AccordTestSupport
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
        let root = Executables.repositoryRoot
        let reports = FileManager.default.temporaryDirectory.appendingPathComponent("accord-killed-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let process = Process()
        process.executableURL = Executables.accord
        process.arguments = [
            "load", root.appendingPathComponent("specs/load.yaml").path, "--profile", "smoke", "--no-capacity", "--reports", reports,
        ]
        let out = Pipe()
        process.standardOutput = out
        let err = Pipe()
        process.standardError = err
        let progress = PipeText(out)
        let errors = PipeText(err)
        try process.run()
        let runner = process.processIdentifier
        defer { if process.isRunning { kill(runner, SIGKILL) } }

        // When the second endpoint phase begins (the server is up and loaded, the scenarios
        // still to come), kill the run's server: from a thread of its own, so that a busy
        // cooperative pool (other tests running beside this one) cannot make it late.
        let killed = Mutex<pid_t?>(nil)
        let watcher = Thread { [reports] in
            let deadline = Date().addingTimeInterval(180)
            while Date() < deadline, kill(runner, 0) == 0 {
                if progress.text.contains("loading create_job"), let server = Self.process(writingUnder: reports) {
                    kill(server, SIGKILL)
                    killed.withLock { $0 = server }
                    return
                }
                usleep(10_000)
            }
        }
        watcher.start()
        let end = Date().addingTimeInterval(300)
        while process.isRunning, Date() < end { try await Task.sleep(for: .milliseconds(100)) }
        try #require(!process.isRunning, "accord load still runs 300 s after it started")
        process.waitUntilExit()
        try #require(killed.withLock { $0 } != nil, "the server was never killed: \(progress.text) \(errors.text)")
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 1)

        let report = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: "\(reports)/latest/results.json")), path: "results.json")
        #expect(!report.passed)
        let cases = report.suites.flatMap(\.cases)
        let broken = cases.filter { $0.outcome == .failed || $0.outcome == .error }
        #expect(!broken.isEmpty)
        // Whatever phase the kill hit, the scenarios after it are not loaded against a dead port.
        let notRun = cases.filter { $0.reason?.contains("no longer running") == true }
        #expect(!notRun.isEmpty, "\(cases.map { "\($0.outcome): \($0.name) \($0.reason ?? "")" })")
    }
}

extension ServerKilledMidRunTests {
    /// The pid whose standard output is a `server.log` below `directory`.
    static func process(writingUnder directory: String) -> pid_t? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for name in names {
            guard let pid = pid_t(name),
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(name)/fd/1")
            else { continue }
            if target.hasPrefix(directory), target.hasSuffix("/server.log") { return pid }
        }
        return nil
    }
}
