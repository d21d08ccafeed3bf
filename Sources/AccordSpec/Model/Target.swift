/// A comparison with a bound: `"< 50ms"`, `">= 1000"`, `"< 1%"`, parsed once.
public struct Threshold: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable, CaseIterable {
        case lessThan = "<", lessThanOrEqual = "<=", greaterThan = ">", greaterThanOrEqual = ">="
    }

    public var comparison: Comparison
    /// Milliseconds for latencies, requests per second for rps, a fraction (0.01) for rates.
    public var bound: Double

    public init(_ comparison: Comparison, _ bound: Double) {
        self.comparison = comparison
        self.bound = bound
    }

    /// Whether `measured` satisfies the threshold.
    public func holds(for measured: Double) -> Bool {
        switch comparison {
        case .lessThan: return measured < bound
        case .lessThanOrEqual: return measured <= bound
        case .greaterThan: return measured > bound
        case .greaterThanOrEqual: return measured >= bound
        }
    }

    public var description: String { "\(comparison.rawValue) \(bound)" }
}

/// The metrics a target may bound.
public enum TargetMetric: String, Sendable, CaseIterable {
    case p50, p90, p95, p99, max, rps, errorRate = "error_rate"

    /// Latency metrics take durations; rps a plain number; error_rate a percentage.
    public var isLatency: Bool { self != .rps && self != .errorRate }
}

/// The targets of one endpoint or scenario: `create_job: {p95: "< 50ms", rps: ">= 1000"}`.
///
/// An endpoint's latency and error-rate targets are judged at a constant arrival rate (open
/// model): `at` when the spec states one (`queue_stats: {p99: "< 60ms", at: "500/s"}`), else
/// the rps target's bound; with neither, in a closed model, labelled so.
public struct TargetSet: Sendable {
    public var subject: Located<String>
    public var thresholds: [(metric: TargetMetric, threshold: Threshold, location: SourceLocation)]
    /// A scenario's: each endpoint of its mix judged by that endpoint's own targets, scaled.
    public var endpoints: EndpointScaling?
    /// `at: "500/s"`: the arrival rate (req/s) the latency targets are judged at.
    public var rate: Located<Double>?

    public init(
        subject: Located<String>, thresholds: [(metric: TargetMetric, threshold: Threshold, location: SourceLocation)],
        rate: Located<Double>? = nil, endpoints: EndpointScaling? = nil
    ) {
        self.subject = subject
        self.thresholds = thresholds
        self.rate = rate
        self.endpoints = endpoints
    }

    /// The rps target, when there is one.
    public var rpsTarget: (threshold: Threshold, location: SourceLocation)? {
        thresholds.first { $0.metric == .rps }.map { (threshold: $0.threshold, location: $0.location) }
    }

    /// The constant arrival rate (req/s) latency and error rate are judged at: `at`, else an
    /// rps target's bound (`>= 1000`: 1000); nil for a closed model.
    public var judgingRate: Double? {
        if let rate { return rate.value }
        guard let rps = rpsTarget?.threshold, rps.bound > 0 else { return nil }
        return rps.bound
    }
}

/// `endpoints: {within: 2x, metrics: [p95]}` in a scenario's targets: as the vendor writes
/// "normal: all metrics within targets", "high: p95 < 2x targets". Latency bounds are
/// multiplied by `factor`; an error-rate bound is kept as it is; rps targets never apply
/// (a scenario's throughput is set by its users and think time, not by the server).
public struct EndpointScaling: Sendable, Equatable {
    public var factor: Double
    /// The metrics judged; nil: every latency metric and the error rate.
    public var metrics: [TargetMetric]?
    public var location: SourceLocation

    public init(factor: Double, metrics: [TargetMetric]? = nil, location: SourceLocation) {
        self.factor = factor
        self.metrics = metrics
        self.location = location
    }
}
