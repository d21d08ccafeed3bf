@testable import AccordSpec
import Testing

/// `at:` in an endpoint's targets: the rate its latency targets are judged at; and which
/// rate a target set is judged at when it states none.
@Suite("Targets: the rate latency is judged at")
struct TargetRateDecodingTests {
    static func targets(_ line: String) throws -> TargetSet {
        let source = """
            suite: s
            endpoints:
              queue_stats: {method: GET, path: /api/v1/queue/stats}
            targets:
              queue_stats: \(line)
            """
        switch SpecLoader.load(source, path: "s.yaml") {
        case let .success(spec): return try #require(spec.targets.first)
        case let .failure(problems):
            Issue.record("unexpected errors: \(problems.diagnostics.map(\.description))")
            throw problems
        }
    }

    @Test(arguments: [
        (#"{p99: "< 60ms", at: "500/s"}"#, 500.0),
        (#"{p99: "< 60ms", at: "500 req/s"}"#, 500),
        (#"{p99: "< 60ms", at: 2.5}"#, 2.5),
        (#"{p99: "< 60ms", at: "500/s", rps: ">= 2000"}"#, 500),
        (#"{p99: "< 60ms", rps: ">= 2000"}"#, 2000),
    ])
    func theJudgingRateIsAtElseTheRPSBound(line: String, rate: Double) throws {
        #expect(try Self.targets(line).judgingRate == rate)
    }

    @Test(arguments: [#"{p99: "< 60ms"}"#, #"{p99: "< 60ms", rps: ">= 0"}"#, #"{error_rate: "< 1%"}"#])
    func withoutARateTheTargetsAreJudgedClosed(line: String) throws {
        #expect(try Self.targets(line).judgingRate == nil)
    }

    @Test func atKeepsItsLocation() throws {
        let rate = try #require(try Self.targets(#"{p99: "< 60ms", at: "500/s"}"#).rate)
        #expect(rate.location.line == 5)
        #expect(rate.location.column == 36)
    }

    @Test(arguments: ["500/s", "500 req/s", " 500 ", "1e3/s", "1000000"])
    func ratesThatRead(text: String) {
        #expect(SpecDecoder.perSecond(text) != nil)
    }

    @Test(arguments: ["0/s", "-5/s", "fast", "500/min", "nan", "inf", "1000001", ""])
    func ratesThatDoNot(text: String) {
        #expect(SpecDecoder.perSecond(text) == nil)
    }
}
