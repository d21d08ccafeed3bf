/// One stage of a ramp, as in k6's `ramping-vus` and `ramping-arrival-rate`: over its duration
/// the target moves linearly from the previous stage's target to this one's. The target is an
/// arrival rate (requests per second) in the open model and a number of active users in the
/// closed model.
public struct Stage: Sendable, Equatable {
    public var durationNanoseconds: UInt64
    public var target: Double

    public init(durationNanoseconds: UInt64, target: Double) {
        self.durationNanoseconds = durationNanoseconds
        self.target = target
    }
}

/// A piecewise-linear target over time, starting from `start` and moving through `stages`;
/// after the last stage it holds the last target. Pure: the time is an argument, never read.
///
/// As an arrival rate it also answers "how many requests are due by time t" (the integral of
/// the rate) and its inverse "when is request n due", which is what the pacer needs.
public struct StageProfile: Sendable, Equatable {
    /// One linear piece, in seconds and per-second units.
    struct Segment: Sendable, Equatable {
        var start: Double
        var duration: Double
        var from: Double
        var to: Double
        /// Arrivals due before the segment starts.
        var before: Double

        var arrivals: Double { (from + to) / 2 * duration }

        func target(at offset: Double) -> Double { from + (to - from) * offset / duration }

        func cumulative(at offset: Double) -> Double { before + from * offset + (to - from) * offset * offset / (2 * duration) }
    }

    let segments: [Segment]
    public let start: Double
    /// The length of all stages together (ns).
    public let totalNanoseconds: UInt64

    /// nil when a target (or `start`) is negative or not finite.
    public init?(start: Double, stages: [Stage]) {
        guard start.isFinite, start >= 0, stages.allSatisfy({ $0.target.isFinite && $0.target >= 0 }) else { return nil }
        var segments: [Segment] = []
        var clock = 0.0
        var previous = start
        var before = 0.0
        var total: UInt64 = 0
        for stage in stages {
            let (sum, overflow) = total.addingReportingOverflow(stage.durationNanoseconds)
            guard !overflow else { return nil }
            total = sum
            // A stage of no duration jumps to its target.
            if stage.durationNanoseconds > 0 {
                let segment = Segment(start: clock, duration: Double(stage.durationNanoseconds) / 1e9, from: previous, to: stage.target, before: before)
                segments.append(segment)
                before += segment.arrivals
                clock += segment.duration
            }
            previous = stage.target
        }
        self.segments = segments
        self.start = start
        self.totalNanoseconds = total
        self.peak = max(start, stages.map(\.target).max() ?? start)
    }

    /// The highest target anywhere in the profile.
    public let peak: Double

    /// The target at `elapsed` ns from the start.
    public func target(at elapsed: UInt64) -> Double {
        let seconds = Double(elapsed) / 1e9
        guard let segment = segments.last(where: { $0.start <= seconds }) else { return start }
        return segment.target(at: min(seconds - segment.start, segment.duration))
    }

    /// Arrivals due by `elapsed` ns (the integral of the target as a rate); constant after the
    /// last stage, since the run ends there.
    public func cumulative(at elapsed: UInt64) -> Double {
        let seconds = Double(elapsed) / 1e9
        guard let segment = segments.last(where: { $0.start <= seconds }) else { return 0 }
        return segment.cumulative(at: min(seconds - segment.start, segment.duration))
    }

    /// The earliest time (ns) by which `count` arrivals are due, nil when the stages never get
    /// there.
    public func time(reaching count: Double) -> UInt64? {
        guard count > 0 else { return 0 }
        // The tolerance matches `Pacer.scheduled(by:)`: the last arrival of a stage is reached
        // at its end even when the float sum falls a hair short.
        for segment in segments where segment.before + segment.arrivals + 1e-9 >= count {
            // Solve before + from·t + (to − from)·t²/(2·duration) = count for t, in the form
            // that stays exact when the rate is constant (to == from) and never divides by 0.
            let missing = count - segment.before
            let slope = (segment.to - segment.from) / segment.duration
            let root = max(0, segment.from * segment.from + 2 * slope * missing).squareRoot()
            let denominator = segment.from + root
            let offset = denominator > 0 ? min(2 * missing / denominator, segment.duration) : segment.duration
            return UInt64(((segment.start + offset) * 1e9).rounded(.down))
        }
        return nil
    }
}
