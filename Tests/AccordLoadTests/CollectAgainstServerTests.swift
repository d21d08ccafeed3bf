import AccordTestSupport
import AccordHTTP
import AccordHTTPTypes
import AccordJSON
import AccordLoad
import AccordEnvironment
import Foundation
import Testing

/// A short real load against `accord serve --store memory` (the executable, as a child
/// process): what the engine collects and checks must match what the server holds.
@Suite("Load engine against accord serve", .serialized)
struct CollectAgainstServerTests {
    static var executable: String { Executables.accord.path }

    static func withServer<T>(_ body: (String) async throws -> T) async throws -> T {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("accord-load-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log").path
        let server = try await ServerProcess.start(executable: executable, arguments: ["serve", "--store", "memory", "--port", "0"], logFile: log)
        do {
            let value = try await body(server.url)
            _ = await server.stop()
            try? FileManager.default.removeItem(atPath: log)
            return value
        } catch {
            _ = await server.stop()
            throw error
        }
    }

    static func get(_ url: String) async throws -> (status: Int, body: JSON) {
        let response = try await BlockingHTTP.perform(ClientRequest(url: url)).get()
        return (response.status, try JSON.parse(bytes: response.body))
    }

    @Test func collectedJobIdsAreExactlyTheJobsTheServerHolds() async throws {
        try await Self.withServer { base in
            let create = LoadRequest(
                request: ClientRequest(method: "POST", url: base + "/api/v1/jobs?domain=load.example&url=https://load.example/&job_type=t"),
                weight: 1, accepts: { $0 == 201 }, collect: "job_id")
            let health = LoadRequest(request: ClientRequest(url: base + "/health"), weight: 1)
            var plan = LoadPlan(requests: [create, health], connections: 4, durationNanoseconds: 500_000_000)
            plan.serverTiming = true
            let result = await LoadRun.run(plan)
            #expect(result.setupError == nil)
            #expect(result.recorder.errorCount == 0)
            let ids = try #require(result.collected.first)
            #expect(!ids.isEmpty)
            #expect(result.collected.count == 2 && result.collected[1].isEmpty)
            // Every answered create was collected, once.
            #expect(ids.count == result.perRequest[0].completed)
            #expect(Set(ids).count == ids.count)
            // The server holds exactly those jobs: as many, and each of them.
            let stats = try await Self.get(base + "/api/v1/queue/stats")
            #expect(stats.body["jobs"]?["total"]?.intValue.map(Int.init) == ids.count)
            for id in ids {
                let job = try await Self.get(base + "/api/v1/jobs/" + id)
                #expect(job.status == 200 && job.body["job_id"]?.stringValue == id)
            }
            // The server's own timing came back with every answer, phase by phase.
            let app = try #require(result.recorder.phases["app"])
            #expect(Int(app.totalCount) == result.recorder.completed)
            #expect(result.perRequest[0].phases["db"] != nil)
        }
    }

    @Test func answersOutsideTheStatusExpectationAreErrorsAndCollectNothing() async throws {
        try await Self.withServer { base in
            // /health answers 200: a load that expects 204 fails every answer, and since none is
            // accepted none is collected.
            let health = LoadRequest(request: ClientRequest(url: base + "/health"), weight: 1, accepts: { $0 == 204 }, collect: "status")
            let plan = LoadPlan(requests: [health], connections: 2, durationNanoseconds: 300_000_000)
            let result = await LoadRun.run(plan)
            #expect(result.recorder.completed > 0)
            #expect(result.recorder.errors == [.status: result.recorder.completed])
            #expect(result.collected == [[]])
            #expect(result.recorder.phases.isEmpty)  // Server-Timing off
        }
    }

    @Test func theDefaultExpectationCollectsAFieldOfEveryAnswer() async throws {
        try await Self.withServer { base in
            let health = LoadRequest(request: ClientRequest(url: base + "/health"), collect: "status")
            let plan = LoadPlan(requests: [health], connections: 2, durationNanoseconds: 300_000_000)
            let result = await LoadRun.run(plan)
            #expect(result.recorder.errorCount == 0)
            #expect(result.collected[0].count == result.recorder.completed)
            #expect(Set(result.collected[0]) == ["healthy"])
        }
    }

    @Test func rampingStagesSendWhatTheScheduleHolds() async throws {
        try await Self.withServer { base in
            // 0 → 200 req/s over 0.3 s, back to 0 over 0.3 s: 60 arrivals, plus request 0 at once.
            var plan = LoadPlan(
                requests: [(request: ClientRequest(url: base + "/health"), weight: 1)], connections: 8, durationNanoseconds: 1,
                model: .open(rate: 0))
            plan.stages = [Stage(durationNanoseconds: 300_000_000, target: 200), Stage(durationNanoseconds: 300_000_000, target: 0)]
            let result = await LoadRun.run(plan)
            #expect(result.setupError == nil)
            #expect(result.sent <= 61)
            #expect(result.sent + result.behind == 61)
            #expect(result.recorder.completed == result.sent)
        }
    }

    /// More connections than one libcurl multi handle serves (`LoadEngine.shardSize`): every
    /// shard's connections send and are answered, and each answer is a job the server holds.
    @Test func connectionsAcrossSeveralMultiHandlesAreAllAnswered() async throws {
        try await Self.withServer { base in
            let create = LoadRequest(
                request: ClientRequest(method: "POST", url: base + "/api/v1/jobs?domain=shards.example&url=https://shards.example/&job_type=t"),
                accepts: { $0 == 201 }, collect: "job_id")
            // 21 connections: shards of 8, 8 and 5.
            let plan = LoadPlan(requests: [create], connections: 21, durationNanoseconds: 500_000_000)
            let result = await LoadRun.run(plan)
            #expect(result.setupError == nil)
            #expect(result.recorder.errorCount == 0)
            // A shard whose transfers never ran would leave its requests sent and unanswered.
            #expect(result.sent >= 21)
            #expect(result.recorder.completed == result.sent)
            #expect(result.collected[0].count == result.sent)
            let stats = try await Self.get(base + "/api/v1/queue/stats")
            #expect(stats.body["jobs"]?["total"]?.intValue.map(Int.init) == result.sent)
        }
    }

    /// An endpoint that sends several requests (here /health under two URLs) is measured as
    /// one group: its counts are its requests' together, and the groups' seconds add up to the
    /// run's, second by second.
    @Test func groupsAreMeasuredAsOneEndpoint() async throws {
        try await Self.withServer { base in
            let requests = [
                LoadRequest(request: ClientRequest(url: base + "/health")),
                LoadRequest(request: ClientRequest(url: base + "/health?probe=2")),
                LoadRequest(request: ClientRequest(url: base + "/api/v1/queue/stats")),
            ]
            var plan = LoadPlan(requests: requests, connections: 3, durationNanoseconds: 1_500_000_000)
            plan.groups = [0, 0, 1]
            let result = await LoadRun.run(plan)
            #expect(result.recorder.errorCount == 0)
            try #require(result.perGroup.count == 2)
            let health = result.perGroup[0]
            #expect(health.completed > 0)
            #expect(health.completed == result.perRequest[0].completed + result.perRequest[1].completed)
            #expect(result.perGroup[1].completed == result.perRequest[2].completed)
            #expect(health.corrected.totalCount == result.perRequest[0].corrected.totalCount + result.perRequest[1].corrected.totalCount)
            #expect(result.perRequest.allSatisfy { $0.seconds.isEmpty })
            #expect(health.seconds.count == result.recorder.seconds.count)
            for (index, second) in result.recorder.seconds.enumerated() {
                #expect(second.requests == health.seconds[index].requests + result.perGroup[1].seconds[index].requests)
                // Each second of the group carries its own histogram (what its p99 comes from).
                #expect(health.seconds[index].requests == 0 || health.seconds[index].latency.hasPrefix("HISTF"))
            }
        }
    }
}
