import Synchronization

/// The seconds of a running load as its engines close them, for a live progress line: each
/// engine publishes every second it closes; engines on other threads add up. Read from any
/// thread while the load runs.
public final class LiveFeed: Sendable {
    private let seconds = Mutex([Int: SecondSample]())

    public init() {}

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
