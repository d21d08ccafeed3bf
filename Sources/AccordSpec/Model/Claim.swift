/// What the vendor says it measured (its "Baseline Metrics"), as opposed to what it promises
/// (targets): shown beside the targets and our measurements, each with whether it held.
///
/// ```yaml
/// claims:
///   create_job: {p50: ~25ms, p95: ~45ms, p99: ~80ms, sustained: 500, peak: 800}
///   mixed: {sustained: 1500, peak: 2500}    # a scenario: its mix's capacity
/// ```
///
/// A latency claim is a single-request figure: it holds when the percentile measured with one
/// connection, one request at a time, is at most the claim. A throughput claim holds when the
/// capacity measured (sustained or peak) is at least the claim.
public struct Claim: Sendable {
    public enum Metric: String, Sendable, CaseIterable {
        case p50, p95, p99, sustained, peak

        public var isLatency: Bool { self == .p50 || self == .p95 || self == .p99 }
    }

    /// An endpoint (latency and capacity claims) or a scenario (its mix's capacity).
    public var subject: Located<String>
    /// Milliseconds for latencies, requests per second for sustained and peak.
    public var figures: [(metric: Metric, value: Double, location: SourceLocation)]

    public init(subject: Located<String>, figures: [(metric: Metric, value: Double, location: SourceLocation)]) {
        self.subject = subject
        self.figures = figures
    }

    /// The latency figures, which need a one-connection phase to be measured.
    public var latencies: [(metric: Metric, value: Double, location: SourceLocation)] { figures.filter { $0.metric.isLatency } }
}
