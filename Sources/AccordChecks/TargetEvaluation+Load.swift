import AccordResults
import AccordSpec

/// How an endpoint's target phase was loaded, for its verdicts: at a constant arrival rate
/// (open model, latency from each request's intended send time) or in a closed model.
public struct TargetLoad: Sendable, Equatable {
    /// The arrival rate offered (req/s); nil for a closed model.
    public var rate: Double?
    /// Open model: the share of the scheduled requests the generator never sent.
    public var behindShare: Double

    public init(rate: Double?, behindShare: Double = 0) {
        self.rate = rate
        self.behindShare = behindShare
    }

    /// Beyond this share of scheduled requests never sent, the figures are a floor.
    public static let floorShare = 0.05

    /// Said after the measured value in a verdict's name: a closed model's latency is not
    /// corrected for coordinated omission, and the names say so.
    var label: String { rate == nil ? " (closed model, not corrected)" : "" }

    /// Said after the target in a verdict's name: the rate it was judged at.
    var judgedAt: String { rate.map { " at \(TargetEvaluation.show($0, .rps)) req/s" } ?? "" }
}

extension TargetEvaluation {
    /// An endpoint's latency and error-rate targets against its target phase (its rps target
    /// is judged by capacity: ``evaluateRPS(_:threshold:location:sustained:generatorBound:source:)``).
    /// At a stated rate, requests never sent (the generator fell behind, or every connection
    /// was waiting on the server) are missing from the figures, which can only flatter them:
    /// beyond 5% of the schedule a target met is not a pass but an error (a floor), while a
    /// target missed stays missed. A target missed while the generator's thread was busy
    /// ≥ 90% is an error too: latency from the intended send time then holds its own lateness.
    public static func evaluate(_ targets: TargetSet, measured: EndpointMeasurement, load: TargetLoad, source: String? = nil) -> [ResultsDocument.Case] {
        let judged = TargetSet(subject: targets.subject, thresholds: targets.thresholds.filter { $0.metric != .rps }, rate: targets.rate)
        return zip(judged.thresholds, evaluate(judged, measured: measured, source: source)).map { entry, verdict in
            var verdict = verdict
            let target = "\(targets.subject.value) \(entry.metric.rawValue) \(entry.threshold.comparison.rawValue) \(show(entry.threshold.bound, entry.metric))"
            verdict.name = "\(target)\(load.judgedAt) — measured \(show(measured.value(of: entry.metric), entry.metric))\(load.label)"
            guard let rate = load.rate else { return verdict }
            if verdict.outcome == .passed, load.behindShare > TargetLoad.floorShare {
                return ResultsDocument.Case(
                    name: verdict.name, location: entry.location, outcome: .error,
                    reason: "a floor, not a pass: \(trimmed(load.behindShare * 100, 1))% of the requests due at \(show(rate, .rps)) req/s "
                        + "were never sent (the generator fell behind, or every connection was waiting on the server), so the figures "
                        + "were measured under less load than stated")
            }
            if verdict.outcome == .failed, measured.generatorBound {
                return ResultsDocument.Case(
                    name: verdict.name, location: entry.location, outcome: .error,
                    reason: "generator-bound: the load generator's thread was busy ≥ 90% at \(show(rate, .rps)) req/s, and latency from "
                        + "the intended send time holds its own lateness")
            }
            return verdict
        }
    }

    /// An rps target against the sustained capacity: the highest constant arrival rate held
    /// for a whole step (p99 within target, under 1% errors), nil when none held. Missed
    /// while the generator was the limit, it is an error (the figure is a floor), not a failure.
    public static func evaluateRPS(
        _ subject: String, threshold: Threshold, location: SourceLocation, sustained: Double?, generatorBound: Bool, source: String? = nil
    ) -> ResultsDocument.Case {
        let measured = sustained.map { "\(show($0, .rps)) sustained" } ?? "no rate sustained"
        let name = "\(subject) rps \(threshold.comparison.rawValue) \(show(threshold.bound, .rps)) — measured \(measured)"
        if let sustained, threshold.holds(for: sustained) {
            return ResultsDocument.Case(name: name, location: location, outcome: .passed)
        }
        if generatorBound {
            return ResultsDocument.Case(
                name: name, location: location, outcome: .error,
                reason: "generator-bound: the load generator, not the server, limited the capacity search (at least \(sustained.map { show($0, .rps) } ?? "0") req/s sustained)")
        }
        let failure = CheckFailure(
            message: "\(subject) sustained rps (open model: p99 within target, errors under 1%)",
            expected: "\(threshold.comparison.rawValue) \(show(threshold.bound, .rps))", actual: sustained.map { show($0, .rps) } ?? "no rate held",
            location: location)
        return ResultsDocument.Case(name: name, location: location, outcome: .failed, failures: [source.map { failure.quoting($0) } ?? failure])
    }
}
