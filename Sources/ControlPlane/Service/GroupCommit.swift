import Logging

/// What one batch of creates does: settle duplicate idempotency keys within the batch,
/// commit the rest in one statement, enqueue the new jobs in one Redis pipeline, and mark
/// them enqueued in one update. Every answer waits for the commit.
struct GroupCommit: Sendable {
    let store: any JobStore
    let queue: any JobQueue
    let monitor: DependencyMonitor
    let logger: Logger

    func commit(_ jobs: [Job]) async -> [Result<InsertOutcome, any Error>] {
        // Of several jobs with one key in this batch only the first goes to the store; the
        // others are answered with the job it settled on (new or existing), as if they had
        // come right after it: PostgreSQL still decides, once.
        var firstWithKey: [String: Int] = [:]
        var distinct: [Job] = []
        var slots: [Int] = []  // per job, its index in `distinct`
        for job in jobs {
            if let key = job.request.idempotencyKey, let first = firstWithKey[key] {
                slots.append(first)
                continue
            }
            if let key = job.request.idempotencyKey { firstWithKey[key] = distinct.count }
            slots.append(distinct.count)
            distinct.append(job)
        }
        let outcomes: [Result<InsertOutcome, DependencyError>]
        do {
            let batch = distinct
            outcomes = try await monitor.observe(.database) { try await store.insert(batch) }
            guard outcomes.count == distinct.count else { throw BatchError.noResult(batch: "create") }
        } catch {
            return jobs.map { _ in .failure(error) }
        }
        let inserted = outcomes.compactMap { outcome -> Job? in
            if case let .success(.inserted(job)) = outcome { return job }
            return nil
        }
        await enqueueNow(inserted)
        var answered = Set<Int>()
        return slots.map { slot -> Result<InsertOutcome, any Error> in
            let outcome = outcomes[slot]
            if answered.insert(slot).inserted { return outcome.mapError { $0 } }
            switch outcome {
            case let .success(.inserted(job)), let .success(.existing(job)): return .success(.existing(job))
            case let .failure(error): return .failure(error)
            }
        }
    }

    /// Writes the new jobs to their streams and marks their rows. Failures are logged, not
    /// answered: the rows are committed, and the relay finishes what was left undone.
    private func enqueueNow(_ jobs: [Job]) async {
        guard !jobs.isEmpty else { return }
        do {
            try await monitor.observe(.redis) { try await queue.enqueue(jobs) }
        } catch {
            logger.warning("enqueue deferred to the relay", metadata: ["jobs": "\(jobs.count)", "error": "\(error)"])
            return
        }
        do {
            try await monitor.observe(.database) { try await store.markEnqueued(ids: jobs.map(\.id), at: .now()) }
        } catch {
            // The jobs are in their streams; the relay will find the rows unmarked and offer
            // them again, and the queue's exactly-once marker turns that into a no-op.
            logger.warning("could not mark jobs enqueued", metadata: ["jobs": "\(jobs.count)", "error": "\(error)"])
        }
    }
}
