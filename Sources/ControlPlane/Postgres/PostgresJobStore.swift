import AccordStorage
import Logging

/// The durable job store on PostgreSQL: libpq connections in a `BlockingPool`, one statement
/// per call wherever possible, the schema brought up to date at start by `Migrations`.
///
/// Every failure surfaces as `DependencyError(.database, reason)`; `reason` may quote the
/// server's message and belongs in the log only.
public final class PostgresJobStore: JobStore {
    private let pool: BlockingPool<PGConnection>

    private init(pool: BlockingPool<PGConnection>) {
        self.pool = pool
    }

    /// Opens a pool of `poolSize` connections to `url` and applies pending migrations.
    ///
    /// - Throws: `DependencyError(.database, …)` naming the URL without its password when the
    ///   database cannot be reached or the schema cannot be migrated.
    public static func connect(url: String, poolSize: Int, logger: Logger) async throws -> PostgresJobStore {
        let pool = BlockingPool<PGConnection>(capacity: poolSize) {
            let connection = try PGConnection(url: url)
            // Our timestamps are timestamptz, but the original's table may use `timestamp`
            // columns: read and write those as UTC, whatever the server's default zone.
            try connection.execute("SELECT set_config('TimeZone', 'UTC', false)")
            return connection
        }
        let shownURL = DatabaseURL.redacted(url)
        let applied: [Int]
        do {
            applied = try await pool.withConnection { connection in try Migrations.apply(on: connection) }
        } catch {
            await pool.close()
            // Without a SQLSTATE the server never answered: connecting failed, not a migration.
            let doing = (error as? PGError)?.sqlstate == nil ? "to connect to PostgreSQL" : "to migrate the schema"
            throw DependencyError(.database, "failed \(doing) at \(shownURL): \(error)")
        }
        if applied.isEmpty {
            logger.info("database schema is current", metadata: ["database": "\(shownURL)"])
        } else {
            logger.info(
                "applied database migrations",
                metadata: ["database": "\(shownURL)", "versions": "\(applied.map(String.init).joined(separator: ","))"])
        }
        return PostgresJobStore(pool: pool)
    }

    public func insert(_ job: Job) async throws -> InsertOutcome {
        try await run("inserting job \(job.id)") { connection throws(PGError) in try Self.insertOne(job, on: connection) }
    }

    /// ON CONFLICT waits for a concurrent insert of the same key to commit, then does nothing:
    /// of N simultaneous requests with one key, exactly one row is written. A second try covers
    /// the winner being deleted between our insert and our select.
    static func insertOne(_ job: Job, on connection: PGConnection) throws(PGError) -> InsertOutcome {
        for _ in 0..<3 {
            let inserted = try connection.execute(Statement.insert, JobRow.parameters(of: job))
            if inserted.rowCount > 0 { return .inserted(JobRow.decode(inserted, row: 0)) }
            guard let key = job.request.idempotencyKey else { break }
            // A new statement, so a new snapshot: it sees the committed winner.
            let existing = try connection.execute(Statement.selectByIdempotencyKey, [key])
            if existing.rowCount > 0 { return .existing(JobRow.decode(existing, row: 0)) }
        }
        throw PGError(
            message: "insert of job \(job.id) wrote no row and found no row with its idempotency key",
            connectionBroken: false)
    }

    public func job(id: String) async throws -> Job? {
        try await run("reading job \(id)") { connection throws(PGError) in
            let result = try connection.execute(Statement.selectByID, [id])
            return result.rowCount > 0 ? JobRow.decode(result, row: 0) : nil
        }
    }

    public func cancel(id: String, at: Timestamp) async throws -> CancelOutcome {
        try await run("cancelling job \(id)") { connection throws(PGError) in
            let cancelled = try connection.execute(Statement.cancel, [id, String(at.microsecondsSinceEpoch)])
            if cancelled.rowCount > 0 { return .cancelled(JobRow.decode(cancelled, row: 0)) }
            let current = try connection.execute(Statement.selectByID, [id])
            return current.rowCount > 0 ? .notCancellable(JobRow.decode(current, row: 0)) : .notFound
        }
    }

    /// Sums the trigger-maintained counters (at most 16 rows per status): never a scan of
    /// `jobs`. Every status is present, with 0 when there is none.
    public func countsByStatus() async throws -> [JobStatus: Int64] {
        try await run("counting jobs by status") { connection throws(PGError) in
            let result = try connection.executePrepared(Statement.countsByStatus)
            var counts = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0, Int64(0)) })
            for row in 0..<result.rowCount {
                let status = JobRow.status(result.string(row: row, column: 0))
                counts[status, default: 0] += result.int64(row: row, column: 1) ?? 0
            }
            return counts
        }
    }

    public func unenqueued(limit: Int) async throws -> [Job] {
        guard limit > 0 else { return [] }
        return try await run("listing jobs not yet enqueued") { connection throws(PGError) in
            let result = try connection.execute(Statement.unenqueued, [String(limit)])
            return JobRow.decodeAll(result)
        }
    }

    /// Commits without waiting for the disk (`synchronous_commit = off` for this transaction
    /// only): a mark lost in a crash costs nothing but a no-op, since the relay offers the
    /// row again and the queue's marker recognises the job. Creates need not wait for a
    /// second flush of the write-ahead log.
    public func unenqueuedCount(limit: Int) async throws -> Int {
        try await run("counting jobs not yet enqueued") { connection throws(PGError) in
            let result = try connection.execute(Statement.unenqueuedCount, [String(limit)])
            return Int(result.int64(row: 0, column: 0) ?? 0)
        }
    }

    public func markEnqueued(ids: [String], at: Timestamp) async throws {
        guard !ids.isEmpty else { return }
        try await run("marking \(ids.count) jobs enqueued") { connection throws(PGError) in
            try connection.executePrepared(Statement.markEnqueued, [Self.arrayLiteral(ids), String(at.microsecondsSinceEpoch)])
            return ()
        }
    }

    public func ping() async throws {
        try await run("pinging the database") { connection throws(PGError) in
            try connection.execute("SELECT 1")
            return ()
        }
    }

    public func close() async {
        await pool.close()
    }

    public var poolUsage: (open: Int, idle: Int, waiting: Int)? { pool.usage }

    /// A PostgreSQL array literal of text: every element double-quoted, `"` and `\` escaped,
    /// so no element can end the array or an element early.
    static func arrayLiteral(_ elements: [String]) -> String {
        arrayLiteral(elements.map(Optional.some))
    }

    /// `arrayLiteral` with nil elements as SQL NULL (unquoted `NULL`; a quoted "NULL" is text).
    static func arrayLiteral(_ elements: [String?]) -> String {
        // Built on UTF-8 bytes: `"` and `\` are ASCII and never part of a multi-byte
        // sequence, and byte work is much cheaper than Character iteration (this runs for
        // every value of every batch).
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(elements.reduce(2) { $0 + ($1?.utf8.count ?? 4) + 3 })
        for (index, element) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let element else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs `body` with a pooled connection, turning every failure into a DependencyError.
    ///
    /// An idle connection the server closed (a restart, an idle timeout) is noticed before
    /// anything is sent on it and replaced: nothing ran, so trying the next connection is safe
    /// even for inserts. Without this, the first requests after a database restart would fail.
    func run<T: Sendable>(
        _ doing: String, _ body: @escaping @Sendable (PGConnection) throws(PGError) -> T
    ) async throws -> T {
        for _ in 0...pool.capacity {
            do {
                return try await pool.withConnection { connection in
                    guard connection.isAlive() else { throw StaleConnection() }
                    return try body(connection)
                }
            } catch is StaleConnection {
                continue  // the pool dropped it (it reports isBroken); take another
            } catch {
                throw DependencyError(.database, "failed \(doing): \(error)")
            }
        }
        throw DependencyError(.database, "failed \(doing): every pooled connection was closed by the server")
    }
}

/// The statements of the store, built once. Values are always bound as parameters.
enum Statement {
    static let insert = """
        INSERT INTO jobs (\(JobRow.insertColumns)) VALUES (\(JobRow.insertValues))
        ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING \(JobRow.columns)
        """

    static let selectByIdempotencyKey = "SELECT \(JobRow.columns) FROM jobs WHERE idempotency_key = $1"

    static let selectByID = "SELECT \(JobRow.columns) FROM jobs WHERE id = $1"

    /// lower(): the original's rows may spell statuses in capitals, and JobRow reads them so.
    static let cancel = """
        UPDATE jobs SET status = 'cancelled', completed_at = \(JobRow.timestamp("$2"))
        WHERE id = $1 AND lower(status) IN ('pending', 'queued')
        RETURNING \(JobRow.columns)
        """

    /// Never `count(*)` on jobs: at most 16 counter rows per status.
    static let countsByStatus = "SELECT status, sum(n)::bigint FROM job_status_counts GROUP BY status"

    /// Served by the partial index jobs_unenqueued_created_at_idx (same predicate).
    static let unenqueued = """
        SELECT \(JobRow.columns) FROM jobs
        WHERE status = 'pending' AND enqueued_at IS NULL
        ORDER BY created_at LIMIT $1
        """

    /// Counted over the same partial index, bounded: cheap while the relay keeps up.
    static let unenqueuedCount = """
        SELECT count(*) FROM (
            SELECT 1 FROM jobs WHERE status = 'pending' AND enqueued_at IS NULL LIMIT $1
        ) AS waiting
        """

    /// Keeps the first enqueue time, and leaves rows that need no change unwritten. The
    /// `set_config(…, true)` applies to this statement's own transaction, which commits
    /// right after it: one round trip instead of BEGIN, SET LOCAL, UPDATE, COMMIT.
    static let markEnqueued = """
        UPDATE jobs SET enqueued_at = coalesce(enqueued_at, \(JobRow.timestamp("$2"))),
            status = CASE WHEN status = 'pending' THEN 'queued' ELSE status END
        FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous_commit
        WHERE id = ANY($1::text[]) AND (enqueued_at IS NULL OR status = 'pending')
        """
}

/// A pooled connection was found closed before use.
private struct StaleConnection: Error {}
