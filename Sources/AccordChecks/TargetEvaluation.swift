import AccordResults
import AccordSpec

/// What a load phase measured for one endpoint: latencies in milliseconds (from the intended
/// send time in an open model; a closed model's are not corrected), completed requests per
/// second, and the share of failed requests.
public struct EndpointMeasurement: Sendable, Equatable {
    public var p50: Double
    public var p90: Double
    public var p95: Double
    public var p99: Double
    public var max: Double
    public var rps: Double
    public var errorRate: Double
    public var requests: Int
    /// When the generator, not the server, was the limit: rps is then a floor, and a missed
    /// rps target says nothing about the server.
    public var generatorBound: Bool

    public init(p50: Double, p90: Double, p95: Double, p99: Double, max: Double, rps: Double, errorRate: Double, requests: Int, generatorBound: Bool) {
        self.p50 = p50
        self.p90 = p90
        self.p95 = p95
        self.p99 = p99
        self.max = max
        self.rps = rps
        self.errorRate = errorRate
        self.requests = requests
        self.generatorBound = generatorBound
    }

    public func value(of metric: TargetMetric) -> Double {
        switch metric {
        case .p50: return p50
        case .p90: return p90
        case .p95: return p95
        case .p99: return p99
        case .max: return max
        case .rps: return rps
        case .errorRate: return errorRate
        }
    }
}

/// Targets against measurements: one result per threshold, named so a JUnit reader sees the
/// verdict in the name: `create_job p95 < 50 ms — measured 7.1 ms`. A failure quotes the
/// target's line of `source` (the spec file's text) when given. Pure.
public enum TargetEvaluation {
    /// An endpoint's own targets as a scenario judges them (`endpoints: {within: 2x}`): named
    /// "scenario: endpoint", latency bounds scaled, the error rate kept, rps dropped, each
    /// threshold placed where the scenario asked for it. Nil when none applies.
    public static func scaled(_ own: TargetSet, by scaling: EndpointScaling, scenario: String) -> TargetSet? {
        let thresholds = own.thresholds.compactMap { entry -> (metric: TargetMetric, threshold: Threshold, location: SourceLocation)? in
            guard entry.metric != .rps, scaling.metrics?.contains(entry.metric) ?? true else { return nil }
            var threshold = entry.threshold
            if entry.metric.isLatency { threshold.bound *= scaling.factor }
            return (metric: entry.metric, threshold: threshold, location: scaling.location)
        }
        guard !thresholds.isEmpty else { return nil }
        return TargetSet(subject: Located("\(scenario): \(own.subject.value)", at: scaling.location), thresholds: thresholds)
    }

    public static func evaluate(_ targets: TargetSet, measured: EndpointMeasurement, source: String? = nil) -> [ResultsDocument.Case] {
        targets.thresholds.map { entry in
            let value = measured.value(of: entry.metric)
            let name = "\(targets.subject.value) \(entry.metric.rawValue) \(entry.threshold.comparison.rawValue) "
                + "\(show(entry.threshold.bound, entry.metric)) — measured \(show(value, entry.metric))"
            if entry.threshold.holds(for: value) {
                return ResultsDocument.Case(name: name, location: entry.location, outcome: .passed)
            }
            if entry.metric == .rps, measured.generatorBound {
                return ResultsDocument.Case(
                    name: name, location: entry.location, outcome: .error,
                    reason: "generator-bound: the load generator, not the server, limited the run (at least \(show(value, .rps)))")
            }
            let failure = CheckFailure(
                message: "\(targets.subject.value) \(entry.metric.rawValue)",
                expected: "\(entry.threshold.comparison.rawValue) \(show(entry.threshold.bound, entry.metric))",
                actual: show(value, entry.metric), location: entry.location)
            return ResultsDocument.Case(
                name: name, location: entry.location, outcome: .failed, failures: [source.map { failure.quoting($0) } ?? failure])
        }
    }

    /// Latencies in ms, rps as a number, error rates in percent.
    public static func show(_ value: Double, _ metric: TargetMetric) -> String {
        switch metric {
        case .rps: return String(Int(value.rounded()))
        case .errorRate: return trimmed(value * 100, 2) + "%"
        default: return trimmed(value, value < 10 ? 2 : 1) + " ms"
        }
    }

    public static func trimmed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "-" }
        var factor = 1.0
        for _ in 0..<decimals { factor *= 10 }
        return String((value * factor).rounded() / factor)
    }
}
