import AccordStorage
import AccordJSON

/// How a `jobs` row is read into a `Job`, and how a `Job` is written as parameters.
///
/// Reading is lenient and never traps: the table may hold rows the original service wrote,
/// with values outside our contract. What each odd value becomes:
/// - `status`: matched case-insensitively (as `cancel` matches it); anything else reads as
///   `.failed`: a state this service cannot progress, and one it refuses to cancel.
/// - `strategy`: matched case-insensitively; anything else reads as `.vanilla`, the default.
/// - `priority`: clamped to 0…3 (it indexes the priority streams); non-integer reads as 2.
/// - `payload`: parsed as JSON; NULL reads as `{}`; text that is not JSON is kept as
///   `.string(raw)` rather than dropped, so nothing is lost and a replay never matches it.
/// - `result`, `artifacts`: parsed as JSON; text that is not JSON becomes `.string(raw)`.
/// - integers that are NULL or unparsable take the column's default; a NULL `created_at`
///   reads as the epoch.
enum JobRow {
    /// The select list every query that returns jobs uses; `decode` reads it by position.
    static let columns = """
        id, domain, url, job_type, strategy, payload, priority, status, max_attempts, attempts, \
        timeout_seconds, result, artifacts, error, \(micros("created_at")), \(micros("started_at")), \
        \(micros("completed_at")), idempotency_key, \(micros("enqueued_at"))
        """

    /// The column list of an insert, in the order of `parameters(of:)`.
    static let insertColumns = """
        id, domain, url, job_type, strategy, payload, priority, status, max_attempts, attempts, \
        timeout_seconds, result, artifacts, error, created_at, started_at, completed_at, \
        idempotency_key, enqueued_at
        """

    /// The VALUES list matching `insertColumns`, timestamps converted from microseconds.
    static let insertValues = values { "$\($0)" }

    /// How many values `parameters(of:)` gives per job.
    static let insertColumnCount = 19

    /// The value expressions matching `insertColumns`, the n-th value (1-based) named by
    /// `reference(n)`, given as text: integers cast, timestamps converted from microseconds.
    static func values(_ reference: (Int) -> String) -> String {
        (1...insertColumnCount).map { n -> String in
            switch n {
            case 7, 9, 10, 11: "\(reference(n))::int"
            case 15, 16, 17, 19: timestamp(reference(n))
            default: reference(n)
            }
        }.joined(separator: ", ")
    }

    /// Microseconds since the epoch, exactly (extract returns numeric since PostgreSQL 14).
    static func micros(_ column: String) -> String {
        "(extract(epoch from \(column)) * 1000000)::bigint"
    }

    /// A timestamptz from microseconds since the epoch, without going through a lossy double
    /// of seconds. NULL stays NULL.
    static func timestamp(_ parameter: String) -> String {
        "('epoch'::timestamptz + \(parameter)::bigint * interval '1 microsecond')"
    }

    /// `job` as the parameters `insertValues` binds.
    static func parameters(of job: Job) -> [String?] {
        let request = job.request
        return [
            job.id, request.domain, request.url, request.jobType, request.strategy.rawValue,
            request.payload.serialized(), String(request.priority), job.status.rawValue,
            String(job.maxAttempts), String(job.attempts), String(request.timeoutSeconds),
            job.result?.serialized(), job.artifacts?.serialized(), job.error,
            String(job.createdAt.microsecondsSinceEpoch),
            job.startedAt.map { String($0.microsecondsSinceEpoch) },
            job.completedAt.map { String($0.microsecondsSinceEpoch) },
            request.idempotencyKey,
            job.enqueuedAt.map { String($0.microsecondsSinceEpoch) },
        ]
    }

    /// Every row of `result`, which must have been selected with `columns`.
    static func decodeAll(_ result: PGResult) -> [Job] {
        (0..<result.rowCount).map { decode(result, row: $0) }
    }

    static func decode(_ result: PGResult, row: Int) -> Job {
        func text(_ column: Int) -> String? { result.string(row: row, column: column) }
        func int(_ column: Int, default value: Int) -> Int {
            result.int64(row: row, column: column).map { Int(truncatingIfNeeded: $0) } ?? value
        }
        func time(_ column: Int) -> Timestamp? {
            result.int64(row: row, column: column).map { Timestamp(microsecondsSinceEpoch: $0) }
        }
        let request = JobRequest(
            domain: text(1) ?? "",
            url: text(2) ?? "",
            jobType: text(3) ?? "",
            strategy: strategy(text(4)),
            priority: min(max(int(6, default: 2), 0), 3),
            timeoutSeconds: int(10, default: 300),
            idempotencyKey: text(17),
            payload: text(5).map(lenientJSON) ?? .object([])
        )
        return Job(
            id: text(0) ?? "",
            request: request,
            status: status(text(7)),
            attempts: int(9, default: 0),
            maxAttempts: int(8, default: 3),
            result: text(11).map(lenientJSON),
            artifacts: text(12).map(lenientJSON),
            error: text(13),
            createdAt: time(14) ?? Timestamp(microsecondsSinceEpoch: 0),
            startedAt: time(15),
            completedAt: time(16),
            enqueuedAt: time(18)
        )
    }

    /// A stored status as ours; see the type's comment for values outside the contract.
    static func status(_ raw: String?) -> JobStatus {
        raw.flatMap { JobStatus(rawValue: $0) ?? JobStatus(rawValue: $0.lowercased()) } ?? .failed
    }

    static func strategy(_ raw: String?) -> Strategy {
        raw.flatMap { Strategy(rawValue: $0) ?? Strategy(rawValue: $0.lowercased()) } ?? .vanilla
    }

    /// Stored JSON text as a value; text that does not parse is kept as a JSON string.
    static func lenientJSON(_ raw: String) -> JSON {
        (try? JSON.parse(raw)) ?? .string(raw)
    }
}
