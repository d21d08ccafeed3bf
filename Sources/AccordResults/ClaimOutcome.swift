/// One figure the vendor claims to have measured, beside ours: whether it held where it applies.
/// Claims are shown, not judged: a claim that did not hold says the vendor's description of
/// its own system is wrong on this machine, which is the reader's to weigh; only targets fail
/// a run.
public struct ClaimOutcome: Codable, Sendable, Equatable {
    /// The endpoint, or the scenario whose mix's capacity is claimed.
    public var subject: String
    /// `p50`, `p95`, `p99`, `sustained` or `peak`.
    public var metric: String
    /// Milliseconds for latencies, requests per second for capacities.
    public var claimed: Double
    public var measured: Double?
    /// Where it was measured: "one connection, one request at a time", "sustained capacity"…
    public var basis: String
    /// True: held; false: did not; nil: not measured (the reason in `note`).
    public var held: Bool?
    public var note: String?
    /// `file:line:col` of the claim.
    public var location: String

    public init(
        subject: String, metric: String, claimed: Double, measured: Double?, basis: String, held: Bool?, note: String? = nil, location: String
    ) {
        self.subject = subject
        self.metric = metric
        self.claimed = claimed
        self.measured = measured
        self.basis = basis
        self.held = held
        self.note = note
        self.location = location
    }

    public var isLatency: Bool { ["p50", "p95", "p99"].contains(metric) }
}
