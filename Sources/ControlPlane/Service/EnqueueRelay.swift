import Logging
import ServiceLifecycle

/// Enqueues every committed job that is not in its stream yet: the half of "a 201 means
/// durable" that covers Redis being down (or the process dying) between the commit and the
/// XADD. The queue's exactly-once marker makes a retry of an already-enqueued job a no-op, so
/// the relay may offer a job again without ever duplicating it.
public final class EnqueueRelay: Service, Sendable {
    private let store: any JobStore
    private let queue: any JobQueue
    private let interval: Duration
    private let batchSize: Int
    private let logger: Logger
    let metrics: ServerMetrics?

    public init(
        store: any JobStore, queue: any JobQueue, interval: Duration = .milliseconds(500), batchSize: Int = 500, logger: Logger,
        metrics: ServerMetrics? = nil
    ) {
        self.metrics = metrics
        self.store = store
        self.queue = queue
        self.interval = interval
        self.batchSize = batchSize
        self.logger = logger
    }

    /// Enqueues waiting jobs until none is left or a dependency fails; returns how many.
    @discardableResult
    public func drain() async -> Int {
        var total = 0
        while true {
            do {
                let batch = try await store.unenqueued(limit: batchSize)
                if batch.isEmpty { return total }
                try await queue.enqueue(batch)
                try await store.markEnqueued(ids: batch.map(\.id), at: .now())
                total += batch.count
                metrics?.recordRelayed(batch.count)
                logger.info("relay enqueued jobs", metadata: ["count": "\(batch.count)"])
                if batch.count < batchSize { return total }
            } catch {
                logger.debug("relay paused", metadata: ["error": "\(error)"])
                return total
            }
        }
    }

    /// The most jobs the backlog gauge counts (the count is a bounded index scan).
    static let backlogCountLimit = 100_000

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await drain()
            if let metrics, let backlog = try? await store.unenqueuedCount(limit: Self.backlogCountLimit) {
                metrics.recordRelayBacklog(backlog)
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
        // Last pass after the HTTP server stopped: whatever was committed in its final
        // moments goes out now rather than at the next start.
        await drain()
    }
}
