import AccordResults
import AccordTestSupport
import Foundation
import Testing

/// `accord load` against an API shaped nothing like the control plane (`TaskAPI`: tasks at
/// /v2/tasks, the id at $.data.uuid, table `tasks`, streams `tq:*`, health at /ready): the
/// spec alone tells the runner its pool, feeder, health and reconciliation, and every
/// request carries its own data.
@Suite("A second API, declared by its spec alone", .serialized)
struct SecondAPITests {
    static func spec(feeder: String) -> String {
        """
        suite: tasks
        health: {path: /ready, status: 204}
        pools:
          tasks: {from: seed_task, collect: $.data.uuid, size: 40, draw: {zipf: 1.2}}
        feeders:
          titles: {file: \(feeder), order: sequential}
        reconcile:
          create_task:
            collect: $.data.uuid
            postgres: "SELECT uuid FROM tasks WHERE uuid = ANY($1::text[])"
            redis: {streams: "tq:*", field: uuid}
        endpoints:
          seed_task:
            method: POST
            path: /v2/tasks
            json: {title: "pool-{{seq}}", site: "{{random_int 1 9}}.example"}
            expect_status: 202
          create_task:
            method: POST
            path: /v2/tasks
            json: {title: "{{feed.titles.title}}", site: "{{feed.titles.site}}", key: "{{uuid}}"}
            expect_status: 202
          read_task:
            method: GET
            path: "/v2/tasks/{{pool.tasks}}"
            expect_status: 200
        targets:
          create_task: {error_rate: "< 1%"}
          read_task: {error_rate: "< 1%"}
        """
    }

    /// Titles a feeder hands out; every fifth row causes one of the API's faults.
    static func feederRows(faults: Bool) -> String {
        var lines = ["title,site"]
        for row in 0..<60 {
            let fault = faults ? ["", "", "-drop", "", "-dup", "", "-del"][row % 7] : ""
            lines.append("\"t\(row), quoted\(fault)\",s\(row % 5).example")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    struct Outcome {
        var report: ResultsDocument
        var api: TaskAPI
        var finished: Finished
    }

    func run(faults: Bool) async throws -> Outcome {
        try await Backends.with { backends in
            try await TaskAPI.with(databaseURL: backends.postgres.url, redisURL: backends.redis.url) { api in
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("accord-tasks-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }
                try Self.feederRows(faults: faults).write(to: folder.appendingPathComponent("titles.csv"), atomically: true, encoding: .utf8)
                let specPath = folder.appendingPathComponent("tasks.yaml").path
                try Self.spec(feeder: "titles.csv").write(toFile: specPath, atomically: true, encoding: .utf8)
                let json = folder.appendingPathComponent("results.json").path
                let finished = try await Executables.run(
                    [
                        "load", specPath, "--target", api.baseURL, "--database-url", backends.postgres.url, "--redis-url", backends.redis.url,
                        "--profile", "smoke", "--load-seconds", "1", "--no-capacity", "--threads", "2", "--json", json, "--quiet",
                    ], timeout: 180)
                let report = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
                return Outcome(report: report, api: api, finished: finished)
            }
        }
    }

    @Test func poolsFeedersAndReconciliationWorkFromTheSpecAlone() async throws {
        let outcome = try await run(faults: false)
        let report = outcome.report
        #expect(outcome.finished.status == 0, "stdout: \(outcome.finished.stdout)\nstderr: \(outcome.finished.stderr)")
        let create = try #require(report.endpoints.first { $0.name == "create_task" })
        let read = try #require(report.endpoints.first { $0.name == "read_task" })
        // Reads drew from the pool of tasks created first: every one of them exists.
        #expect(read.measurement.requests > 0 && read.errorsByKind.isEmpty)
        // The pool was filled through seed_task: 40 titles "pool-N", all different.
        let titles = outcome.api.titles
        let pooled = titles.filter { $0.hasPrefix("pool-") }
        #expect(pooled.count == 40 && Set(pooled).count == 40)
        // Creates carried the feeder's rows, in order, quoting and all: each request its own.
        let fed = titles.filter { !$0.hasPrefix("pool-") }
        #expect(fed.count == create.measurement.requests)
        #expect(fed.prefix(3).allSatisfy { $0.hasPrefix("t") && $0.hasSuffix(", quoted") })
        #expect(Set(fed).count == min(fed.count, 60))
        // Every acknowledged create was found once in `tasks` and once in a `tq:*` stream.
        let reconciliation = try #require(report.reconciliation.first { $0.phase == "create_task" })
        #expect(reconciliation.acknowledged == create.measurement.requests)
        #expect(reconciliation.lostInDatabase == 0 && reconciliation.duplicatedInDatabase == 0)
        #expect(reconciliation.lostInStreams == 0 && reconciliation.duplicatedInStreams == 0)
        #expect(reconciliation.note == nil)
        #expect(report.passed)
    }

    @Test func lostAndDuplicatedItemsOfAnotherAPIAreCountedExactly() async throws {
        let outcome = try await run(faults: true)
        let faults = outcome.api.faults
        // The load ran long enough to cause every kind of fault.
        #expect((faults["drop"] ?? 0) > 0 && (faults["dup"] ?? 0) > 0 && (faults["del"] ?? 0) > 0)
        let reconciliation = try #require(outcome.report.reconciliation.first { $0.phase == "create_task" })
        #expect(reconciliation.lostInStreams == faults["drop"])
        #expect(reconciliation.duplicatedInStreams == faults["dup"])
        #expect(reconciliation.lostInDatabase == faults["del"])
        #expect(reconciliation.duplicatedInDatabase == 0)
        #expect(!outcome.report.passed)
        #expect(outcome.finished.status == 1, "stderr: \(outcome.finished.stderr)")
    }
}
