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

    /// Adds an engine's closed second to what other engines published for it.
    func publish(_ sample: SecondSample) {
        seconds.withLock { all in
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
