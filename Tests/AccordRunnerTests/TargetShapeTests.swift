import AccordLoad
import AccordResults
import AccordSpec
import Testing

@testable import AccordRunner

/// How an endpoint's targets are loaded: at the rate they state (open model, as many in
/// flight as the rate needs within the loosest latency target) or closed; and the endpoint
/// phase as the one capacity step an rps target is judged by without a capacity search.
@Suite("Target phases: the rate stated, or closed")
struct TargetShapeTests {
    static let here = SourceLocation(file: "load.yaml", line: 1, column: 1)

    static func targets(_ entries: [(TargetMetric, Threshold)], at rate: Double? = nil) -> TargetSet {
        TargetSet(
            subject: Located("page", at: here), thresholds: entries.map { (metric: $0.0, threshold: $0.1, location: here) },
            rate: rate.map { Located($0, at: here) })
    }

    @Test func theRPSTargetsRateWithInFlightForTheLoosestLatency() {
        let shape = LoadSession.targetShape(
            Self.targets([(.p50, Threshold(.lessThan, 5)), (.p99, Threshold(.lessThan, 100)), (.rps, Threshold(.greaterThanOrEqual, 1000))]),
            connections: 50)
        #expect(shape.model == .open(rate: 1000))
        #expect(shape.connections == 200)
        #expect(shape.load == "constant 1000 req/s, open model, up to 200 in flight")
    }

    @Test func atWinsOverTheRPSBound() {
        let shape = LoadSession.targetShape(
            Self.targets([(.p99, Threshold(.lessThan, 60)), (.rps, Threshold(.greaterThanOrEqual, 2000))], at: 500), connections: 50)
        #expect(shape.model == .open(rate: 500))
        #expect(shape.connections == 60)
    }

    @Test func noRateStatedIsAClosedModelAtTheRunsConnections() {
        let shape = LoadSession.targetShape(Self.targets([(.p99, Threshold(.lessThan, 60))]), connections: 50)
        #expect(shape.model == .closed)
        #expect(shape.connections == 50)
        #expect(shape.load == "50 connections, closed model")
    }

    static func phase(p99: Double, rps: Double, errors: Double = 0, behind: Int = 0) -> LoadPhase {
        var phase = LoadPhase(
            name: "page", load: "", seconds: 1,
            measurement: .init(requests: 1000, rps: rps, errorRate: errors, p50: 1, p90: 1, p95: 1, p99: p99, p999: p99, max: p99, generatorBound: false))
        phase.model = "open"
        phase.behind = behind
        return phase
    }

    static let steps: [(phase: LoadPhase, held: Bool)] = [
        (phase(p99: 4, rps: 1000), true),
        (phase(p99: 60, rps: 1000), false),  // p99 over its target
        (phase(p99: 4, rps: 900), false),  // under 95% of the rate answered
        (phase(p99: 4, rps: 1000, errors: 0.02), false),
        (phase(p99: 4, rps: 1000, behind: 100), false),  // ~9% never sent
    ]

    @Test(arguments: steps)
    func anEndpointPhaseIsOneCapacityStep(phase: LoadPhase, held: Bool) {
        let step = LoadSession.oneStep(phase, rate: 1000, p99Target: 50)
        #expect(step.held == held)
        #expect(step.offeredRPS == 1000)
    }
}

extension TargetShapeTests {
    @Test func capacityStartsFromTheRPSTargetSoTheVendorsRateIsAStep() {
        let withRPS = Self.targets([(.p99, Threshold(.lessThan, 50)), (.rps, Threshold(.greaterThanOrEqual, 10_000))])
        #expect(LoadSession.capacityStart(withRPS, measuredRPS: 4296) == 10_000)
        let withoutRPS = Self.targets([(.p99, Threshold(.lessThan, 50))], at: 500)
        #expect(LoadSession.capacityStart(withoutRPS, measuredRPS: 480) == 480)
        #expect(LoadSession.capacityStart(withoutRPS, measuredRPS: nil) == 100)
    }
}
