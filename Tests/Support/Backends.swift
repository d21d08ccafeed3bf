import AccordStorage
import AccordEnvironment
import ControlPlane

/// Real PostgreSQL and Redis started for one test, with probes that read them directly
/// (libpq and hiredis, bypassing the server), always stopped at the end.
public struct Backends {
    public let postgres: ThrowawayPostgres
    public let redis: ThrowawayRedis

    public init(postgres: ThrowawayPostgres, redis: ThrowawayRedis) {
        self.postgres = postgres
        self.redis = redis
    }

    public static func with<T>(_ body: (Backends) async throws -> T) async throws -> T {
        let postgres = try await ThrowawayPostgres.start(logger: testLogger)
        let redis: ThrowawayRedis
        do {
            redis = try await ThrowawayRedis.start(logger: testLogger)
        } catch {
            await postgres.stop()
            throw error
        }
        let backends = Backends(postgres: postgres, redis: redis)
        do {
            let value = try await body(backends)
            await redis.stop()
            await postgres.stop()
            return value
        } catch {
            await redis.stop()
            await postgres.stop()
            throw error
        }
    }

    /// A server configuration on these backends, with fast background loops for tests.
    public var serverConfig: ServerConfig {
        ServerConfig(
            store: .postgres, databaseURL: postgres.url, redisURL: redis.url, databasePoolSize: 4, redisPoolSize: 4,
            backgroundInterval: .milliseconds(100))
    }

    /// Runs `sql` on a fresh connection and returns every row as text.
    public func rows(_ sql: String, _ params: [String?] = []) throws -> [[String?]] {
        let connection = try PGConnection(url: postgres.url)
        let result = try connection.execute(sql, params)
        return (0..<result.rowCount).map { row in (0..<result.columnCount).map { result.string(row: row, column: $0) } }
    }

    /// Sends one command to Redis on a fresh connection.
    public func redisCommand(_ arguments: String...) throws -> RedisReply {
        let connection = try RedisConnection(url: RedisURL(parsing: redis.url))
        return try connection.command(arguments)
    }

    /// Every entry of `stream` as (id, fields).
    public func streamEntries(_ stream: String) throws -> [(id: String, fields: [String: String])] {
        let reply = try redisCommand("XRANGE", stream, "-", "+")
        return (reply.arrayValue ?? []).compactMap { entry in
            guard let parts = entry.arrayValue, parts.count == 2, let id = parts[0].stringValue, let flat = parts[1].arrayValue else { return nil }
            var fields: [String: String] = [:]
            var index = 0
            while index + 1 < flat.count {
                if let name = flat[index].stringValue { fields[name] = flat[index + 1].stringValue }
                index += 2
            }
            return (id: id, fields: fields)
        }
    }

    /// Stream entries across the four priority streams that carry `jobID`.
    public func entries(for jobID: String) throws -> [(stream: String, fields: [String: String])] {
        try QueueKeys.allStreams.flatMap { stream in
            try streamEntries(stream).filter { $0.fields["job_id"] == jobID }.map { (stream: stream, fields: $0.fields) }
        }
    }
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass; returns whether it held.
public func eventually(within seconds: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
