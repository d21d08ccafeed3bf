import AccordChecks
import AccordResults
import AccordSpec
import Testing

/// A scenario's `endpoints: {within: …}`: each endpoint of its mix judged by its own targets,
/// scaled as the vendor writes "p95 < 2x targets".
@Suite("Scenario targets per endpoint")
struct ScenarioTargetTests {
    static let here = SourceLocation(file: "load.yaml", line: 9, column: 3)
    static let own = TargetSet(
        subject: Located("create_job", at: SourceLocation(file: "load.yaml", line: 2, column: 3)),
        thresholds: [
            (metric: .p50, threshold: Threshold(.lessThan, 30), location: SourceLocation(file: "load.yaml", line: 2, column: 20)),
            (metric: .p95, threshold: Threshold(.lessThan, 50), location: SourceLocation(file: "load.yaml", line: 2, column: 35)),
            (metric: .rps, threshold: Threshold(.greaterThanOrEqual, 1000), location: SourceLocation(file: "load.yaml", line: 2, column: 50)),
            (metric: .errorRate, threshold: Threshold(.lessThan, 0.01), location: SourceLocation(file: "load.yaml", line: 2, column: 70)),
        ])

    static func measured(p50: Double, p95: Double, errors: Double) -> EndpointMeasurement {
        EndpointMeasurement(p50: p50, p90: p95, p95: p95, p99: p95, max: p95, rps: 12, errorRate: errors, requests: 100, generatorBound: false)
    }

    @Test("within 2x on p95: the bound doubles, nothing else is judged, and the case says where the scenario asked")
    func doubledP95() throws {
        let scaled = try #require(TargetEvaluation.scaled(Self.own, by: EndpointScaling(factor: 2, metrics: [.p95], location: Self.here), scenario: "high"))
        #expect(scaled.subject.value == "high: create_job")
        #expect(scaled.thresholds.map(\.metric) == [.p95])
        #expect(scaled.thresholds.first?.threshold == Threshold(.lessThan, 100))
        #expect(scaled.thresholds.first?.location == Self.here)
        let passed = TargetEvaluation.evaluate(scaled, measured: Self.measured(p50: 90, p95: 99, errors: 0.5))
        #expect(passed.map(\.outcome) == [.passed])
        let failed = TargetEvaluation.evaluate(scaled, measured: Self.measured(p50: 1, p95: 101, errors: 0))
        #expect(failed.map(\.outcome) == [.failed])
        #expect(failed.first?.name == "high: create_job p95 < 100.0 ms — measured 101.0 ms")
    }

    @Test("within 1x: every latency target and the error rate as they are; rps never applies")
    func allWithin() throws {
        let scaled = try #require(TargetEvaluation.scaled(Self.own, by: EndpointScaling(factor: 1, location: Self.here), scenario: "normal"))
        #expect(scaled.thresholds.map(\.metric) == [.p50, .p95, .errorRate])
        #expect(scaled.thresholds.map(\.threshold.bound) == [30, 50, 0.01])
        let cases = TargetEvaluation.evaluate(scaled, measured: Self.measured(p50: 20, p95: 40, errors: 0.02))
        #expect(cases.map(\.outcome) == [.passed, .passed, .failed])
    }

    @Test("an endpoint without a target the scenario names is not judged")
    func nothingToJudge() {
        let scaling = EndpointScaling(factor: 2, metrics: [.p99], location: Self.here)
        #expect(TargetEvaluation.scaled(Self.own, by: scaling, scenario: "high") == nil)
    }
}
