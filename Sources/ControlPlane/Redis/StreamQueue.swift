import AccordStorage
import AccordJSON
import Logging

/// The production `JobQueue`: one Redis Stream per priority, read by the workers' consumer
/// group `workers`, over a pool of blocking hiredis connections.
///
/// A job's stream entry, as the original's workers read it (`XRANGE jobs:stream:normal - +`):
///
/// ```
/// 1732957921123-0  job_id     3f2c…          priority  2            domain  example.com
///                  timestamp  2026-11-30T09:12:01.123456Z           attempts 0
///                  job_data   {"domain":"example.com","id":"3f2c…","payload":{},…}
/// ```
///
/// Nothing here trims a stream: entries leave only when workers acknowledge and delete them.
/// Connections open lazily, so the server starts while Redis is down; each new connection
/// first makes sure the consumer groups exist (Redis may have restarted empty).
public final class StreamQueue: JobQueue {
    public let url: RedisURL
    private let pool: BlockingPool<RedisConnection>
    let logger: Logger

    /// How long a job's enqueued marker lives: the window in which a retried enqueue of the
    /// same job is recognised. The relay marks rows within seconds, so a week is ample.
    public static let markerTTLSeconds = 7 * 24 * 60 * 60

    /// Validates `url` and prepares the pool; no connection is opened yet, so this succeeds
    /// while Redis is down. Throws `RedisURLError` (a configuration mistake, not an outage)
    /// when `url` is not a usable `redis://` URL.
    public static func connect(url: String, poolSize: Int, logger: Logger) async throws -> StreamQueue {
        StreamQueue(url: try RedisURL(parsing: url), poolSize: poolSize, logger: logger)
    }

    /// - Parameters:
    ///   - poolSize: connections (and threads) at most.
    ///   - commandTimeout: how long one command or pipeline may wait for Redis.
    public init(url: RedisURL, poolSize: Int, logger: Logger, commandTimeout: Duration = .seconds(5)) {
        self.url = url
        self.logger = logger
        self.pool = BlockingPool(capacity: poolSize) { [logger] in
            let connection = try RedisConnection(url: url, commandTimeout: commandTimeout)
            try StreamQueue.ensureGroups(QueueKeys.allStreams, on: connection)
            logger.debug("opened a Redis connection", metadata: ["redis": "\(url.redacted)"])
            return connection
        }
    }

    /// Runs `body` with a pooled connection, on a pool thread; for other users of the same
    /// Redis (a rate limiter, say). Every failure becomes `DependencyError(.redis, …)` reading
    /// `failed <doing> on <url>: <cause>`.
    public func withConnection<T: Sendable>(
        _ doing: String, _ body: @escaping @Sendable (RedisConnection) throws -> T
    ) async throws -> T {
        do {
            return try await pool.withConnection(body)
        } catch {
            throw DependencyError(.redis, "failed \(doing) on \(url.redacted): \(error)")
        }
    }

    /// `withConnection` for the queue's own commands, which are all safe to repeat: when Redis
    /// restarted, every idle pooled connection is dead but looks fine until used, so a call
    /// that finds one tries again (each dead connection is dropped; at most `capacity` are).
    func run<T: Sendable>(_ doing: String, _ body: @escaping @Sendable (RedisConnection) throws -> T) async throws -> T {
        var staleConnections = 0
        while true {
            do {
                return try await pool.withConnection(body)
            } catch let error as RedisError where (error.kind == .closed || error.kind == .io) && staleConnections < pool.capacity {
                staleConnections += 1
                logger.debug("retrying on a new Redis connection", metadata: ["doing": "\(doing)", "cause": "\(error)"])
            } catch {
                throw DependencyError(.redis, "failed \(doing) on \(url.redacted): \(error)")
            }
        }
    }

    public func enqueue(_ jobs: [Job]) async throws {
        guard !jobs.isEmpty else { return }
        if let job = jobs.first(where: { !QueueKeys.priorityNames.indices.contains($0.request.priority) }) {
            throw DependencyError(.redis, "failed to enqueue job \(job.id): its priority \(job.request.priority) has no stream (0 to 3)")
        }
        let now = Timestamp.now()
        let commands = jobs.map { Self.enqueueCommand(for: $0, at: now) }
        // One round trip for the batch; each script is atomic on its own, so a batch cut short
        // is safe to send again in full.
        let added = try await run("to enqueue \(jobs.count) job(s)") { connection in
            var added = 0
            for (job, reply) in zip(jobs, try connection.pipeline(commands)) {
                switch reply {
                case .string: added += 1  // the new entry's id
                case .integer(0): break  // enqueued before
                default:
                    let stream = QueueKeys.stream(priority: job.request.priority)
                    throw UnexpectedReply(command: ["EVAL", "<enqueue script>", "2", stream, QueueKeys.enqueuedMarker(jobID: job.id)], reply: reply)
                }
            }
            return added
        }
        if added < jobs.count {
            logger.debug("skipped jobs already in their streams", metadata: ["added": "\(added)", "skipped": "\(jobs.count - added)"])
        }
    }

    public func ping() async throws {
        try await run("to ping") { connection in
            let reply = try connection.command(["PING"])
            guard reply == .status("PONG") else { throw UnexpectedReply(command: ["PING"], reply: reply) }
        }
    }

    public func close() async {
        await pool.close()
    }

    public var poolUsage: (open: Int, idle: Int, waiting: Int)? { pool.usage }
}

extension StreamQueue {
    /// Writes a job to its stream unless its marker says it is there already, and sets the
    /// marker: `EVAL script 2 <stream> <marker> <ttl> field value …`. Answers the entry's id,
    /// or 0 for a job enqueued before.
    ///
    /// The marker is checked first and set last (a script that fails halfway keeps its
    /// earlier writes; setting the marker first could record a job that never reached its
    /// stream). The group is created if missing (BUSYGROUP is ignored by `pcall`), so entries
    /// added after a `FLUSHALL` still reach the workers.
    static let enqueueScript = """
        if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
        redis.pcall('XGROUP', 'CREATE', KEYS[1], '\(QueueKeys.consumerGroup)', '0', 'MKSTREAM')
        local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
        redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])
        return id
        """

    /// The `EVAL` that enqueues `job`, with the message fields of the contract.
    static func enqueueCommand(for job: Job, at now: Timestamp) -> [String] {
        [
            "EVAL", enqueueScript, "2",
            QueueKeys.stream(priority: job.request.priority), QueueKeys.enqueuedMarker(jobID: job.id),
            String(markerTTLSeconds),
            "job_id", job.id,
            "priority", String(job.request.priority),
            "domain", job.request.domain,
            "timestamp", now.iso8601,
            "attempts", "0",
            "job_data", job.jobData.serialized(),
        ]
    }

    /// Creates the `workers` group on each of `streams` (and the stream itself if missing),
    /// starting at the first entry; an existing group is left as it is.
    static func ensureGroups(_ streams: [String], on connection: RedisConnection) throws {
        let commands = streams.map { ["XGROUP", "CREATE", $0, QueueKeys.consumerGroup, "0", "MKSTREAM"] }
        for (command, reply) in zip(commands, try connection.pipeline(commands)) {
            guard reply == .status("OK") || reply.errorCode == "BUSYGROUP" else {
                throw UnexpectedReply(command: command, reply: reply)
            }
        }
    }
}

/// Redis answered a command with an error or with something of the wrong shape.
struct UnexpectedReply: Error, CustomStringConvertible {
    var command: [String]
    var reply: RedisReply

    var description: String {
        "\(command.joined(separator: " ")) answered \(reply)"
    }
}
