import AccordStorage

/// Reads what a request left behind in PostgreSQL and Redis, for `verify:` steps, through
/// the same clients and pools as the server (autocommit: every query sees the latest
/// committed state). Call `close()` when done.
public final class SideEffectProbe: Sendable {
    public let databaseURL: String?
    public let redisURL: String?
    private let database: BlockingPool<PGConnection>?
    private let redisPool: BlockingPool<RedisConnection>?
    /// The Redis URL without its password, for messages.
    private let redisShown: String

    /// Throws when `redisURL` is not a usable `redis://` URL; nothing connects yet.
    public init(databaseURL: String?, redisURL: String?) throws {
        self.databaseURL = databaseURL
        self.redisURL = redisURL
        self.database = databaseURL.map { url in BlockingPool(capacity: 2) { try PGConnection(url: url) } }
        let parsedRedis = try redisURL.map { try RedisURL(parsing: $0) }
        self.redisShown = parsedRedis?.redacted ?? ""
        self.redisPool = parsedRedis.map { url in BlockingPool(capacity: 2) { try RedisConnection(url: url) } }
    }

    public var hasDatabase: Bool { database != nil }
    public var hasRedis: Bool { redisPool != nil }

    public func close() async {
        await database?.close()
        await redisPool?.close()
    }

    /// Runs a parameterized query; every value as text (nil for NULL).
    public func rows(_ sql: String, params: [String]) async throws -> [[String?]] {
        guard let database, let databaseURL else { throw ProbeError("no --database-url was given") }
        do {
            return try await database.withConnection { connection in
                let result = try connection.execute(sql, params)
                return (0..<result.rowCount).map { row in (0..<result.columnCount).map { result.string(row: row, column: $0) } }
            }
        } catch {
            throw ProbeError("failed to query PostgreSQL at \(DatabaseURL.redacted(databaseURL)): \(error)")
        }
    }

    /// Every entry of `stream`, oldest first, with its fields.
    public func streamEntries(_ stream: String) async throws -> [StreamEntry] {
        let reply = try await redis(["XRANGE", stream, "-", "+"])
        if let message = reply.errorMessage { throw ProbeError("XRANGE \(stream) failed: \(message)") }
        return Self.entries(reply)
    }

    private static func entries(_ reply: RedisReply) -> [StreamEntry] {
        (reply.arrayValue ?? []).compactMap { entry in
            guard let parts = entry.arrayValue, parts.count == 2, let id = parts[0].stringValue, let flat = parts[1].arrayValue else {
                return nil
            }
            var fields: [(name: String, value: String)] = []
            var index = 0
            while index + 1 < flat.count {
                fields.append((name: flat[index].stringValue ?? "", value: flat[index + 1].stringValue ?? ""))
                index += 2
            }
            return StreamEntry(id: id, fields: fields)
        }
    }

    /// Up to `count` entries of `stream` after entry id `after` (exclusive; "-" for the
    /// start), oldest first: for reading long streams page by page.
    public func streamEntries(_ stream: String, after: String, count: Int) async throws -> [StreamEntry] {
        let start = after == "-" ? "-" : "(" + after
        let reply = try await redis(["XRANGE", stream, start, "+", "COUNT", String(count)])
        if let message = reply.errorMessage { throw ProbeError("XRANGE \(stream) failed: \(message)") }
        return Self.entries(reply)
    }

    /// The id of `stream`'s newest entry, nil when it has none.
    public func lastStreamEntryID(_ stream: String) async throws -> String? {
        let reply = try await redis(["XREVRANGE", stream, "+", "-", "COUNT", "1"])
        if let message = reply.errorMessage { throw ProbeError("XREVRANGE \(stream) failed: \(message)") }
        return Self.entries(reply).first?.id
    }

    /// The keys matching `pattern` of one Redis `type` (SCAN, so Redis is never blocked).
    public func keys(matching pattern: String, type: String) async throws -> [String] {
        var cursor = "0"
        var found: [String] = []
        repeat {
            let reply = try await redis(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000", "TYPE", type])
            guard let parts = reply.arrayValue, parts.count == 2, let next = parts[0].stringValue else {
                throw ProbeError("SCAN answered \(reply)")
            }
            found += (parts[1].arrayValue ?? []).compactMap(\.stringValue)
            cursor = next
        } while cursor != "0"
        // SCAN may return a key more than once.
        return Set(found).sorted()
    }

    /// `INFO <section>` as name → value.
    public func redisInfo(_ section: String) async throws -> [String: String] {
        let reply = try await redis(["INFO", section])
        guard let text = reply.stringValue else { throw ProbeError("INFO \(section) answered \(reply)") }
        var info: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("#") else { continue }
            info[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return info
    }

    public func streamLength(_ stream: String) async throws -> Int64 {
        let reply = try await redis(["XLEN", stream])
        guard let length = reply.integerValue else { throw ProbeError("XLEN \(stream) answered \(reply)") }
        return length
    }

    /// The `redis_version` line of `INFO server`.
    public func redisVersion() async throws -> String? {
        let reply = try await redis(["INFO", "server"])
        return reply.stringValue?.split(whereSeparator: \.isNewline)
            .first { $0.hasPrefix("redis_version:") }
            .map { String($0.dropFirst("redis_version:".count)) }
    }

    public func keyExists(_ key: String) async throws -> Bool {
        let reply = try await redis(["EXISTS", key])
        guard let count = reply.integerValue else { throw ProbeError("EXISTS \(key) answered \(reply)") }
        return count > 0
    }

    private func redis(_ command: [String]) async throws -> RedisReply {
        guard let redisPool else { throw ProbeError("no --redis-url was given") }
        do {
            return try await redisPool.withConnection { try $0.command(command) }
        } catch {
            throw ProbeError("failed to query Redis at \(redisShown): \(error)")
        }
    }
}

/// One entry of a Redis stream.
public struct StreamEntry: Sendable, Equatable {
    public var id: String
    public var fields: [(name: String, value: String)]

    public init(id: String, fields: [(name: String, value: String)]) {
        self.id = id
        self.fields = fields
    }

    public func field(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    public static func == (lhs: StreamEntry, rhs: StreamEntry) -> Bool {
        lhs.id == rhs.id && lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// A probe could not run: the check is an error, not a failure.
public struct ProbeError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
