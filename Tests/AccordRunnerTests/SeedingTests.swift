import AccordJSON
import AccordResults
import AccordSpec
import AccordStorage
import AccordTestSupport
import Foundation
import Testing

@testable import AccordRunner

/// Seeding: the generator as a pure function of a seeded random source, the plan of what a run
/// seeds, and rows and stream entries written into real PostgreSQL 15 and Redis 7 — including
/// the shipped spec's `jobs` rows under the reference server, whose queue stats must stay true.
@Suite("Seeding")
struct SeedingTests {
    static func table(_ yaml: String) throws -> SeedTable {
        let text = "suite: s\nendpoints:\n  health: {method: GET, path: /health}\nseed:\n" + yaml
        switch SpecLoader.load(text, path: "s.yaml") {
        case let .success(spec): return try #require(spec.seed.first)
        case let .failure(problems): throw TestFailure("\(problems.diagnostics.map(\.description))")
        }
    }

    static let weighted = """
          - table: seeded
            rows: 10000
            columns:
              n: {sequence: {start: 100}}
              id: {uuid: true}
              state: {choice: {open: 70, closed: 20, lost: 10}}
              label: "{{state}}-{{seq}}"
              kind: x
              gone: null
              at: {age: [1h, 2d]}
            streams:
              - key: "seeded:{{state}}"
                where: {state: open}
                fields: {id: "{{id}}", n: "{{n}}"}
        """

    static let now: Int64 = 1_733_044_321_123_456

    // MARK: Pure

    static let instants: [(Int64, String)] = [
        (0, "1970-01-01T00:00:00.000000Z"),
        (-1, "1969-12-31T23:59:59.999999Z"),
        (951_782_400_000_000, "2000-02-29T00:00:00.000000Z"),
        (1_733_044_321_123_456, "2024-12-01T09:12:01.123456Z"),
        (4_102_444_799_999_999, "2099-12-31T23:59:59.999999Z"),
    ]

    @Test(arguments: instants)
    func timestampsAreISO8601InUTC(microseconds: Int64, expected: String) {
        #expect(SeedRows<SeededRandom>.iso8601(microseconds: microseconds) == expected)
    }

    @Test func uuidsAreVersion4AndDistinct() {
        var random = SeededRandom(state: 7)
        let uuids = (0..<2000).map { _ in SeedRows<SeededRandom>.uuid(&random) }
        #expect(Set(uuids).count == 2000)
        let shape = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
        #expect(uuids.allSatisfy { $0.wholeMatch(of: shape) != nil })
    }

    @Test func rowsFollowTheirGenerators() throws {
        var rows = SeedRows(table: try Self.table(Self.weighted), nowMicroseconds: Self.now, random: SeededRandom(state: 1))
        for n in [0, 1, 41] {
            let row = rows.row(n)
            #expect(row.count == 7)
            #expect(row[0] == String(100 + n))
            #expect(row[3] == "\(row[2] ?? "?")-\(n + 1)")
            #expect(row[4] == "x")
            #expect(row[5] == nil)
            // Between 2 days and 1 hour before `now`, on 2024-11-29 to 2024-12-01.
            let at = try #require(row[6])
            #expect(at >= "2024-11-29T09:12:01" && at <= "2024-12-01T08:12:02", "\(at)")
        }
    }

    /// 10,000 draws of 70/20/10: each share within 2 points (over 4 standard deviations).
    @Test func choicesFollowTheirWeights() throws {
        var rows = SeedRows(table: try Self.table(Self.weighted), nowMicroseconds: Self.now, random: SeededRandom(state: 2))
        var counts: [String: Int] = [:]
        for n in 0..<10_000 { counts[rows.row(n)[2] ?? "", default: 0] += 1 }
        #expect(Set(counts.keys) == ["open", "closed", "lost"])
        for (value, share) in [("open", 0.7), ("closed", 0.2), ("lost", 0.1)] {
            #expect(abs(Double(counts[value] ?? 0) / 10_000 - share) < 0.02, "\(value): \(counts[value] ?? 0)")
        }
    }

    @Test func streamEntriesOnlyForMatchingRows() throws {
        var rows = SeedRows(table: try Self.table(Self.weighted), nowMicroseconds: Self.now, random: SeededRandom(state: 3))
        for n in 0..<200 {
            let row = rows.row(n)
            let commands = rows.streamCommands(for: row, number: n)
            if row[2] == "open" {
                #expect(commands == [["XADD", "seeded:open", "*", "id", row[1] ?? "?", "n", String(100 + n)]])
            } else {
                #expect(commands.isEmpty)
            }
        }
    }

    static let plans: [(String, [Int], ConformanceRun.Profile, Int?, Bool, String?, String?, [Int], Bool, String?)] = [
        ("baseline seeds rows:", [1_000_000, 500], .baseline, nil, true, "pg", "redis", [1_000_000, 500], true, nil),
        ("quick a tenth", [1_000_000], .quick, nil, true, "pg", "redis", [100_000], true, nil),
        ("smoke a hundredth, at least 1", [1_000_000, 50], .smoke, nil, true, "pg", "redis", [10_000, 1], true, nil),
        ("rows: 0 stays 0", [0], .smoke, nil, true, "pg", "redis", [0], true, nil),
        ("--seed-rows for every table", [1_000_000, 5], .quick, 42, true, "pg", "redis", [42, 42], true, nil),
        ("--seed-rows 0 seeds nothing", [1_000_000], .baseline, 0, true, "pg", "redis", [0], false, "--seed-rows 0"),
        ("a target without --seed-rows", [1_000_000], .quick, nil, false, "pg", "redis", [0], false,
         "a --target is seeded only with --seed-rows N and --database-url"),
        ("a target without a database", [1_000_000], .quick, 10, false, nil, "redis", [0], false, "--seed-rows needs --database-url"),
        ("a target with --seed-rows", [1_000_000], .quick, 10, false, "pg", "redis", [10], true, nil),
        ("no Redis: rows only", [1_000_000], .quick, 10, false, "pg", nil, [10], false, "stream entries not written: no --redis-url"),
    ]

    @Test(arguments: plans)
    func whatARunSeeds(
        _ name: String, declared: [Int], profile: ConformanceRun.Profile, seedRows: Int?, booted: Bool, database: String?, redis: String?,
        rows: [Int], streams: Bool, note: String?
    ) {
        let plan = Seeding.plan(declared: declared, profile: profile, seedRows: seedRows, booted: booted, databaseURL: database, redisURL: redis)
        #expect(plan == Seeding.Plan(rows: rows, writeStreams: streams, note: note), "\(name)")
    }

    @Test func theReportLinesGroupThousands() {
        let seeding = ResultsDocument.Seeding(tables: [.init(table: "jobs", rows: 1_000_000, streamEntries: 600_241, seconds: 41.26)])
        #expect(seeding.lines == ["jobs: 1,000,000 rows, 600,241 stream entries in 41.3 s"])
        #expect(ResultsDocument.Seeding(skipped: "--seed-rows 0").lines == ["not seeded: --seed-rows 0"])
        let rowsOnly = ResultsDocument.Seeding(
            tables: [.init(table: "t", rows: 10, streamEntries: 0, seconds: 0.04)], skipped: "stream entries not written: no --redis-url")
        #expect(rowsOnly.lines == ["t: 10 rows in 0.0 s", "stream entries not written: no --redis-url"])
    }

    // MARK: Real PostgreSQL and Redis

    @Test func tenThousandRowsAndTheirEntriesReachTheStores() async throws {
        try await Backends.with { backends in
            _ = try backends.rows("CREATE TABLE seeded (n int PRIMARY KEY, id uuid, state text, label text, kind text, gone text, at timestamptz)")
            let table = try Self.table(Self.weighted)
            let result = try Seeding.fill(
                table, rows: 10_000, databaseURL: backends.postgres.url, redisURL: backends.redis.url, random: SeededRandom(state: 4))
            #expect(result.table == "seeded")
            #expect(result.rows == 10_000)
            let counts = Dictionary(
                uniqueKeysWithValues: try backends.rows("SELECT state, count(*) FROM seeded GROUP BY state").map { ($0[0] ?? "", Int($0[1] ?? "") ?? 0) })
            for (value, share) in [("open", 0.7), ("closed", 0.2), ("lost", 0.1)] {
                #expect(abs(Double(counts[value] ?? 0) / 10_000 - share) < 0.02, "\(value): \(counts[value] ?? 0)")
            }
            #expect(try backends.rows("SELECT min(n), max(n), count(DISTINCT id), count(gone) FROM seeded") == [["100", "10099", "10000", "0"]])
            #expect(try backends.rows("SELECT count(*) FROM seeded WHERE at > now() - interval '1 hour' OR at < now() - interval '2 days 1 minute'") == [["0"]])
            // One entry per open row, with that row's fields; no other stream.
            #expect(result.streamEntries == counts["open"])
            let entries = try backends.streamEntries("seeded:open")
            #expect(entries.count == counts["open"])
            let open = Set(try backends.rows("SELECT id::text || '/' || n FROM seeded WHERE state = 'open'").compactMap { $0[0] })
            #expect(Set(entries.map { "\($0.fields["id"] ?? "")/\($0.fields["n"] ?? "")" }) == open)
            #expect(try backends.redisCommand("EXISTS", "seeded:closed", "seeded:lost").integerValue == 0)
        }
    }

    @Test func aStoppedSeedingWritesNoFurtherChunk() async throws {
        try await Backends.with { backends in
            _ = try backends.rows("CREATE TABLE seeded (n int PRIMARY KEY, id uuid, state text, label text, kind text, gone text, at timestamptz)")
            let stop = StopFlag()
            stop.set()
            #expect(throws: CancellationError.self) {
                try Seeding.fill(
                    try Self.table(Self.weighted), rows: 10_000, databaseURL: backends.postgres.url, redisURL: backends.redis.url,
                    random: SeededRandom(state: 5), stop: stop)
            }
            #expect(try backends.rows("SELECT count(*) FROM seeded") == [["0"]])
        }
    }

    /// The shipped spec's rows under the reference server: the stats count them (counters
    /// kept by the triggers COPY fires), each queued row is in its priority's stream once with
    /// the fields the server itself writes, and a seeded job reads back like any other.
    @Test func theLoadSpecsJobsKeepTheServersInvariants() async throws {
        let text = try String(contentsOfFile: "specs/load.yaml", encoding: .utf8)
        guard case let .success(spec) = SpecLoader.load(text, path: "specs/load.yaml") else { throw TestFailure("specs/load.yaml does not load") }
        try await Backends.with { backends in
            try await TestServer.with(backends.serverConfig) { server in
                let created = try #require(try await server.createJob("domain=own.example&url=https://own.example/&job_type=t&priority=2").json()["job_id"]?.stringValue)
                #expect(await eventually { ((try? backends.entries(for: created).count) ?? 0) == 1 })
                let seeding = try await Seeding.fill(
                    [spec], profile: .smoke, seedRows: 10_000, booted: true, databaseURL: backends.postgres.url, redisURL: backends.redis.url,
                    progress: { _ in })
                let seeded = try #require(seeding?.tables.first)
                #expect(seeded.rows == 10_000)
                #expect(seeding?.skipped == nil)

                let stats = try await server.get("/api/v1/queue/stats").json()
                #expect(stats["jobs"]?["total"]?.intValue == 10_001)
                for row in try backends.rows("SELECT status, count(*) FROM jobs GROUP BY status") {
                    let status = try #require(row[0])
                    #expect(stats["jobs"]?["by_status"]?[status]?.intValue.map(String.init) == row[1], "\(status)")
                }
                var streamTotal = 0
                for (priority, name) in ["emergency", "high", "normal", "low"].enumerated() {
                    let queued = try backends.rows("SELECT count(*) FROM jobs WHERE status = 'queued' AND priority = $1 AND id <> $2", [String(priority), created])
                    let expected = (Int(queued.first?[0] ?? "") ?? -1) + (priority == 2 ? 1 : 0)
                    #expect(stats[name]?["length"]?.intValue == Int64(expected), "\(name)")
                    #expect(try backends.redisCommand("XLEN", "jobs:stream:\(name)").integerValue == Int64(expected))
                    streamTotal += expected - (priority == 2 ? 1 : 0)
                }
                #expect(seeded.streamEntries == streamTotal)
                #expect(streamTotal > 5000 && streamTotal < 7000)

                // The server's own entry and a seeded one carry the same fields, job_data too.
                let own = try #require(try backends.entries(for: created).first?.fields)
                let normal = try backends.streamEntries("jobs:stream:normal").map(\.fields)
                let copy = try #require(normal.first { $0["job_id"] != created })
                #expect(Set(copy.keys) == Set(own.keys))
                func keys(_ text: String?) throws -> [String] {
                    guard case let .object(members) = try JSON.parse(text ?? "") else { return [] }
                    return members.map(\.key)
                }
                #expect(try keys(copy["job_data"]) == keys(own["job_data"]))
                let id = try #require(copy["job_id"])
                #expect(try backends.rows("SELECT status, priority FROM jobs WHERE id = $1", [id]) == [["queued", "2"]])
                let job = try await server.get("/api/v1/jobs/\(id)")
                #expect(job.status == 200)
                #expect(try job.json()["status"]?.stringValue == "queued")

                // The relay finds nothing to enqueue: no second entry for any seeded job.
                try await Task.sleep(for: .milliseconds(500))
                #expect(try backends.streamEntries("jobs:stream:normal").count == normal.count)
            }
        }
    }
}
