import Synchronization

/// The seconds of a running load as its engines close them, for a live progress line: each
/// engine publishes every second it closes; engines on other threads add up. Read from any
/// thread while the load runs. Also the way to stop a running load early.
public final class LiveFeed: Sendable {
    private let seconds = Mutex([Int: SecondSample]())
    private let stopFlag = Atomic<Bool>(false)

    public init() {}

    /// Asks the engines to stop sending now (an interrupted run); answers in flight drain.
    public func stop() { stopFlag.store(true, ordering: .relaxed) }

    var stopped: Bool { stopFlag.load(ordering: .relaxed) }

    /// How many recent seconds are kept: enough for every engine to have closed the one shown.
    static let kept = 8

    /// Adds an engine's closed second to what other engines published for it. Only the last
    /// few seconds are kept, without their histograms: the feed stays small however long the
    /// load runs.
    func publish(_ sample: SecondSample) {
        var sample = sample
        sample.latency = ""
        seconds.withLock { all in
            if let newest = all.keys.max(), sample.second > newest {
                for second in all.keys where second <= sample.second - Self.kept { all[second] = nil }
            }
            if var known = all[sample.second] {
                known.requests += sample.requests
                known.errors += sample.errors
                // Percentiles do not add: the worse of the engines', as LoadRecorder merges.
                known.p50 = max(known.p50, sample.p50)
                known.p99 = max(known.p99, sample.p99)
                all[sample.second] = known
            } else {
                all[sample.second] = sample
            }
        }
    }

    /// The latest second every engine is likely done with: the one before the newest seen.
    public func lastSecond() -> SecondSample? {
        seconds.withLock { all in
            guard let newest = all.keys.max() else { return nil }
            return all[newest - 1] ?? (all.count == 1 ? nil : all[newest])
        }
    }
}
