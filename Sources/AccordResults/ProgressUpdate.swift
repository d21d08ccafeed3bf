/// Where a run is, for the one-line progress display: the phase, the time spent and left,
/// and the latest second's throughput, p99 and error count where a load is running.
///
/// ```
/// load create_job  12 s / 30 s, 18 s left  2410 req/s  p99 38.0 ms  0 errors
/// ```
public struct ProgressUpdate: Sendable, Equatable {
    /// `functional checks`, `load create_job`, `scenario stress`, `capacity get_job 4000 req/s`.
    public var phase: String
    public var elapsedSeconds: Double
    /// The phase's planned length, when known.
    public var totalSeconds: Double?
    public var rps: Double?
    /// Milliseconds.
    public var p99: Double?
    public var errors: Int?

    public init(phase: String, elapsedSeconds: Double, totalSeconds: Double? = nil, rps: Double? = nil, p99: Double? = nil, errors: Int? = nil) {
        self.phase = phase
        self.elapsedSeconds = elapsedSeconds
        self.totalSeconds = totalSeconds
        self.rps = rps
        self.p99 = p99
        self.errors = errors
    }
}
