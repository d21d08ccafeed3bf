import AccordResults
import AccordSpec

/// The vendor's claims against what was measured where each applies: single-request latencies
/// against the one-connection phase of their endpoint (held when the percentile measured is at
/// most the claim), capacities against the capacity search (held when the sustained or peak
/// rate is at least the claim; a generator-bound figure is a floor, so a floor below the claim
/// says nothing). Pure.
public enum ClaimEvaluation {
    public static let singleBasis = "one connection, one request at a time"

    public static func evaluate(_ specs: [SpecFile], singles: [LoadPhase], capacity: [Capacity]) -> [ClaimOutcome] {
        specs.flatMap { spec in
            spec.claims.flatMap { claim in
                claim.figures.map { figure in
                    outcome(claim.subject.value, figure.metric, figure.value, location: figure.location.description,
                        single: singles.first { $0.name == claim.subject.value },
                        capacity: capacity.first { $0.subject == claim.subject.value || $0.subject == "mix (\(claim.subject.value))" })
                }
            }
        }
    }

    static func outcome(
        _ subject: String, _ metric: Claim.Metric, _ claimed: Double, location: String, single: LoadPhase?, capacity: Capacity?
    ) -> ClaimOutcome {
        var outcome = ClaimOutcome(subject: subject, metric: metric.rawValue, claimed: claimed, measured: nil, basis: singleBasis, held: nil, location: location)
        switch metric {
        case .p50, .p95, .p99:
            guard let single, single.measurement.requests > 0 else {
                outcome.note = "no one-connection phase ran for \(subject)"
                return outcome
            }
            let m = single.measurement
            let measured = metric == .p50 ? m.p50 : metric == .p95 ? m.p95 : m.p99
            outcome.measured = measured
            outcome.held = measured <= claimed
        case .sustained, .peak:
            outcome.basis = "\(metric.rawValue) capacity"
            guard let capacity else {
                outcome.note = "no capacity search ran for \(subject)"
                return outcome
            }
            let measured = metric == .sustained ? capacity.sustainedRPS ?? 0 : capacity.peakRPS
            outcome.measured = measured
            if measured >= claimed {
                outcome.held = true
            } else if capacity.generatorBound {
                outcome.note = "generator-bound: \(Int(measured)) req/s is a floor, below the claim"
            } else {
                outcome.held = false
            }
        }
        return outcome
    }
}
