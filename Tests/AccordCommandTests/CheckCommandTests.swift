import AccordResults
import AccordTestSupport
import Foundation
import Testing

/// `accord check` as a user runs it: one rule for "passed" — a run that verified nothing has not.
@Suite("accord check (the executable)")
struct CheckCommandTests {
    @Test func whenEveryCaseIsSkippedNothingWasVerifiedAndItExits1() async throws {
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("accord-check-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let specs = Executables.repositoryRoot.appendingPathComponent("specs/health.yaml").path
        // No case carries the tag: every one is skipped, nothing is sent anywhere.
        let result = try await Executables.run(["check", specs, "--target", "http://127.0.0.1:1", "--tags", "no-such-tag", "--json", json])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("no case ran"))
        let document = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
        #expect(document.kind == .check && document.count(.skipped) > 0 && !document.passed)
    }
}
