import Logging

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
    /// API keys: when any is set, every route but `/health` and `/` needs one in `X-API-Key`.
    public var apiKeys: [String] = []
    /// Rate limits per client and route class; nil: no rate limiting (the default).
    public var rateLimits: RateLimits?
    /// Contract violations to commit on purpose (see `InjectedFault`); empty in normal use.
    public var faults: Set<InjectedFault> = []

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
