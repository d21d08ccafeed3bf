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
/// within one request or one interval, whichever comes first. `/health` only reads the
/// snapshot: it answers in microseconds however many clients poll it.
public final class DependencyMonitor: Service, Sendable {
    private let state: Mutex<HealthSnapshot>
    private let store: any JobStore
    private let queue: any JobQueue
    private let interval: Duration
    private let logger: Logger

    public init(store: any JobStore, queue: any JobQueue, interval: Duration = .milliseconds(500), logger: Logger) {
        self.store = store
        self.queue = queue
        self.interval = interval
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
        async let database: Bool = (try? await store.ping()) != nil
        async let redis: Bool = (try? await queue.ping()) != nil
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
