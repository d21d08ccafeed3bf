import Logging
import ServiceLifecycle
import Synchronization

/// The health of PostgreSQL and Redis as `/health` reports it.
public struct HealthSnapshot: Sendable, Equatable {
    public var database: Bool
    public var redis: Bool
    /// Consumers in the `workers` group, as last seen.
    public var workers: Int

    public var isHealthy: Bool { database && redis }
}

/// Keeps `/health` cheap: a background loop pings both dependencies every `interval`, and
/// every request that touches one reports success or failure on the way, so an outage shows
/// within one request or one interval, whichever comes first. A dependency that does not
/// answer its ping within `pingLimit` counts as down at once (a paused Redis answers nothing
/// until the command timeout, seconds later). `/health` only reads the snapshot: it answers in
/// microseconds however many clients poll it.
public final class DependencyMonitor: Service, Sendable {
    private let state: Mutex<HealthSnapshot>
    private let store: any JobStore
    private let queue: any JobQueue
    private let interval: Duration
    private let pingLimit: Duration
    private let databasePing = BoundedPing()
    private let redisPing = BoundedPing()
    private let logger: Logger

    public init(
        store: any JobStore, queue: any JobQueue, interval: Duration = .milliseconds(500), pingLimit: Duration = .seconds(2), logger: Logger
    ) {
        self.store = store
        self.queue = queue
        self.interval = interval
        self.pingLimit = pingLimit
        self.logger = logger
        self.state = Mutex(HealthSnapshot(database: true, redis: true, workers: 0))
    }

    public var snapshot: HealthSnapshot { state.withLock { $0 } }

    /// Runs `operation` against `dependency`, records whether the dependency answered (a
    /// `DependencyError` marks it down, any other outcome up) and adds the time it took to
    /// the request's `Server-Timing`.
    func observe<T: Sendable>(_ dependency: Dependency, _ operation: @Sendable () async throws -> T) async throws -> T {
        let clock = ContinuousClock()
        let started = clock.now
        defer { RequestScope.current?.add(clock.now - started, to: dependency) }
        do {
            let value = try await operation()
            record(dependency, up: true)
            return value
        } catch let error as DependencyError {
            record(error.dependency, up: false)
            throw error
        }
    }

    func record(_ dependency: Dependency, up: Bool) {
        let changed = state.withLock { state -> Bool in
            switch dependency {
            case .database:
                defer { state.database = up }
                return state.database != up
            case .redis:
                defer { state.redis = up }
                return state.redis != up
            }
        }
        if changed {
            if up {
                logger.notice("dependency is back", metadata: ["dependency": "\(dependency.rawValue)"])
            } else {
                logger.error("dependency is unavailable", metadata: ["dependency": "\(dependency.rawValue)"])
            }
        }
    }

    /// Pings both dependencies once and records the result.
    public func check() async {
        let (store, queue) = (self.store, self.queue)
        async let database: Bool = databasePing.answers(within: pingLimit) { try await store.ping() }
        async let redis: Bool = redisPing.answers(within: pingLimit) { try await queue.ping() }
        let (databaseUp, redisUp) = await (database, redis)
        record(.database, up: databaseUp)
        record(.redis, up: redisUp)
        if redisUp, let workers = try? await queue.workerCount() {
            state.withLock { $0.workers = workers }
        }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await check()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }
}

/// One dependency's health ping, never waited on longer than a limit: a ping still out by
/// then counts as down, and no second ping goes out while the first is still waiting (a paused
/// Redis would otherwise collect one stuck ping, and one pooled connection, per check).
final class BoundedPing: Sendable {
    private let outstanding = Atomic<Bool>(false)

    /// True when `ping` succeeded within `limit`.
    func answers(within limit: Duration, _ ping: @escaping @Sendable () async throws -> Void) async -> Bool {
        guard outstanding.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return false
        }
        return await withCheckedContinuation { continuation in
            let answer = FirstAnswer(continuation)
            let timer = Task {
                try await Task.sleep(for: limit)
                answer.give(false)
            }
            Task {
                let up = (try? await ping()) != nil
                self.outstanding.store(false, ordering: .releasing)
                timer.cancel()
                answer.give(up)
            }
        }
    }
}

/// Resumes a continuation with the first value given; later ones are dropped.
private final class FirstAnswer: Sendable {
    private let continuation: Mutex<CheckedContinuation<Bool, Never>?>

    init(_ continuation: CheckedContinuation<Bool, Never>) {
        self.continuation = Mutex(continuation)
    }

    func give(_ value: Bool) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
