import AccordTestSupport
import AccordHTTP
import AccordHTTPTypes
import AccordLoad
import Testing

/// A short real load against the reference server: what the engine counts must be what the
/// server counts.
@Suite("Load against accord serve", .serialized)
struct LoadAgainstServerTests {
    @Test func everyCompletedCreateIsAJobTheServerHas() async throws {
        try await TestServer.with { server in
            let create = ClientRequest(
                method: "POST", url: server.baseURL + "/api/v1/jobs?domain=load.example&url=https://load.example/&job_type=t")
            // A count, not a duration: a machine busy with other tests still completes it.
            var plan = LoadPlan(requests: [(request: create, weight: 1)], connections: 4, durationNanoseconds: 60_000_000_000)
            plan.requestLimit = 300
            let result = await LoadRun.run(plan)
            #expect(result.setupError == nil)
            #expect(result.recorder.completed == 300 && result.sent == 300)
            #expect(result.recorder.errorCount == 0)
            let stats = try await server.get("/api/v1/queue/stats").json()
            // Requests still in flight at the end are answered but not counted by the engine.
            let jobs = try #require(stats["jobs"]?["total"]?.intValue)
            #expect(Int(jobs) >= result.recorder.completed)
            #expect(Int(jobs) <= result.sent)
        }
    }

    @Test func aMixIsSentInItsProportionsAndMeasuredPerEndpoint() async throws {
        try await TestServer.with { server in
            let health = ClientRequest(url: server.baseURL + "/health")
            let stats = ClientRequest(url: server.baseURL + "/api/v1/queue/stats")
            let plan = LoadPlan(
                requests: [(request: health, weight: 3), (request: stats, weight: 1)], connections: 2,
                durationNanoseconds: 500_000_000)
            let result = await LoadRun.run(plan)
            let counts = result.perRequest.map(\.completed)
            #expect(counts.reduce(0, +) == result.recorder.completed)
            // Smooth weighted round-robin: within one cycle (4 sends) of exact 3:1.
            #expect(abs(counts[0] - 3 * counts[1]) <= 4)
        }
    }

    @Test func usersWithThinkTimeSendLessThanUsersWithout() async throws {
        try await TestServer.with { server in
            let health = ClientRequest(url: server.baseURL + "/health")
            var plan = LoadPlan(requests: [(request: health, weight: 1)], connections: 2, durationNanoseconds: 500_000_000)
            plan.thinkNanoseconds = 200_000_000...200_000_000
            let result = await LoadRun.run(plan)
            // Each of 2 users sends, thinks 200 ms, sends again: at most 3 requests in 0.5 s each.
            #expect(result.sent <= 6)
            #expect(result.recorder.completed >= 2)
        }
    }
}
