import AccordResults
import AccordTestSupport
import Foundation
import Testing

/// Issue 13, item 5, end to end: nginx frozen for 300 ms every 2 s (SIGSTOP of its worker)
/// must fail "p99 < 50 ms at 1,000 req/s" — the stall a buyer needs to see — while the same
/// spec passes against the same nginx left alone; and a closed model (no rate stated) does
/// not see the stall, and says so ("closed model, not corrected").
///
/// Robust by a wide margin, not by timing: a 300 ms stall every 2 s at 1,000 req/s delays
/// ~15% of the requests due by up to 300 ms, so the corrected p99 sits near 275 ms against a
/// 50 ms bound; nginx answers in well under a millisecond when left alone.
@Suite(
    "A server that stalls, judged at the vendor's rate", .serialized,
    .enabled(if: NginxServer.installed, "nginx is not installed at /usr/sbin/nginx (make installs it: Makefile APT_PACKAGES)"))
struct StallingServerTests {
    /// The vendor's claim for an endpoint, with the rate stated (open model) or not (closed).
    static func spec(_ targets: String) -> String {
        """
        suite: stall
        endpoints:
          page: {method: GET, path: /page, expect_status: 200}
        targets:
          page: \(targets)
        """
    }

    static let atVendorsRate = spec(#"{p99: "< 50ms", rps: ">= 1000"}"#)
    static let noRateStated = spec(#"{p99: "< 50ms"}"#)

    /// `accord load SPEC --target nginx` for 5 s per endpoint, no capacity search: its exit
    /// status, the document, and the endpoint's phase.
    static func load(_ spec: String, against nginx: NginxServer) async throws -> (status: Int32, document: ResultsDocument, phase: LoadPhase) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accord-stall-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let specPath = directory.appendingPathComponent("stall.yaml").path
        let json = directory.appendingPathComponent("results.json").path
        try spec.write(toFile: specPath, atomically: true, encoding: .utf8)
        let result = try await Executables.run(
            [
                "load", specPath, "--target", nginx.baseURL, "--load-seconds", "5", "--no-capacity", "--reports",
                directory.appendingPathComponent("reports").path, "--json", json, "--quiet", "--threads", "1",
            ], timeout: 120)
        #expect(result.status <= 1, "stderr: \(result.stderr)")
        let document = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
        let phase = try #require(document.endpoints.first { $0.name == "page" })
        return (result.status, document, phase)
    }

    /// The same against a fresh nginx frozen for 300 ms every 2 s while it loads.
    static func loadStalling(_ spec: String) async throws -> (status: Int32, document: ResultsDocument, phase: LoadPhase) {
        let nginx = try await NginxServer.start()
        defer { nginx.stop() }
        let freezer = try NginxServer.Freezer(nginx.process.processIdentifier, stallMilliseconds: 300, periodMilliseconds: 2000)
        defer { freezer.stop() }
        return try await load(spec, against: nginx)
    }

    static func ms(_ histogram: HistogramData, _ percentile: Double) -> Double {
        Double(histogram.value(atPercentile: percentile)) / 1000
    }

    static func targetCases(_ document: ResultsDocument) -> [ResultsDocument.Case] {
        document.suites.first { $0.name == "targets" }?.cases ?? []
    }

    @Test func aStallEveryTwoSecondsFailsP99At1000PerSecond() async throws {
        let (status, document, phase) = try await Self.loadStalling(Self.atVendorsRate)
        #expect(status == 1)
        #expect(phase.model == "open" && phase.corrected)
        #expect(phase.load.hasPrefix("constant 1000 req/s, open model"))
        // Requests due while every connection waited on the frozen server may never have
        // been sent at the end: missing, they could only flatter the figures, so the miss stands.
        // The stall is in the corrected figures: requests due during it waited up to 300 ms.
        let corrected = Self.ms(phase.latency, 99)
        #expect(corrected >= 200, "corrected p99 \(corrected) ms")
        #expect(phase.measurement.p99 == corrected)
        // Counted from the actual send, only the requests sent into the stall (at most the
        // connections in flight) are slow: never more than from the intended time.
        #expect(Self.ms(phase.uncorrectedLatency, 99) <= corrected)
        let cases = Self.targetCases(document)
        let p99 = try #require(cases.first { $0.name.hasPrefix("page p99 < 50.0 ms at 1000 req/s — measured ") })
        #expect(p99.outcome == .failed, "\(p99.name): \(p99.reason ?? "")")
        let rps = try #require(cases.first { $0.name.hasPrefix("page rps >= 1000") })
        #expect(rps.outcome == .failed, "\(rps.name): \(rps.reason ?? "")")
        #expect(!document.passed)
    }

    /// Left alone, nginx answers 1,000 req/s in well under a millisecond; on a 2-core machine
    /// shared with builds a whole second can still be lost to the scheduler now and then, so
    /// a second attempt is allowed (noise can only make a healthy server fail, never pass).
    @Test func theSameSpecPassesWhenTheServerDoesNotStall() async throws {
        let nginx = try await NginxServer.start()
        defer { nginx.stop() }
        var attempts: [String] = []
        for _ in 1...2 {
            let (status, document, phase) = try await Self.load(Self.atVendorsRate, against: nginx)
            let cases = Self.targetCases(document)
            attempts.append("exit \(status): " + cases.map { "\($0.name) \($0.outcome) \($0.reason ?? "")" }.joined(separator: "; "))
            guard status == 0 else { continue }
            #expect(phase.corrected)
            #expect(Self.ms(phase.latency, 99) < 50)
            #expect(cases.map(\.outcome) == [.passed, .passed])
            #expect(cases.contains { $0.name == "page rps >= 1000 — measured 1000 sustained" })
            return
        }
        Issue.record("the spec failed against nginx left alone, twice: \(attempts)")
    }

    @Test func aClosedModelDoesNotSeeTheStallAndSaysItIsNotCorrected() async throws {
        let (_, document, phase) = try await Self.loadStalling(Self.noRateStated)
        #expect(phase.model == "closed" && !phase.corrected)
        #expect(phase.latencyBasis == "closed model, not corrected")
        // Only the few requests each connection had in flight when the stall began wait it
        // out: the maximum shows it, the p99 hardly does.
        #expect(phase.measurement.max >= 250, "max \(phase.measurement.max) ms")
        #expect(phase.measurement.p99 < 100, "closed-model p99 \(phase.measurement.p99) ms")
        let p99 = try #require(Self.targetCases(document).first)
        #expect(p99.name.hasSuffix("(closed model, not corrected)"))
        #expect(!p99.name.contains(" at "))
    }
}
