import AccordEnvironment
import AccordResults
import AccordTestSupport
import Foundation
import Testing

/// Two shards of `accord load` against one `accord serve` on throwaway PostgreSQL and Redis,
/// started together by `--start-at`, then `accord merge`: the merged requests are the sum of
/// the shards', no two shards created the same job (`{{seq}}` partitioned), and the
/// reconciliation over both shards' acknowledged jobs holds.
@Suite("Shards and merge (the executable)", .serialized)
struct ShardMergeTests {
    static let spec = """
        suite: shards
        health: {path: /health, status: 200}
        reconcile:
          create_job:
            collect: $.job_id
            postgres: "SELECT id FROM jobs WHERE id = ANY($1::text[])"
            redis: {streams: "jobs:stream:*", field: job_id}
        endpoints:
          create_job:
            method: POST
            path: /api/v1/jobs
            query: {domain: shard.example, url: "https://shard.example/page/{{seq}}", job_type: navigate_extract}
            json: {depth: 1}
            expect_status: 201
        targets:
          create_job: {p99: "< 2000ms", rps: ">= 60", error_rate: "< 1%"}
        scenarios:
          - name: steady
            users: 4
            duration: 2s
            mix: {create_job: 1}
        """

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    @Test func twoShardsStartTogetherAndMergeIntoOneVerdict() async throws {
        try await Backends.with { backends in
            let server = try ServeProcess(["--database-url", backends.postgres.url, "--redis-url", backends.redis.url, "--log-level", "warning"])
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accord-shards-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let specPath = directory + "/shards.yaml"
            try Self.spec.write(toFile: specPath, atomically: true, encoding: .utf8)
            let target = server.baseURL
            let startAt = Self.rfc3339(Date().addingTimeInterval(3))
            async let first = Executables.run(
                ["load", specPath, "--target", target, "--shard", "0/2", "--start-at", startAt, "--profile", "smoke", "--load-seconds", "2",
                 "--no-capacity", "--threads", "1", "--reports", directory + "/r0", "--json", directory + "/shard-0.json"], timeout: 90)
            // The second takes its index from JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job's pod does.
            async let second = Executables.run(
                ["load", specPath, "--target", target, "--shard", "/2", "--start-at", startAt, "--profile", "smoke", "--load-seconds", "2",
                 "--no-capacity", "--threads", "1", "--reports", directory + "/r1", "--json", directory + "/shard-1.json"],
                environment: ["JOB_COMPLETION_INDEX": "1"], timeout: 90)
            let shards = try await [first, second]
            for shard in shards { #expect(shard.status == 0, "stdout: \(shard.stdout)\nstderr: \(shard.stderr)") }
            let documents = try (0..<2).map { index in
                let path = directory + "/shard-\(index).json"
                return try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: path)), path: path)
            }
            #expect(documents.map { $0.shard?.index } == [0, 1] && documents.allSatisfy { $0.shard?.count == 2 })
            // Both started at the instant given (a loaded 2-core machine may be a little late).
            #expect(documents.allSatisfy { ($0.shard?.lateBy ?? 99) < 1.5 })
            // A shard does not judge: no target or reconciliation verdict in its document.
            #expect(documents.allSatisfy { $0.suites.allSatisfy { $0.name != "targets" && $0.name != "reconciliation" } })
            let ids = documents.map { Set($0.reconciliation.flatMap { $0.acknowledgedIDs ?? [] }) }
            #expect(ids.allSatisfy { !$0.isEmpty } && ids[0].isDisjoint(with: ids[1]))

            let merge = try await Executables.run(
                ["merge", directory + "/shard-0.json", directory + "/shard-1.json", "--reports", directory + "/merged",
                 "--database-url", backends.postgres.url, "--redis-url", backends.redis.url, "--json", directory + "/merged.json"], timeout: 90)
            #expect(merge.status == 0, "stdout: \(merge.stdout)\nstderr: \(merge.stderr)")
            let merged = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: directory + "/merged.json")), path: "merged.json")
            #expect(merged.kind == .merge && merged.shards?.count == 2)
            let phase = try #require(merged.endpoints.first)
            #expect(phase.measurement.requests == documents.reduce(0) { $0 + ($1.endpoints.first?.measurement.requests ?? 0) })
            #expect(phase.latency.totalCount == documents.reduce(0) { $0 + ($1.endpoints.first?.latency.totalCount ?? 0) })
            // The scenario started at its planned instant on both shards, and its requests add up too.
            let scenario = try #require(merged.scenarios.first)
            #expect(scenario.measurement.requests == documents.reduce(0) { $0 + ($1.scenarios.first?.measurement.requests ?? 0) })
            let scenarioStarts = documents.compactMap { $0.scenarios.first?.startOffset }
            #expect(scenarioStarts.count == 2 && abs(scenarioStarts[0] - scenarioStarts[1]) < 1)
            // One reconciliation per phase, over both shards' ids, none lost or duplicated.
            #expect(merged.reconciliation.map(\.phase) == ["create_job", "scenario steady"])
            #expect(merged.reconciliation.reduce(0) { $0 + $1.acknowledged } == ids[0].count + ids[1].count)
            for reconciliation in merged.reconciliation {
                #expect(
                    reconciliation.lostInDatabase == 0 && reconciliation.lostInStreams == 0 && reconciliation.duplicatedInDatabase == 0,
                    "\(reconciliation)")
            }
            #expect(merged.suite(named: "reconciliation")?.cases.allSatisfy { $0.outcome == .passed } == true)
            #expect(merged.suite(named: "targets")?.cases.isEmpty == false)
            let html = try String(contentsOfFile: directory + "/merged/latest/report.html", encoding: .utf8)
            #expect(html.contains("Shards") && html.contains("Generator-bound") && html.contains("shard-1.json"))
            #expect(merge.stdout.contains("shard 1:"))

            // The same document twice is refused, naming it; so is a lone shard of two.
            let twice = try await Executables.run(["merge", directory + "/shard-0.json", directory + "/shard-0.json", "--reports", directory + "/x"])
            #expect(twice.status == 2 && twice.stderr.contains("are both shard 0"))
            let lone = try await Executables.run(["merge", directory + "/shard-1.json", "--reports", directory + "/x"])
            #expect(lone.status == 2 && lone.stderr.contains("shard 0 of 2 is missing"))
            _ = try await server.terminate()
        }
    }

    @Test func shardsNeedATargetAndAValidShard() async throws {
        let noTarget = try await Executables.run(["load", "specs/load.yaml", "--shard", "0/2"])
        #expect(noTarget.status == 2 && noTarget.stderr.contains("give --target"))
        let outOfRange = try await Executables.run(["load", "specs/load.yaml", "--target", "http://127.0.0.1:9", "--shard", "2/2"])
        #expect(outOfRange.status == 2 && outOfRange.stderr.contains("must be from 0 to 1"))
        let badInstant = try await Executables.run(["load", "specs/load.yaml", "--target", "http://127.0.0.1:9", "--shard", "0/2", "--start-at", "soon"])
        #expect(badInstant.status == 2 && badInstant.stderr.contains("RFC 3339"))
    }
}
