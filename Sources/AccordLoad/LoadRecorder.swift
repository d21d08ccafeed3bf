import AccordResults
import Histogram

/// Why a load request did not count as a success.
public enum LoadErrorKind: String, Sendable, CaseIterable, Codable {
    case connect, timeout, status, transfer
}

/// One second of a run: completions, errors, latency percentiles (µs, corrected) and the
/// second's whole latency histogram in HdrHistogram's compressed encoding (a few hundred
/// bytes), so seconds of several engines or shards add up exactly.
public struct SecondSample: Sendable, Equatable {
    /// A second as a document keeps it, to merge (``LoadRecorder/init(corrected:uncorrected:phases:completed:errors:seconds:)``).
    public init(second: Int, requests: Int, errors: Int, p50: UInt64, p99: UInt64, latency: String) {
        self.second = second
        self.requests = requests
        self.errors = errors
        self.p50 = p50
        self.p99 = p99
        self.latency = latency
    }

    public var second: Int
    public var requests: Int
    public var errors: Int
    public var p50: UInt64
    public var p99: UInt64
    /// `HistogramEncoding` text; empty for a second without a successful answer.
    public var latency: String
}

/// Everything measured while loading, in constant memory however long the run: HDR
/// histograms of latency in microseconds (corrected from the intended send time, and
/// uncorrected from the actual one), a per-second series kept as numbers and one compressed
/// histogram per second, and errors by kind.
public struct LoadRecorder: Sendable {
    /// Latency from the intended send time: what a user arriving on schedule waited.
    public private(set) var corrected: Histogram<UInt64>
    /// Latency from the moment the request was actually sent.
    public private(set) var uncorrected: Histogram<UInt64>
    public private(set) var errors: [LoadErrorKind: Int] = [:]
    public private(set) var completed = 0
    public private(set) var seconds: [SecondSample] = []
    /// The server's own account of its time (`Server-Timing` phases such as db, redis, app), in
    /// microseconds by phase name; empty unless the plan asks for it.
    public private(set) var phases: [String: Histogram<UInt64>] = [:]
    private var current: Histogram<UInt64>
    /// Whether the per-second series is kept; recorders whose series nobody reads (one per
    /// request of a plan, which may hold hundreds of pooled requests) keep totals and
    /// histograms only, so a long run's memory does not grow with them.
    public let keepsSeries: Bool
    private var currentSecond = 0
    private var currentRequests = 0
    private var currentErrors = 0

    public init(keepsSeries: Bool = true) {
        self.keepsSeries = keepsSeries
        corrected = LoadRecorder.makeHistogram()
        uncorrected = LoadRecorder.makeHistogram()
        current = LoadRecorder.makeHistogram()
    }

    /// 1 µs to 10 min at three significant digits (grows if ever exceeded).
    static func makeHistogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        return histogram
    }

    /// A recorder rebuilt from what a results document keeps of one (a shard's phase): the
    /// histograms' recorded values (µs), the failures by kind, what completed, and the series
    /// — `accord merge` adds such recorders with ``merge(_:)``, the addition the engines of
    /// one run use, so shards add up exactly as threads do.
    public init(
        corrected: [[UInt64]], uncorrected: [[UInt64]], phases: [String: [[UInt64]]], completed: Int, errors: [LoadErrorKind: Int],
        seconds: [SecondSample]
    ) {
        self.init(keepsSeries: true)
        func fill(_ histogram: inout Histogram<UInt64>, _ pairs: [[UInt64]]) {
            for pair in pairs where pair.count == 2 && pair[1] > 0 { _ = histogram.record(max(1, pair[0]), count: pair[1]) }
        }
        fill(&self.corrected, corrected)
        fill(&self.uncorrected, uncorrected)
        for (name, pairs) in phases { fill(&self.phases[name, default: LoadRecorder.makeHistogram()], pairs) }
        self.completed = completed
        self.errors = errors
        self.seconds = seconds
        currentSecond = seconds.count
    }

    /// Records one finished request, `second` being the second of the run it finished in.
    /// Latency is recorded for successes only: a refused connection answers in microseconds
    /// and a timeout in seconds, and neither says how fast the server serves; failures are
    /// counted by kind instead.
    public mutating func record(correctedMicroseconds: UInt64, uncorrectedMicroseconds: UInt64, error: LoadErrorKind?, second: Int) {
        roll(to: second)
        completed += 1
        currentRequests += 1
        if let error {
            errors[error, default: 0] += 1
            currentErrors += 1
            return
        }
        _ = corrected.record(max(1, correctedMicroseconds))
        _ = uncorrected.record(max(1, uncorrectedMicroseconds))
        if keepsSeries { _ = current.record(max(1, correctedMicroseconds)) }
    }

    /// Requests answered as expected.
    public var succeeded: Int { completed - errorCount }

    /// Records one `Server-Timing` phase of one answer.
    public mutating func recordPhase(_ name: String, microseconds: UInt64) {
        _ = phases[name, default: LoadRecorder.makeHistogram()].record(max(1, microseconds))
    }

    /// Closes seconds up to (not including) `second`.
    public mutating func roll(to second: Int) {
        while currentSecond < second {
            if keepsSeries {
                seconds.append(Self.sample(second: currentSecond, requests: currentRequests, errors: currentErrors, latency: current))
            }
            current.reset()
            currentRequests = 0
            currentErrors = 0
            // Without a series a second closes without a trace (its samples are in the totals):
            // the whole gap at once.
            currentSecond = keepsSeries ? currentSecond + 1 : second
        }
    }

    public var errorCount: Int { errors.values.reduce(0, +) }

    /// Adds another engine's measurements (same run, other thread): histograms add, the
    /// series add second by second.
    public mutating func merge(_ other: LoadRecorder) {
        corrected.add(other.corrected)
        uncorrected.add(other.uncorrected)
        completed += other.completed
        for (kind, count) in other.errors { errors[kind, default: 0] += count }
        for (name, histogram) in other.phases { phases[name, default: LoadRecorder.makeHistogram()].add(histogram) }
        guard keepsSeries else { return }
        var merged: [SecondSample] = []
        for index in 0..<max(seconds.count, other.seconds.count) {
            let a = index < seconds.count ? seconds[index] : nil
            let b = index < other.seconds.count ? other.seconds[index] : nil
            // Percentiles do not add; histograms do: the merged second's percentiles are those
            // of every sample of both engines.
            var histogram = Self.makeHistogram()
            for text in [a?.latency, b?.latency] { if let text { Self.add(text, to: &histogram) } }
            merged.append(
                Self.sample(
                    second: index, requests: (a?.requests ?? 0) + (b?.requests ?? 0), errors: (a?.errors ?? 0) + (b?.errors ?? 0),
                    latency: histogram))
        }
        seconds = merged
    }

    /// One second: its counts, and p50, p99 and the encoded histogram of its latencies.
    static func sample(second: Int, requests: Int, errors: Int, latency: Histogram<UInt64>) -> SecondSample {
        SecondSample(
            second: second, requests: requests, errors: errors,
            p50: latency.totalCount > 0 ? latency.valueAtPercentile(50) : 0,
            p99: latency.totalCount > 0 ? latency.valueAtPercentile(99) : 0,
            latency: encoded(latency))
    }

    /// A histogram as `HistogramEncoding` text; empty when nothing was recorded.
    static func encoded(_ histogram: Histogram<UInt64>) -> String {
        guard histogram.totalCount > 0 else { return "" }
        let counts = histogram.recordedValues().map { (value: $0.value, count: UInt64($0.count)) }
        return HistogramEncoding.encode(counts, highestTrackableValue: histogram.highestTrackableValue)
    }

    /// Adds what an encoded histogram holds (nothing for an empty or unreadable text).
    static func add(_ text: String, to histogram: inout Histogram<UInt64>) {
        guard !text.isEmpty, let decoded = try? HistogramEncoding.decode(text) else { return }
        for (value, count) in decoded.counts { _ = histogram.record(value, count: count) }
    }
}
