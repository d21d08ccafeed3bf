import AccordTestSupport
import ControlPlane
import Synchronization
import Testing

/// `/health`'s view of its dependencies: a dependency that does not answer its ping in time
/// is down at once, not when the client's own timeout finally gives up.
struct DependencyMonitorTests {
    /// A queue whose ping answers only after `delay` (a paused Redis), counting the pings.
    final class SlowPingQueue: JobQueue {
        let base = MemoryQueue()
        let delay: Duration
        let pings = Atomic<Int>(0)

        init(delay: Duration) { self.delay = delay }

        func enqueue(_ jobs: [Job]) async throws { try await base.enqueue(jobs) }
        func snapshot() async throws -> QueueSnapshot { try await base.snapshot() }
        func workerCount() async throws -> Int { try await base.workerCount() }
        func ping() async throws {
            pings.add(1, ordering: .relaxed)
            try await Task.sleep(for: delay)
        }
        func close() async { await base.close() }
    }

    @Test func aPingThatDoesNotAnswerInTimeMarksItsDependencyDown() async {
        let queue = SlowPingQueue(delay: .seconds(3))
        let monitor = DependencyMonitor(store: MemoryJobStore(), queue: queue, pingLimit: .milliseconds(100), logger: testLogger)
        await monitor.check()
        #expect(monitor.snapshot.redis == false)
        #expect(monitor.snapshot.database == true)
        #expect(!monitor.snapshot.isHealthy)
        // While that ping is still out, the next check counts Redis down without a second ping.
        await monitor.check()
        #expect(monitor.snapshot.redis == false)
        #expect(queue.pings.load(ordering: .relaxed) == 1)
    }

    @Test func aPingThatAnswersWithinTheLimitKeepsItsDependencyUp() async {
        let queue = SlowPingQueue(delay: .milliseconds(10))
        let monitor = DependencyMonitor(store: MemoryJobStore(), queue: queue, pingLimit: .seconds(5), logger: testLogger)
        await monitor.check()
        await monitor.check()
        #expect(monitor.snapshot.isHealthy)
        // Each check pinged once: the first ping was back before the second check.
        #expect(queue.pings.load(ordering: .relaxed) == 2)
    }
}
