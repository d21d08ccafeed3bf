import AccordChecks
import AccordResults
import AccordSpec
import Testing

/// An endpoint's targets as judged at the rate the spec states (open model) or closed, and
/// its rps target by the sustained capacity.
@Suite("Targets: latency at the stated rate, rps by capacity")
struct TargetLoadTests {
    static let here = SourceLocation(file: "load.yaml", line: 3, column: 9)

    static func targets(_ entries: [(TargetMetric, Threshold)], at rate: Double? = nil) -> TargetSet {
        TargetSet(
            subject: Located("health", at: here), thresholds: entries.map { (metric: $0.0, threshold: $0.1, location: here) },
            rate: rate.map { Located($0, at: here) })
    }

    static func measured(p99: Double, generatorBound: Bool = false) -> EndpointMeasurement {
        EndpointMeasurement(p50: 1, p90: 1, p95: 1, p99: p99, max: p99, rps: 990, errorRate: 0, requests: 1000, generatorBound: generatorBound)
    }

    static let p99Under50 = targets([(.p99, Threshold(.lessThan, 50)), (.rps, Threshold(.greaterThanOrEqual, 1000))])

    @Test func closedModelFiguresAreLabelledNotCorrected() {
        let cases = TargetEvaluation.evaluate(Self.p99Under50, measured: Self.measured(p99: 4), load: TargetLoad(rate: nil))
        #expect(cases.map(\.name) == ["health p99 < 50.0 ms — measured 4.0 ms (closed model, not corrected)"])
        #expect(cases.map(\.outcome) == [.passed])
    }

    @Test func theRPSTargetIsLeftToCapacityAndTheRateIsNamed() {
        let cases = TargetEvaluation.evaluate(Self.p99Under50, measured: Self.measured(p99: 310), load: TargetLoad(rate: 1000))
        #expect(cases.map(\.name) == ["health p99 < 50.0 ms at 1000 req/s — measured 310.0 ms"])
        #expect(cases.map(\.outcome) == [.failed])
    }

    static let behindCases: [(p99: Double, behind: Double, generatorBound: Bool, outcome: CaseOutcome)] = [
        (4, 0.06, false, .error),  // passed, but under less load than stated: a floor
        (310, 0.06, false, .failed),  // missed: what was never sent could only have made it worse
        (4, 0.05, false, .passed),  // 5% never sent is still the stated load
        (310, 0, true, .error),  // missed while the generator was the limit: its own lateness counts
        (4, 0, true, .passed),  // held with the generator busy: the lateness only made it harder
        (310, 0, false, .failed),
    ]

    @Test(arguments: behindCases)
    func aPhaseWhoseGeneratorFellBehindDoesNotPassSilently(p99: Double, behind: Double, generatorBound: Bool, outcome: CaseOutcome) {
        let cases = TargetEvaluation.evaluate(
            Self.p99Under50, measured: Self.measured(p99: p99, generatorBound: generatorBound), load: TargetLoad(rate: 1000, behindShare: behind))
        #expect(cases.map(\.outcome) == [outcome])
        if outcome == .error {
            #expect(cases.first?.reason?.hasPrefix(generatorBound ? "generator-bound" : "a floor, not a pass") == true)
        }
    }

    static let rpsCases: [(sustained: Double?, generatorBound: Bool, outcome: CaseOutcome)] = [
        (1050, false, .passed),
        (1000, false, .passed),
        (950, false, .failed),
        (nil, false, .failed),
        (950, true, .error),
        (nil, true, .error),
        (1200, true, .passed),
    ]

    @Test(arguments: rpsCases)
    func rpsIsJudgedBySustainedCapacity(sustained: Double?, generatorBound: Bool, outcome: CaseOutcome) {
        let verdict = TargetEvaluation.evaluateRPS(
            "health", threshold: Threshold(.greaterThanOrEqual, 1000), location: Self.here, sustained: sustained, generatorBound: generatorBound)
        #expect(verdict.outcome == outcome)
        #expect(verdict.name.hasPrefix("health rps >= 1000 — measured "))
        #expect(verdict.name.hasSuffix("sustained"))
    }
}
