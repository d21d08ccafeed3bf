import AccordChecks
import AccordLoad
import AccordResults
import AccordSpec

/// How an endpoint's targets are loaded and how its rps target is judged (issue 13, item 5):
/// latency at the rate the vendor states it, throughput by sustained capacity.
extension LoadSession {
    /// The load an endpoint's target phase runs: a constant arrival rate (open model) at the
    /// targets' judging rate, with enough connections in flight for it while latency stays
    /// within the loosest latency target (Little's law, twice over); closed model at
    /// `connections` when the targets state no rate.
    static func targetShape(_ targets: TargetSet, connections: Int) -> (model: LoadPlan.Model, connections: Int, load: String) {
        guard let rate = targets.judgingRate else {
            return (.closed, connections, "\(connections) connections, closed model")
        }
        let latencies = targets.thresholds.filter { $0.metric.isLatency }.map(\.threshold.bound)
        let inFlight = CapacityRule.connections(rate: rate, p99Milliseconds: latencies.max() ?? 100)
        return (.open(rate: rate), inFlight, "constant \(TargetEvaluation.show(rate, .rps)) req/s, open model, up to \(inFlight) in flight")
    }

    /// Every endpoint rps target, judged by the sustained capacity: the capacity search's for
    /// the endpoint when one ran; else the endpoint's own phase at the target's rate as a
    /// one-step search (held: p99 within target, under 1% errors, 95% of the rate answered,
    /// at most 5% of the schedule never sent). Run after the capacity search.
    static func rpsVerdicts(_ specs: [SpecFile], into results: inout Results) {
        for spec in specs {
            for targets in spec.targets {
                guard let rps = targets.rpsTarget, spec.endpoints.contains(where: { $0.name.value == targets.subject.value }) else { continue }
                let subject = targets.subject.value
                let sustained: Double?
                let generatorBound: Bool
                // No phase at all: the endpoint's "targets" verdict already says why (not run, not rendered).
                guard let phase = results.endpoints.first(where: { $0.name == subject }) else { continue }
                if let capacity = results.capacity.first(where: { $0.subject == subject }) {
                    (sustained, generatorBound) = (capacity.sustainedRPS, capacity.generatorBound)
                } else if targets.rate == nil, phase.corrected {
                    let rate = rps.threshold.bound
                    let step = Self.oneStep(phase, rate: rate, p99Target: targets.thresholds.first { $0.metric == .p99 }?.threshold.bound)
                    (sustained, generatorBound) = (step.held ? rate : nil, phase.measurement.generatorBound)
                } else {
                    results.targetCases.append(ResultsDocument.Case(
                        name: "\(subject) rps \(rps.threshold.comparison.rawValue) \(TargetEvaluation.show(rps.threshold.bound, .rps))",
                        location: rps.location, outcome: .skipped,
                        reason: "no capacity search for \(subject) (--no-capacity, or no p99 target), and no phase at the rps target's rate to judge it by"))
                    continue
                }
                results.targetCases.append(TargetEvaluation.evaluateRPS(
                    subject, threshold: rps.threshold, location: rps.location, sustained: sustained, generatorBound: generatorBound,
                    source: spec.source))
            }
        }
    }

    /// Where an endpoint's capacity search starts (its steps offer 0.5, 0.75, 1, 1.25… times
    /// this): the rps target's bound when there is one, so that the rate the vendor states is
    /// itself a step and the bisection lands within 5% of where it breaks; else the
    /// throughput its phase measured (100 when none).
    static func capacityStart(_ targets: TargetSet, measuredRPS: Double?) -> Double {
        if let bound = targets.rpsTarget?.threshold.bound, bound > 0 { return bound }
        return measuredRPS ?? 100
    }

    /// An open-model target phase as a capacity step at `rate`.
    static func oneStep(_ phase: LoadPhase, rate: Double, p99Target: Double?) -> Capacity.Step {
        let m = phase.measurement
        let held = CapacityRule.held(m, offered: rate, groupP99s: p99Target.map { [(p99: m.p99, target: $0)] } ?? [])
            && phase.behindShare <= TargetLoad.floorShare
        return Capacity.Step(
            offeredRPS: rate, achievedRPS: m.rps, p50: m.p50, p99: m.p99, errorRate: m.errorRate, held: held, behind: phase.behind,
            unanswered: phase.unanswered)
    }
}
