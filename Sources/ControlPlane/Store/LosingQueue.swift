/// The `lost-enqueue` fault: a queue that acknowledges every enqueue and writes nothing.
final class LosingQueue: JobQueue {
    private let base: any JobQueue

    init(_ base: any JobQueue) {
        self.base = base
    }

    func enqueue(_ jobs: [Job]) async throws {}
    func snapshot() async throws -> QueueSnapshot { try await base.snapshot() }
    func workerCount() async throws -> Int { try await base.workerCount() }
    func ping() async throws { try await base.ping() }
    func close() async { await base.close() }
    var poolUsage: (open: Int, idle: Int, waiting: Int)? { base.poolUsage }
}
