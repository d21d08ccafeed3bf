import Synchronization

/// The whole contract in one process, with nothing installed: for unit tests and for trying
/// the server. Never what a conformance verdict is measured on.
public final class MemoryJobStore: JobStore {
    private struct State: ~Copyable {
        var jobs: [String: Job] = [:]
        var byIdempotencyKey: [String: String] = [:]
        var counts: [JobStatus: Int64] = [:]
        var unenqueued: [String] = []
    }

    private let state = Mutex(State())

    public init() {}

    public func insert(_ job: Job) async throws -> InsertOutcome {
        state.withLock { state in
            if let key = job.request.idempotencyKey, let existingID = state.byIdempotencyKey[key], let existing = state.jobs[existingID] {
                return .existing(existing)
            }
            state.jobs[job.id] = job
            if let key = job.request.idempotencyKey { state.byIdempotencyKey[key] = job.id }
            state.counts[job.status, default: 0] += 1
            if job.enqueuedAt == nil { state.unenqueued.append(job.id) }
            return .inserted(job)
        }
    }

    public func job(id: String) async throws -> Job? {
        state.withLock { $0.jobs[id] }
    }

    public func cancel(id: String, at time: Timestamp) async throws -> CancelOutcome {
        state.withLock { state in
            guard var job = state.jobs[id] else { return .notFound }
            guard job.status.isCancellable else { return .notCancellable(job) }
            state.counts[job.status, default: 0] -= 1
            job.status = .cancelled
            job.completedAt = time
            state.counts[.cancelled, default: 0] += 1
            state.jobs[id] = job
            return .cancelled(job)
        }
    }

    public func countsByStatus() async throws -> [JobStatus: Int64] {
        state.withLock { $0.counts.filter { $0.value != 0 } }
    }

    public func unenqueued(limit: Int) async throws -> [Job] {
        state.withLock { state in
            state.unenqueued.prefix(limit).compactMap { state.jobs[$0] }.filter { $0.status == .pending }
        }
    }

    public func markEnqueued(ids: [String], at time: Timestamp) async throws {
        state.withLock { state in
            let marked = Set(ids)
            for id in ids {
                guard var job = state.jobs[id], job.enqueuedAt == nil else { continue }
                job.enqueuedAt = time
                if job.status == .pending {
                    state.counts[.pending, default: 0] -= 1
                    state.counts[.queued, default: 0] += 1
                    job.status = .queued
                }
                state.jobs[id] = job
            }
            state.unenqueued.removeAll { marked.contains($0) }
        }
    }

    public func ping() async throws {}

    public func close() async {}
}

/// The queue side of the memory backend: per-priority stream lengths, exactly once per job.
public final class MemoryQueue: JobQueue {
    private struct State: ~Copyable {
        var enqueued: Set<String> = []
        var lengths = [Int64](repeating: 0, count: QueueKeys.priorityNames.count)
    }

    private let state = Mutex(State())

    public init() {}

    public func enqueue(_ jobs: [Job]) async throws {
        state.withLock { state in
            for job in jobs where state.enqueued.insert(job.id).inserted {
                let priority = min(max(job.request.priority, 0), state.lengths.count - 1)
                state.lengths[priority] += 1
            }
        }
    }

    /// How many times `id` is in a stream: 0 or 1.
    public func entries(for id: String) -> Int {
        state.withLock { $0.enqueued.contains(id) ? 1 : 0 }
    }

    public func snapshot() async throws -> QueueSnapshot {
        state.withLock { state in
            QueueSnapshot(streams: state.lengths.map { .init(length: $0, pending: 0) }, deadLetters: 0, delayed: 0)
        }
    }

    public func workerCount() async throws -> Int { 0 }

    public func ping() async throws {}

    public func close() async {}
}
