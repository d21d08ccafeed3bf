import Synchronization

/// When a batch closes, and how many may be at work at once.
public struct BatchLimits: Sendable, Equatable {
    /// The most requests in one batch.
    public var maxSize: Int
    /// How long the first request of a batch may wait for company while a flush slot is free.
    /// Zero: a free slot takes whatever is waiting at once, so a lone request is never held
    /// back, and under load requests gather by themselves while earlier batches are at work.
    public var maxDelay: Duration
    /// Batches at work at once (each holds at most one connection at a time).
    public var maxInFlight: Int

    public init(maxSize: Int, maxDelay: Duration = .zero, maxInFlight: Int) {
        self.maxSize = max(1, maxSize)
        self.maxDelay = max(.zero, maxDelay)
        self.maxInFlight = max(1, maxInFlight)
    }
}

/// Gathers concurrent calls into batches, so that many requests share one statement, one
/// commit and one Redis pipeline (group commit).
///
/// A batch closes when it is full, when its first request has waited `maxDelay`, or — with
/// no delay — as soon as a flush slot is free. Every caller gets its own result, and only
/// after its batch's flush returned: a 201 is never answered before the commit. Nothing here
/// blocks a thread: callers suspend, and flushes run in tasks of their own.
///
/// The time a request waited for its batch to start, plus the batch's own database time,
/// is added to the request's `Server-Timing` as `db` (it waited on the database's work); the
/// batch's Redis time as `redis`.
final class Batcher<Input: Sendable, Output: Sendable>: Sendable {
    typealias Flush = @Sendable ([Input]) async -> [Result<Output, any Error>]

    private struct Waiter: Sendable {
        let input: Input
        let enqueued: ContinuousClock.Instant
        let scope: RequestScope?
        let continuation: CheckedContinuation<Output, any Error>
    }

    private struct State: ~Copyable {
        var waiting: [Waiter] = []
        var inFlight = 0
        var timerArmed = false
        /// Shutting down: deadlines no longer hold anything back.
        var draining = false
        var idle: [CheckedContinuation<Void, Never>] = []
    }

    /// What to do after the state changed, outside the lock.
    private struct Actions {
        var batches: [[Waiter]] = []
        var timer: Duration?
        var idle: [CheckedContinuation<Void, Never>] = []
    }

    let name: String
    let limits: BatchLimits
    private let flush: Flush
    private let metrics: ServerMetrics?
    private let state = Mutex(State())
    private let clock = ContinuousClock()

    init(name: String, limits: BatchLimits, metrics: ServerMetrics?, flush: @escaping Flush) {
        self.name = name
        self.limits = limits
        self.metrics = metrics
        self.flush = flush
    }

    /// Requests waiting for a batch, and batches at work.
    var usage: (waiting: Int, inFlight: Int) {
        state.withLock { ($0.waiting.count, $0.inFlight) }
    }

    /// Adds `input` to the next batch and returns its result once that batch was flushed.
    func submit(_ input: Input) async throws -> Output {
        let scope = RequestScope.current
        let enqueued = clock.now
        return try await withCheckedThrowingContinuation { continuation in
            let actions = state.withLock { state in
                state.waiting.append(Waiter(input: input, enqueued: enqueued, scope: scope, continuation: continuation))
                return next(&state)
            }
            perform(actions)
        }
    }

    /// Closes batches without waiting for deadlines from now on, and returns once every
    /// request submitted so far has its answer. Called at shutdown, before the pools close.
    func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let actions = state.withLock { state in
                state.draining = true
                state.idle.append(continuation)
                return next(&state)
            }
            perform(actions)
        }
    }

    /// Decides which batches start now (and whether a deadline must be watched).
    private func next(_ state: inout State) -> Actions {
        var actions = Actions()
        while !state.waiting.isEmpty && state.inFlight < limits.maxInFlight {
            let waited = clock.now - state.waiting[0].enqueued
            let ready = state.draining || state.waiting.count >= limits.maxSize || waited >= limits.maxDelay
            if !ready {
                if !state.timerArmed {
                    state.timerArmed = true
                    actions.timer = limits.maxDelay - waited
                }
                break
            }
            let count = min(limits.maxSize, state.waiting.count)
            actions.batches.append(Array(state.waiting.prefix(count)))
            state.waiting.removeFirst(count)
            state.inFlight += 1
        }
        if state.waiting.isEmpty && state.inFlight == 0 {
            actions.idle = state.idle
            state.idle = []
        }
        return actions
    }

    private func perform(_ actions: Actions) {
        for batch in actions.batches {
            Task.detached { await self.run(batch) }
        }
        if let delay = actions.timer {
            Task.detached {
                try? await Task.sleep(for: delay)
                let actions = self.state.withLock { state in
                    state.timerArmed = false
                    return self.next(&state)
                }
                self.perform(actions)
            }
        }
        for continuation in actions.idle { continuation.resume() }
    }

    private func run(_ batch: [Waiter]) async {
        let batchScope = RequestScope()
        let started = clock.now
        let results = await RequestScope.$current.withValue(batchScope) { await flush(batch.map(\.input)) }
        metrics?.recordBatch(name, size: batch.count)
        let database = batchScope.database
        let redis = batchScope.redis
        for (index, waiter) in batch.enumerated() {
            if let scope = waiter.scope {
                scope.add(started - waiter.enqueued + database, to: .database)
                scope.add(redis, to: .redis)
            }
            let result = index < results.count ? results[index] : .failure(BatchError.noResult(batch: name))
            waiter.continuation.resume(with: result)
        }
        let actions = state.withLock { state in
            state.inFlight -= 1
            return next(&state)
        }
        perform(actions)
    }
}

/// A flush returned fewer results than its batch had requests (a bug, never the client's).
enum BatchError: Error, CustomStringConvertible {
    case noResult(batch: String)

    var description: String {
        switch self {
        case let .noResult(batch): "the \(batch) batch returned no result for a request"
        }
    }
}
