import AccordResults
import AccordSpec
import AccordStorage
import Foundation
import Synchronization

/// Fills the stores with the specs' `seed:` tables before the load, so the load meets a
/// database and streams of a realistic size: rows through COPY, stream entries through
/// pipelined XADD, in chunks so memory stays flat at any row count.
public enum Seeding {
    /// Rows per COPY statement (and the stream entries of those rows before the next one).
    static let chunkRows = 50_000
    /// XADD commands per Redis pipeline.
    static let pipelineCommands = 1000

    /// What a run seeds, decided before any I/O.
    struct Plan: Equatable {
        /// Table index in `tables` order, and its row count.
        var rows: [Int]
        var writeStreams: Bool
        /// Why nothing is seeded, or why the streams are not.
        var note: String?
    }

    /// How many rows each table gets: `--seed-rows` for every table when given; otherwise the
    /// table's `rows:` at baseline, a tenth in quick, a hundredth in smoke. A `--target` is
    /// seeded only on an explicit `--seed-rows` with a database URL.
    static func plan(
        declared: [Int], profile: ConformanceRun.Profile, seedRows: Int?, booted: Bool, databaseURL: String?, redisURL: String?
    ) -> Plan {
        let none = Plan(rows: declared.map { _ in 0 }, writeStreams: false, note: nil)
        if seedRows == 0 { return Plan(rows: none.rows, writeStreams: false, note: "--seed-rows 0") }
        if !booted, seedRows == nil {
            return Plan(rows: none.rows, writeStreams: false, note: "a --target is seeded only with --seed-rows N and --database-url")
        }
        guard databaseURL != nil else { return Plan(rows: none.rows, writeStreams: false, note: "--seed-rows needs --database-url") }
        let rows = declared.map { seedRows ?? ($0 == 0 ? 0 : max(1, $0 / profile.seedDivisor)) }
        let streams = redisURL != nil
        return Plan(rows: rows, writeStreams: streams, note: streams ? nil : "stream entries not written: no --redis-url")
    }

    /// Seeds every table the specs declare, in file order; nil when none declares any.
    static func fill(
        _ specs: [SpecFile], profile: ConformanceRun.Profile, seedRows: Int?, booted: Bool, databaseURL: String?, redisURL: String?,
        progress: @Sendable (String) -> Void
    ) async throws -> ResultsDocument.Seeding? {
        let tables = specs.flatMap(\.seed)
        guard !tables.isEmpty else { return nil }
        let plan = plan(
            declared: tables.map(\.rows), profile: profile, seedRows: seedRows, booted: booted, databaseURL: databaseURL, redisURL: redisURL)
        // A note about streams means nothing when no table declares any.
        let streamsDeclared = tables.contains { !$0.streams.isEmpty }
        var seeding = ResultsDocument.Seeding(skipped: plan.rows.contains { $0 > 0 } && !streamsDeclared ? nil : plan.note)
        guard let databaseURL, plan.rows.contains(where: { $0 > 0 }) else { return seeding }
        for (table, rows) in zip(tables, plan.rows) where rows > 0 {
            progress("seeding \(table.table.value): \(rows) rows\(plan.writeStreams && !table.streams.isEmpty ? " and their stream entries" : "")")
            let redis = plan.writeStreams && !table.streams.isEmpty ? redisURL : nil
            seeding.tables.append(try await onOwnThread { stop in
                try fill(
                    table, rows: rows, databaseURL: databaseURL, redisURL: redis, random: SeedRandom(state: UInt64.random(in: .min ... .max)),
                    stop: stop)
            })
        }
        return seeding
    }

    /// Seeds one table: blocking, on the caller's thread. `stop` is asked before each chunk;
    /// when it says so (Ctrl-C), the chunks written stay and `CancellationError` is thrown.
    static func fill(
        _ table: SeedTable, rows: Int, databaseURL: String, redisURL: String?, random: some RandomNumberGenerator,
        stop: StopFlag = StopFlag()
    ) throws -> ResultsDocument.Seeding.Table {
        let start = ContinuousClock.now
        let name = table.table.value
        let database: PGConnection
        do { database = try PGConnection(url: databaseURL) } catch {
            throw SeedingError("failed to connect to PostgreSQL to seed \(name): \(error)")
        }
        let redis: RedisConnection?
        do { redis = try redisURL.map { try RedisConnection(url: RedisURL(parsing: $0)) } } catch {
            throw SeedingError("failed to connect to Redis to seed the streams of \(name): \(error)")
        }
        let columns = table.columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
        let copy = "COPY \"\(name)\" (\(columns)) FROM STDIN"
        let nowMicroseconds = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
        var generator = SeedRows(table: table, nowMicroseconds: nowMicroseconds, random: random)
        var stored = 0
        var entries = 0
        var first = 0
        while first < rows {
            if stop.isSet { throw CancellationError() }
            let range = first..<min(first + chunkRows, rows)
            let chunk = range.map { generator.row($0) }
            do { stored += try database.copyIn(copy, rows: chunk) } catch {
                throw SeedingError("failed to copy rows \(range.lowerBound + 1)-\(range.upperBound) into \(name): \(error)")
            }
            if let redis {
                var commands: [[String]] = []
                for (n, row) in zip(range, chunk) { commands += generator.streamCommands(for: row, number: n) }
                entries += try add(commands, on: redis, table: name)
            }
            first = range.upperBound
        }
        // Fresh statistics, so the load's first queries are planned for the table's real size.
        do { try database.execute("ANALYZE \"\(name)\"") } catch { throw SeedingError("failed to analyze \(name) after seeding: \(error)") }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return .init(table: name, rows: stored, streamEntries: entries, seconds: seconds)
    }

    /// Sends `commands` (XADDs) in pipelines; answers how many entries were added.
    private static func add(_ commands: [[String]], on redis: RedisConnection, table: String) throws -> Int {
        var added = 0
        var start = 0
        while start < commands.count {
            let batch = Array(commands[start..<min(start + pipelineCommands, commands.count)])
            let replies: [RedisReply]
            do { replies = try redis.pipeline(batch) } catch {
                throw SeedingError("failed to add the stream entries of \(table): \(error)")
            }
            for (command, reply) in zip(batch, replies) {
                guard case .string = reply else {
                    throw SeedingError("failed to add a stream entry of \(table) to \(command[1]): XADD answered \(reply)")
                }
                added += 1
            }
            start += pipelineCommands
        }
        return added
    }

    /// Runs blocking work on a thread of its own, so no executor thread waits on libpq; the
    /// task's cancellation sets the flag the work checks between chunks.
    private static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable (StopFlag) throws -> T) async throws -> T {
        let stop = StopFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread { continuation.resume(with: Result { try work(stop) }) }
                thread.name = "accord-seed"
                thread.start()
            }
        } onCancel: {
            stop.set()
        }
    }
}

/// Set from any thread, read by the seeding thread between chunks.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}

/// Seeding could not write what the specs declare: `failed <doing> on <what>: <cause>`.
struct SeedingError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension ConformanceRun.Profile {
    /// Seed rows are the spec's `rows:` (1,000,000 when unsaid) divided by this: baseline all,
    /// quick a tenth, smoke a hundredth.
    var seedDivisor: Int {
        switch self {
        case .baseline: 1
        case .quick: 10
        case .smoke: 100
        }
    }
}
