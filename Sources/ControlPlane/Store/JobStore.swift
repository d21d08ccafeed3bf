/// What a store answers to an insert: the row was new, or a row with the same idempotency
/// key already existed (decided by the store atomically, never check-then-set).
public enum InsertOutcome: Sendable, Equatable {
    case inserted(Job)
    case existing(Job)
}

/// What a store answers to a cancel.
public enum CancelOutcome: Sendable, Equatable {
    case cancelled(Job)
    /// The job exists but is running, finished or already cancelled.
    case notCancellable(Job)
    case notFound
}

/// The durable record of jobs: the source of truth. PostgreSQL in production, memory for
/// unit tests and trying things out.
public protocol JobStore: Sendable {
    /// Commits `job` unless its idempotency key is taken; durable when this returns.
    func insert(_ job: Job) async throws -> InsertOutcome
    /// Commits many jobs at once (group commit), each unless its idempotency key is taken:
    /// one outcome per job, in order, every inserted one durable when this returns. A job the
    /// store refused on its own (a value the database rejects) fails alone; a failure of the
    /// store itself throws. The jobs' idempotency keys are distinct (the caller settles
    /// duplicates within a batch).
    func insert(_ jobs: [Job]) async throws -> [Result<InsertOutcome, DependencyError>]
    func job(id: String) async throws -> Job?
    /// The jobs with these ids that exist, by id: one lookup for many readers.
    func jobs(ids: [String]) async throws -> [String: Job]
    /// Moves a pending or queued job to `cancelled` (with `completed_at = at`).
    func cancel(id: String, at: Timestamp) async throws -> CancelOutcome
    /// Jobs per status, without scanning the jobs table.
    func countsByStatus() async throws -> [JobStatus: Int64]
    /// Up to `limit` jobs not yet written to their stream, oldest first.
    func unenqueued(limit: Int) async throws -> [Job]
    /// How many jobs are not yet written to their stream, counting at most `limit`.
    func unenqueuedCount(limit: Int) async throws -> Int
    /// Records that these jobs are in their streams: sets `enqueued_at`, and moves `pending`
    /// ones to `queued`.
    func markEnqueued(ids: [String], at: Timestamp) async throws
    /// Succeeds when the store can serve requests.
    func ping() async throws
    /// Releases connections; called once at shutdown.
    func close() async
    /// Connections open, idle and waited for (nil when the store has no pool).
    var poolUsage: (open: Int, idle: Int, waiting: Int)? { get }
}

extension JobStore {
    public var poolUsage: (open: Int, idle: Int, waiting: Int)? { nil }

    /// One insert after the other: for stores where a statement costs nothing.
    public func insert(_ jobs: [Job]) async throws -> [Result<InsertOutcome, DependencyError>] {
        var outcomes: [Result<InsertOutcome, DependencyError>] = []
        for job in jobs { outcomes.append(.success(try await insert(job))) }
        return outcomes
    }

    public func unenqueuedCount(limit: Int) async throws -> Int {
        try await unenqueued(limit: limit).count
    }

    public func jobs(ids: [String]) async throws -> [String: Job] {
        var found: [String: Job] = [:]
        for id in ids { found[id] = try await job(id: id) }
        return found
    }
}

/// Where jobs wait for workers: Redis Streams in production, memory otherwise.
public protocol JobQueue: Sendable {
    /// Writes each job to the stream of its priority, exactly once per job id however often
    /// it is called for the same job.
    func enqueue(_ jobs: [Job]) async throws
    func snapshot() async throws -> QueueSnapshot
    /// Consumers registered in the `workers` group across the priority streams.
    func workerCount() async throws -> Int
    func ping() async throws
    func close() async
    /// Connections open, idle and waited for (nil when the queue has no pool).
    var poolUsage: (open: Int, idle: Int, waiting: Int)? { get }
}

extension JobQueue {
    public var poolUsage: (open: Int, idle: Int, waiting: Int)? { nil }
}

/// A dependency the server needs, named as `/health` names it.
public enum Dependency: String, Sendable {
    case database, redis
}

/// A dependency failed: the request cannot be served now, through no fault of the client.
/// `reason` goes to the log only, never to a response body.
public struct DependencyError: Error, Sendable, CustomStringConvertible {
    public var dependency: Dependency
    public var reason: String

    public init(_ dependency: Dependency, _ reason: String) {
        self.dependency = dependency
        self.reason = reason
    }

    public var description: String { "\(dependency.rawValue): \(reason)" }
}
