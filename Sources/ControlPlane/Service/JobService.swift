import Logging

/// The control plane's behaviour, independent of HTTP: create (idempotent, durable, queued
/// exactly once), read, cancel, and the statistics. Routes translate to and from it.
///
/// Concurrent creates are committed together (`GroupCommit`), concurrent reads share one
/// query, and concurrent stats requests share one fetch that started after they arrived: no
/// answer is older than its request.
public final class JobService: Sendable {
    /// What a create request comes to.
    public enum CreateResult: Sendable, Equatable {
        /// A new job, committed (and, when Redis is up, already in its stream).
        case created(Job)
        /// The idempotency key named an existing job with the same parameters.
        case replayed(Job)
        /// The idempotency key named an existing job with different parameters.
        case conflict(Job)
    }

    /// The queue statistics: Redis's side and the jobs per status.
    public typealias Stats = (queue: QueueSnapshot, counts: [JobStatus: Int64])

    public let store: any JobStore
    public let queue: any JobQueue
    let monitor: DependencyMonitor
    let logger: Logger
    let contractBreaks: Set<ContractBreak>
    let creates: Batcher<Job, InsertOutcome>
    let reads: Batcher<String, Job?>
    let statsReads: Batcher<Void, Stats>

    public init(
        store: any JobStore, queue: any JobQueue, monitor: DependencyMonitor, logger: Logger, contractBreaks: Set<ContractBreak> = [],
        createBatch: BatchLimits = ServerConfig.defaultCreateBatch, readBatch: BatchLimits = ServerConfig.defaultReadBatch,
        metrics: ServerMetrics? = nil
    ) {
        self.store = store
        self.queue = queue
        self.monitor = monitor
        self.logger = logger
        self.contractBreaks = contractBreaks
        let commit = GroupCommit(store: store, queue: queue, monitor: monitor, logger: logger)
        self.creates = Batcher(name: "create", limits: createBatch, metrics: metrics) { jobs in await commit.commit(jobs) }
        self.reads = Batcher(name: "read", limits: readBatch, metrics: metrics) { ids in
            do {
                let found = try await monitor.observe(.database) { try await store.jobs(ids: Array(Set(ids))) }
                return ids.map { .success(found[$0]) }
            } catch {
                return ids.map { _ in .failure(error) }
            }
        }
        // One fetch at a time: every request waiting when it starts shares it.
        self.statsReads = Batcher(name: "stats", limits: BatchLimits(maxSize: 100_000, maxInFlight: 1), metrics: metrics) { requests in
            do {
                async let counts = monitor.observe(.database) { try await store.countsByStatus() }
                async let snapshot = monitor.observe(.redis) { try await queue.snapshot() }
                let stats: Stats = (try await snapshot, try await counts)
                return requests.map { _ in .success(stats) }
            } catch {
                return requests.map { _ in .failure(error) }
            }
        }
    }

    /// Commits the job (with whatever other creates arrive at the same moment), then tries to
    /// enqueue it at once. A failed enqueue is not the client's problem: the row is the
    /// source of truth and the relay enqueues it later.
    public func create(_ request: JobRequest) async throws -> CreateResult {
        var request = request
        if contractBreaks.contains(.duplicateJobs) { request.idempotencyKey = nil }
        if contractBreaks.contains(.acceptBadPriority) { request.priority = min(request.priority, 3) }
        let job = Job(id: JobID.random(), request: request, createdAt: .now())
        switch try await creates.submit(job) {
        case let .existing(existing):
            return existing.isSameRequest(as: request) ? .replayed(existing) : .conflict(existing)
        case let .inserted(inserted):
            return .created(inserted)
        }
    }

    public func job(id: String) async throws -> Job? {
        try await reads.submit(id)
    }

    public func cancel(id: String) async throws -> CancelOutcome {
        try await monitor.observe(.database) { try await self.store.cancel(id: id, at: .now()) }
    }

    /// The queue statistics: two cheap reads, never a scan of the jobs table.
    public func stats() async throws -> Stats {
        try await statsReads.submit(())
    }

    /// Answers every request already waiting for a batch; called at shutdown before the
    /// connections close, so no batch is lost.
    public func drain() async {
        await creates.drain()
        await reads.drain()
        await statsReads.drain()
    }

    /// Requests waiting for a batch and batches at work, per batcher (for `/metrics`).
    var batchUsage: [(name: String, waiting: Int, inFlight: Int)] {
        let usages = [(creates.name, creates.usage), (reads.name, reads.usage), (statsReads.name, statsReads.usage)]
        return usages.map { name, usage in (name, usage.waiting, usage.inFlight) }
    }
}
