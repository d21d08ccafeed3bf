import AccordStorage

/// Group commit and batched reads: many requests, one statement.
extension PostgresJobStore {
    /// One multi-row `INSERT … SELECT FROM unnest(…) ON CONFLICT … DO NOTHING RETURNING`: one
    /// statement, one commit (one flush of the write-ahead log) for the whole batch, and the
    /// status counters' trigger runs once. Idempotency is still decided by PostgreSQL: a row
    /// whose key is taken (also by a concurrent, uncommitted batch: the insert waits for it)
    /// is not written, and the winner is read back.
    public func insert(_ jobs: [Job]) async throws -> [Result<InsertOutcome, DependencyError>] {
        guard !jobs.isEmpty else { return [] }
        return try await run("inserting \(jobs.count) jobs") { connection throws(PGError) in
            do throws(PGError) {
                return try Self.insertBatch(jobs, on: connection).map { .success($0) }
            } catch where error.sqlstate.map(Self.isRowLevel) == true {
                // A value the database refused fails the whole statement: insert one by one,
                // so that only the job carrying it fails.
                return jobs.map { job in
                    do throws(PGError) {
                        return .success(try Self.insertOne(job, on: connection))
                    } catch {
                        return .failure(DependencyError(.database, "failed inserting job \(job.id): \(error)"))
                    }
                }
            }
        }
    }

    /// Rows by id, in one `WHERE id = ANY($1)` over the primary key.
    public func jobs(ids: [String]) async throws -> [String: Job] {
        guard !ids.isEmpty else { return [:] }
        return try await run("reading \(ids.count) jobs") { connection throws(PGError) in
            let result = try connection.executePrepared(BatchStatement.selectByIDs, [Self.arrayLiteral(ids)])
            var found: [String: Job] = [:]
            for job in JobRow.decodeAll(result) { found[job.id] = job }
            return found
        }
    }

    /// SQLSTATE classes that blame one row's values (data exceptions, integrity violations),
    /// not the connection or the server.
    static func isRowLevel(_ sqlstate: String) -> Bool {
        sqlstate.hasPrefix("22") || sqlstate.hasPrefix("23")
    }

    static func insertBatch(_ jobs: [Job], on connection: PGConnection) throws(PGError) -> [InsertOutcome] {
        var outcomes = [InsertOutcome?](repeating: nil, count: jobs.count)
        var remaining = Array(jobs.indices)
        // Rows are inserted in idempotency-key order, so two batches waiting on each other's
        // keys take them in the same order and cannot deadlock; the retry covers what that
        // cannot (a winner deleted between our insert and our read, a deadlock after all).
        for attempt in 1...3 where !remaining.isEmpty {
            let inserted: PGResult
            do throws(PGError) {
                inserted = try connection.executePrepared(BatchStatement.insert, columns(of: remaining.map { jobs[$0] }))
            } catch where error.sqlstate == "40P01" && attempt < 3 {
                continue
            }
            // RETURNING id only: a row written is exactly the job we sent.
            var insertedIDs = Set<String>()
            for row in 0..<inserted.rowCount {
                if let id = inserted.string(row: row, column: 0) { insertedIDs.insert(id) }
            }
            remaining.removeAll { index in
                guard insertedIDs.contains(jobs[index].id) else { return false }
                outcomes[index] = .inserted(jobs[index])
                return true
            }
            let keys = remaining.compactMap { jobs[$0].request.idempotencyKey }
            guard !keys.isEmpty else { break }
            // A new statement, so a new snapshot: it sees the committed winners.
            let existing = try connection.executePrepared(BatchStatement.selectByIdempotencyKeys, [arrayLiteral(keys)])
            var existingByKey: [String: Job] = [:]
            for job in JobRow.decodeAll(existing) {
                if let key = job.request.idempotencyKey { existingByKey[key] = job }
            }
            remaining.removeAll { index in
                guard let key = jobs[index].request.idempotencyKey, let job = existingByKey[key] else { return false }
                outcomes[index] = .existing(job)
                return true
            }
        }
        let settled = outcomes.compactMap { $0 }
        guard settled.count == jobs.count else {
            throw PGError(
                message: "a batch insert of \(jobs.count) jobs left \(jobs.count - settled.count) neither written nor found by idempotency key",
                connectionBroken: false)
        }
        return settled
    }

    /// One column array per inserted column: the batch as `unnest`'s parameters.
    static func columns(of jobs: [Job]) -> [String?] {
        let rows = jobs.map(JobRow.parameters(of:))
        return (0..<JobRow.insertColumnCount).map { column in arrayLiteral(rows.map { $0[column] }) }
    }
}

/// The batched statements. Values are always bound as parameters (arrays of text).
enum BatchStatement {
    static let insert: String = {
        let names = (1...JobRow.insertColumnCount).map { "c\($0)" }.joined(separator: ", ")
        let arrays = (1...JobRow.insertColumnCount).map { "$\($0)::text[]" }.joined(separator: ", ")
        // c18 is the idempotency key: see `insertBatch` on the order.
        return """
            INSERT INTO jobs (\(JobRow.insertColumns))
            SELECT \(JobRow.values { "c\($0)" })
            FROM unnest(\(arrays)) WITH ORDINALITY AS batch(\(names), position)
            ORDER BY c18, position
            ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id
            """
    }()

    static let selectByIdempotencyKeys = "SELECT \(JobRow.columns) FROM jobs WHERE idempotency_key = ANY($1::text[])"

    static let selectByIDs = "SELECT \(JobRow.columns) FROM jobs WHERE id = ANY($1::text[])"
}
