import AccordLoad
import AccordResults

/// While a load phase runs, tells the reporter twice a second how far it is and, from the
/// engines' live feed, the last full second's throughput, p99 and errors.
enum LiveTicker {
    static func around<T: Sendable>(
        phase: String, totalSeconds: Double, reporter: ConformanceRun.Reporter, feed: LiveFeed,
        _ body: @Sendable () async -> T
    ) async -> T {
        let start = ContinuousClock.now
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                let seconds = (ContinuousClock.now - start).seconds
                let last = feed.lastSecond()
                reporter.live(ProgressUpdate(
                    phase: phase, elapsedSeconds: min(seconds, totalSeconds), totalSeconds: totalSeconds,
                    rps: last.map { Double($0.requests) }, p99: last.map { Double($0.p99) / 1000 }, errors: last?.errors))
            }
        }
        // Cancelled (Ctrl-C): the engines stop sending, so the phase ends within its drain.
        let value = await withTaskCancellationHandler { await body() } onCancel: { feed.stop() }
        ticker.cancel()
        // No live line after the phase ended.
        await ticker.value
        return value
    }
}
