import AccordTestSupport
import AccordResults
import AccordEnvironment
import Foundation
import Testing

/// `accord load --url` (the executable), wrk-style: a summary on standard output and, with
/// --json, a results document that `accord report` and `accord compare` read.
@Suite("accord load --url (the executable)", .serialized)
struct LoadCommandTests {
    static func temporaryFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("accord-load-\(UUID().uuidString).json").path
    }

    @Test func anAdHocLoadPrintsASummaryAndWritesAResultsDocument() async throws {
        try await TestServer.with { server in
            let json = Self.temporaryFile()
            defer { try? FileManager.default.removeItem(atPath: json) }
            let url = server.baseURL + "/health"
            let result = try await Executables.run(["load", "--url", url, "-c", "2", "-d", "500ms", "--json", json], timeout: 60)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.contains("Load of \(url) for 0.5 s: 2 connections, 1 thread, closed model"))
            let report = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
            #expect(report.profile == "ad hoc" && report.target == url && !report.booted)
            let phase = try #require(report.endpoints.first)
            #expect(report.endpoints.count == 1)
            #expect(phase.name == "GET \(url)")
            #expect(phase.measurement.requests > 0 && phase.errorsByKind.isEmpty)
            // Every request is in the latency histogram, and the summary counted the same ones.
            #expect(phase.latency.totalCount == UInt64(phase.measurement.requests))
            #expect(result.stdout.contains("requests   \(phase.measurement.requests) ("))
            // A closed model says its latency is not corrected, in the console and the document.
            #expect(result.stdout.contains("(closed model, not corrected)"))
            #expect(phase.model == "closed" && !phase.corrected)
            #expect(report.passed)
            #expect(report.suites.flatMap(\.cases).map(\.outcome) == [.passed])
        }
    }

    @Test func answersOutsideTwoAndThreeHundredFailTheDocumentsVerdict() async throws {
        try await TestServer.with { server in
            let json = Self.temporaryFile()
            defer { try? FileManager.default.removeItem(atPath: json) }
            let result = try await Executables.run(
                ["load", "--url", server.baseURL + "/no-such-endpoint", "-c", "2", "-d", "300ms", "--json", json], timeout: 60)
            // Like wrk, the load itself succeeded: exit 0, the answers' statuses are in the figures.
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let report = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
            let phase = try #require(report.endpoints.first)
            #expect(phase.measurement.requests > 0)
            #expect(phase.errorsByKind == ["status": phase.measurement.requests])
            #expect(!report.passed)
            let verdict = try #require(report.suites.first?.cases.first)
            #expect(verdict.outcome == .failed)
            #expect(verdict.failures.first?.actual == "status \(phase.measurement.requests)")
        }
    }

    @Test func anUnreachableTargetExitsThreeAndClaimsNoFloorForTheServer() async throws {
        let port = try FreePort.find()
        let json = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: json) }
        let result = try await Executables.run(
            ["load", "--url", "http://127.0.0.1:\(port)/", "-c", "2", "-d", "300ms", "--json", json], timeout: 60)
        #expect(result.status == 3)
        #expect(result.stderr.contains("target unreachable: http://127.0.0.1:\(port)/"))
        // Refused connections fail in microseconds, so the generator is busy; that says
        // nothing of a server's speed.
        #expect(!result.stdout.contains("generator-bound"))
        let report = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
        #expect(report.targetUnreachable && !report.passed)
    }
}
