import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The reference control-plane server: Hummingbird routes over a `JobService`, plus the
/// background relay and health monitor, all in one service group.
///
/// ```swift
/// let server = try await ControlPlaneServer.start(config: config, logger: logger)
/// try await server.run { port in print("listening on http://127.0.0.1:\(port)") }
/// ```
public final class ControlPlaneServer: Sendable {
    public let config: ServerConfig
    public let service: JobService
    public let relay: EnqueueRelay
    public let monitor: DependencyMonitor
    public let metrics = ServerMetrics()
    let logger: Logger

    let rateLimitStore: any RateLimitStore

    init(config: ServerConfig, store: any JobStore, queue: any JobQueue, logger: Logger) {
        self.rateLimitStore = (queue as? StreamQueue).map { RedisRateLimitStore(queue: $0) } ?? MemoryRateLimitStore()
        self.config = config
        self.logger = logger
        let queue: any JobQueue = config.contractBreaks.contains(.lostEnqueue) ? LosingQueue(queue) : queue
        self.monitor = DependencyMonitor(store: store, queue: queue, interval: config.backgroundInterval, logger: logger)
        self.relay = EnqueueRelay(store: store, queue: queue, interval: config.backgroundInterval, logger: logger, metrics: metrics)
        let service = JobService(
            store: store, queue: queue, monitor: monitor, logger: logger, contractBreaks: config.contractBreaks, createBatch: config.createBatch,
            readBatch: config.readBatch, metrics: metrics)
        self.service = service
        metrics.addGauges {
            var gauges: [ServerMetrics.Gauge] = []
            for batcher in service.batchUsage {
                gauges.append(("accord_batch_waiting", "batch=\"\(batcher.name)\"", Double(batcher.waiting)))
                gauges.append(("accord_batches_in_flight", "batch=\"\(batcher.name)\"", Double(batcher.inFlight)))
            }
            if let usage = queue.poolUsage {
                gauges.append(("accord_pool_connections", "pool=\"redis\",state=\"open\"", Double(usage.open)))
                gauges.append(("accord_pool_connections", "pool=\"redis\",state=\"idle\"", Double(usage.idle)))
                gauges.append(("accord_pool_waiters", "pool=\"redis\"", Double(usage.waiting)))
            }
            return gauges
        }
    }

    /// Connects the configured backend (applying migrations for PostgreSQL) and returns a
    /// server ready to `run`. Throws when PostgreSQL is unreachable or cannot be migrated;
    /// Redis may be down at start: jobs wait in PostgreSQL until it is back.
    public static func start(config: ServerConfig, logger: Logger) async throws -> ControlPlaneServer {
        switch config.store {
        case .memory:
            return ControlPlaneServer(config: config, store: MemoryJobStore(), queue: MemoryQueue(), logger: logger)
        case .postgres:
            let store = try await PostgresJobStore.connect(url: config.databaseURL, poolSize: config.databasePoolSize, logger: logger)
            do {
                let queue = try await StreamQueue.connect(url: config.redisURL, poolSize: config.redisPoolSize, logger: logger)
                return ControlPlaneServer(config: config, store: store, queue: queue, logger: logger)
            } catch {
                await store.close()
                throw error
            }
        }
    }

    /// The Hummingbird application: routes, error middleware, and the background services.
    func application(onListening: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router(context: ControlPlaneContext.self)
        router.add(middleware: ErrorMiddleware(logger: logger, metrics: metrics))
        router.add(middleware: MethodNotAllowedMiddleware())
        router.add(middleware: APIKeyMiddleware(keys: config.apiKeys.map { Array($0.utf8) }))
        if let limits = config.rateLimits {
            router.add(middleware: RateLimitMiddleware(limits: limits, store: rateLimitStore, logger: logger))
        }
        Routes(
            service: service, monitor: monitor, storeName: config.store.rawValue, contractBreaks: config.contractBreaks, metrics: metrics,
            bodyTimeout: config.httpLimits.bodyTimeout
        ).register(on: router)
        return Application(
            router: router,
            server: config.httpLimits.serverBuilder,
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil),
            services: [monitor, relay],
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// Serves until SIGINT or SIGTERM (or until the calling task is cancelled): then closes
    /// batches without waiting for their deadlines, stops accepting, finishes in-flight
    /// requests (those waiting in a batch included), lets the relay flush, and closes the pools.
    public func run(onListening: @escaping @Sendable (Int) async -> Void) async throws {
        await monitor.check()
        let app = application(onListening: onListening)
        // The batch drainer comes last, so a signal reaches it first: from then on batches
        // close at once, and the requests the HTTP server is still finishing are not held
        // back by a batch deadline.
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: app),
                    .init(service: BatchDrainer(service: service), successTerminationBehavior: .ignore),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await close()
            throw error
        }
        await close()
    }

    private func close() async {
        // Requests still in a batch get their answers before the connections go.
        await service.drain()
        await service.store.close()
        await service.queue.close()
    }
}

/// Waits for graceful shutdown, then makes every batch close at once (see `Batcher.drain`).
struct BatchDrainer: Service {
    let service: JobService

    func run() async throws {
        // Cancelled instead (the caller gave up): the pools close after `drain` in `close`.
        guard (try? await gracefulShutdown()) != nil else { return }
        await service.drain()
    }
}
