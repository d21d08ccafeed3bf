import Logging
import NIOCore

/// Everything `accord serve` can be told; every field also has an environment variable.
public struct ServerConfig: Sendable {
    /// Which backend holds the jobs.
    public enum StoreKind: String, Sendable, CaseIterable {
        /// PostgreSQL rows and Redis Streams: the real thing.
        case postgres
        /// One process, nothing installed: for unit tests and trying the API.
        case memory
    }

    public var host: String
    /// 0 picks a free port; the chosen one is announced on standard output.
    public var port: Int
    public var store: StoreKind
    public var databaseURL: String
    public var redisURL: String
    public var logLevel: Logger.Level
    /// Connections to PostgreSQL (and threads running them).
    public var databasePoolSize: Int
    /// Connections to Redis (and threads running them).
    public var redisPoolSize: Int
    /// How often the relay looks for jobs that are committed but not yet in their stream,
    /// and how often the health monitor pings the dependencies.
    public var backgroundInterval: Duration
    /// API keys: when any is set, every route but `/health`, `/` and `/openapi.json` needs one in `X-API-Key`.
    public var apiKeys: [String] = []
    /// Rate limits per client and route class; nil: no rate limiting (the default).
    public var rateLimits: RateLimits?
    /// Contract violations to commit on purpose (see `ContractBreak`); empty in normal use.
    public var contractBreaks: Set<ContractBreak> = []
    /// Header limits and timeouts for slow or stalled clients (see `HTTPLimits`).
    public var httpLimits = HTTPLimits()
    /// Group commit: how many creates share one commit, how long a batch may wait for
    /// company, how many batches commit at once.
    public var createBatch: BatchLimits = ServerConfig.defaultCreateBatch
    /// Batched reads of job status: one `WHERE id = ANY($1)` for the lookups waiting together.
    public var readBatch: BatchLimits = ServerConfig.defaultReadBatch

    /// Up to 256 creates per batch, no deadline (a free slot takes what waits), one batch at
    /// work: while it waits for its commit to reach the disk, the next one gathers. On two
    /// cores, fewer and larger batches beat two half-size ones in flight (less work per job
    /// for PostgreSQL and the server; see docs/benchmarks.md).
    public static let defaultCreateBatch = BatchLimits(maxSize: 256, maxDelay: .zero, maxInFlight: 1)
    /// Up to 256 lookups per query, one query per core at work.
    public static let defaultReadBatch = BatchLimits(maxSize: 256, maxDelay: .zero, maxInFlight: max(2, System.coreCount))

    public init(
        host: String = "127.0.0.1", port: Int = 8080, store: StoreKind = .postgres,
        databaseURL: String = "postgresql://postgres@127.0.0.1:5432/postgres", redisURL: String = "redis://127.0.0.1:6379",
        logLevel: Logger.Level = .info, databasePoolSize: Int = 8, redisPoolSize: Int = 8,
        backgroundInterval: Duration = .milliseconds(500)
    ) {
        self.host = host
        self.port = port
        self.store = store
        self.databaseURL = databaseURL
        self.redisURL = redisURL
        self.logLevel = logLevel
        self.databasePoolSize = databasePoolSize
        self.redisPoolSize = redisPoolSize
        self.backgroundInterval = backgroundInterval
    }
}
