import Logging

/// The control plane's behaviour, independent of HTTP: create (idempotent, durable, queued
/// exactly once), read, cancel, and the statistics. Routes translate to and from it.
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

    public let store: any JobStore
    public let queue: any JobQueue
    let monitor: DependencyMonitor
    let logger: Logger
    let faults: Set<InjectedFault>

    public init(store: any JobStore, queue: any JobQueue, monitor: DependencyMonitor, logger: Logger, faults: Set<InjectedFault> = []) {
        self.store = store
        self.queue = queue
        self.monitor = monitor
        self.logger = logger
        self.faults = faults
    }

    /// Commits the job, then tries to enqueue it at once. A failed enqueue is not the
    /// client's problem: the row is the source of truth and the relay enqueues it later.
    public func create(_ request: JobRequest) async throws -> CreateResult {
        var request = request
        if faults.contains(.duplicateJobs) { request.idempotencyKey = nil }
        if faults.contains(.acceptBadPriority) { request.priority = min(request.priority, 3) }
        let job = Job(id: JobID.random(), request: request, createdAt: .now())
        let outcome = try await monitor.observe(.database) { try await self.store.insert(job) }
        switch outcome {
        case let .existing(existing):
            return existing.isSameRequest(as: request) ? .replayed(existing) : .conflict(existing)
        case let .inserted(inserted):
            await enqueueNow(inserted)
            return .created(inserted)
        }
    }

    private func enqueueNow(_ job: Job) async {
        do {
            try await monitor.observe(.redis) { try await self.queue.enqueue([job]) }
        } catch {
            logger.warning("enqueue deferred to the relay", metadata: ["job_id": "\(job.id)", "error": "\(error)"])
            return
        }
        do {
            try await monitor.observe(.database) { try await self.store.markEnqueued(ids: [job.id], at: .now()) }
        } catch {
            // The job is in its stream; the relay will find the row unmarked and re-offer it,
            // and the queue's exactly-once marker turns that into a no-op.
            logger.warning("could not mark job enqueued", metadata: ["job_id": "\(job.id)", "error": "\(error)"])
        }
    }

    public func job(id: String) async throws -> Job? {
        try await monitor.observe(.database) { try await self.store.job(id: id) }
    }

    public func cancel(id: String) async throws -> CancelOutcome {
        try await monitor.observe(.database) { try await self.store.cancel(id: id, at: .now()) }
    }

    /// The queue statistics: two cheap reads, never a scan of the jobs table.
    public func stats() async throws -> (queue: QueueSnapshot, counts: [JobStatus: Int64]) {
        async let counts = monitor.observe(.database) { try await self.store.countsByStatus() }
        async let snapshot = monitor.observe(.redis) { try await self.queue.snapshot() }
        return (try await snapshot, try await counts)
    }
}
