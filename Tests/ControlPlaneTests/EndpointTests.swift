import AccordTestSupport
import Foundation
import AccordHTTP
import AccordJSON
import ControlPlane
import Testing

/// Every endpoint of CONTRACT.md over real HTTP, on the memory store.
@Suite("Endpoints (memory store)")
struct EndpointTests {
    @Test func healthReportsHealthyWithChecks() async throws {
        try await TestServer.with { server in
            let response = try await server.get("/health")
            #expect(response.status == 200)
            let body = try response.json()
            #expect(body["status"] == "healthy")
            #expect(body["service"] == "control-plane")
            #expect(body["workers"]?.intValue == 0)
            #expect(body["checks"]?["database"] == "ok")
            #expect(body["checks"]?["redis"] == "ok")
            #expect(response.header("Content-Type") == "application/json")
        }
    }

    @Test func rootDescribesTheService() async throws {
        try await TestServer.with { server in
            let response = try await server.get("/")
            #expect(response.status == 200)
            let body = try response.json()
            #expect(body["service"] == "control-plane")
            #expect(body["status"] == "operational")
            #expect(body["version"]?.stringValue?.isEmpty == false)
        }
    }

    @Test func createThenReadAJob() async throws {
        try await TestServer.with { server in
            let created = try await server.createJob(
                "domain=example.com&url=https%3A%2F%2Fexample.com%2Fa%3Fb%3D1&job_type=navigate_extract&priority=1", body: #"{"depth": 2}"#)
            #expect(created.status == 201)
            let body = try created.json()
            let id = try #require(body["job_id"]?.stringValue)
            #expect(JobID.canonical(id) == id)
            #expect(body["status"] == "created")
            #expect(body["domain"] == "example.com")
            #expect(body["job_type"] == "navigate_extract")

            let status = try await server.get("/api/v1/jobs/\(id)")
            #expect(status.status == 200)
            let document = try status.json()
            #expect(document["job_id"]?.stringValue == id)
            #expect(document["status"] == "queued")
            #expect(document["progress"]?.doubleValue == 0)
            #expect(document["result"] == .null)
            #expect(document["error"] == .null)
            #expect(document["started_at"] == .null)
            #expect(document["completed_at"] == .null)
            #expect(document["artifacts"] == .array([]))
            guard case let .object(members) = document else { throw TestFailure("not an object") }
            #expect(members.map(\.key) == ["job_id", "status", "progress", "result", "error", "started_at", "completed_at", "artifacts"])
        }
    }

    @Test(arguments: [
        "00000000-0000-4000-8000-000000000000",  // well-formed, unknown
        "not-a-uuid",
        "12345",
        "00000000-0000-4000-8000-00000000000g",
        "..%2F..%2Fetc%2Fpasswd",
        "%27%20OR%201%3D1--",
    ])
    func unknownOrMalformedIDsAre404(id: String) async throws {
        try await TestServer.with { server in
            let response = try await server.get("/api/v1/jobs/\(id)")
            #expect(response.status == 404)
            let detail = try response.json()["detail"]?.stringValue ?? ""
            #expect(detail.hasPrefix("Job "))
            #expect(detail.hasSuffix(" not found"))
            let cancel = try await server.send("POST", "/api/v1/jobs/\(id)/cancel")
            #expect(cancel.status == 404)
        }
    }

    @Test func cancelAQueuedJobThenAgainIs409() async throws {
        try await TestServer.with { server in
            let id = try #require(try await server.createJob().json()["job_id"]?.stringValue)
            let first = try await server.send("POST", "/api/v1/jobs/\(id)/cancel")
            #expect(first.status == 200)
            let document = try first.json()
            #expect(document["status"] == "cancelled")
            #expect(document["completed_at"]?.stringValue?.hasSuffix("Z") == true)
            let second = try await server.send("POST", "/api/v1/jobs/\(id)/cancel")
            #expect(second.status == 409)
            #expect(try second.json()["detail"]?.stringValue?.contains("cancelled") == true)
            #expect(try await server.get("/api/v1/jobs/\(id)").json()["status"] == "cancelled")
        }
    }

    @Test func queueStatsCountStreamsAndStatuses() async throws {
        try await TestServer.with { server in
            for priority in [0, 1, 1, 3] {
                let response = try await server.createJob("domain=a.com&url=http://a.com&job_type=t&priority=\(priority)")
                #expect(response.status == 201)
            }
            let id = try #require(try await server.createJob().json()["job_id"]?.stringValue)
            #expect(try await server.send("POST", "/api/v1/jobs/\(id)/cancel").status == 200)

            let stats = try await server.get("/api/v1/queue/stats")
            #expect(stats.status == 200)
            let body = try stats.json()
            #expect(body["emergency"]?["length"]?.intValue == 1)
            #expect(body["high"]?["length"]?.intValue == 2)
            #expect(body["normal"]?["length"]?.intValue == 1)
            #expect(body["low"]?["length"]?.intValue == 1)
            #expect(body["normal"]?["pending"]?.intValue == 0)
            #expect(body["dlq"]?["length"]?.intValue == 0)
            #expect(body["delayed"]?["count"]?.intValue == 0)
            #expect(body["total"]?.intValue == 5)
            #expect(body["jobs"]?["total"]?.intValue == 5)
            #expect(body["jobs"]?["by_status"]?["queued"]?.intValue == 4)
            #expect(body["jobs"]?["by_status"]?["cancelled"]?.intValue == 1)
            #expect(body["jobs"]?["by_status"]?["pending"]?.intValue == 0)
        }
    }

    @Test func replayWithTheSameKeyAnswers200WithTheStoredJob() async throws {
        try await TestServer.with { server in
            let query = "domain=example.com&url=https://example.com/&job_type=t&idempotency_key=order-42"
            let first = try await server.createJob(query, body: #"{"a": 1, "b": [1, 2]}"#)
            #expect(first.status == 201)
            #expect(first.header("Idempotent-Replayed") == nil)
            // Same payload, other key order and spacing: the same request.
            let replay = try await server.createJob(query, body: #"{ "b": [1,2], "a": 1 }"#)
            #expect(replay.status == 200)
            #expect(replay.header("Idempotent-Replayed") == "true")
            #expect(try replay.json()["job_id"] == first.json()["job_id"])
            let stats = try await server.get("/api/v1/queue/stats").json()
            #expect(stats["jobs"]?["total"]?.intValue == 1)
        }
    }

    @Test(arguments: [
        ("domain=other.com&url=https://example.com/&job_type=t&idempotency_key=k", "{}"),
        ("domain=example.com&url=https://example.com/&job_type=t&idempotency_key=k&priority=0", "{}"),
        ("domain=example.com&url=https://example.com/&job_type=t&idempotency_key=k", #"{"x":1}"#),
        ("domain=example.com&url=https://example.com/&job_type=t&idempotency_key=k&strategy=stealth", "{}"),
        ("domain=example.com&url=https://example.com/&job_type=t&idempotency_key=k&timeout_seconds=5", "{}"),
    ])
    func replayWithDifferentParametersIs409(query: String, body: String) async throws {
        try await TestServer.with { server in
            let first = try await server.createJob("domain=example.com&url=https://example.com/&job_type=t&idempotency_key=k", body: "{}")
            #expect(first.status == 201)
            let conflicting = try await server.createJob(query, body: body)
            #expect(conflicting.status == 409)
            #expect(try conflicting.json()["detail"]?.stringValue?.isEmpty == false)
        }
    }

    @Test func bodyOver64KiBIs413AndNothingIsWritten() async throws {
        try await TestServer.with { server in
            let big = #"{"blob":""# + String(repeating: "x", count: 64 * 1024) + #""}"#
            let response = try await server.createJob(body: big)
            #expect(response.status == 413)
            #expect(try response.json()["detail"]?.stringValue?.isEmpty == false)
            #expect(try await server.get("/api/v1/queue/stats").json()["jobs"]?["total"]?.intValue == 0)
            // Exactly at the limit is accepted.
            let padding = 64 * 1024 - #"{"blob":""}"#.utf8.count
            let atLimit = try await server.createJob(body: #"{"blob":""# + String(repeating: "x", count: padding) + #""}"#)
            #expect(atLimit.status == 201)
        }
    }

    @Test func nonJSONContentTypeIs415() async throws {
        try await TestServer.with { server in
            let response = try await server.send(
                "POST", "/api/v1/jobs?domain=a.com&url=http://a.com&job_type=t", body: "a=b", headers: [("Content-Type", "application/x-www-form-urlencoded")])
            #expect(response.status == 415)
        }
    }

    @Test func unknownRoutesAnswerJSON404() async throws {
        try await TestServer.with { server in
            let response = try await server.get("/api/v1/nothing-here")
            #expect(response.status == 404)
            #expect(try response.json()["detail"] == "Not Found")
        }
    }

    @Test func requestIDIsEchoedOrGenerated() async throws {
        try await TestServer.with { server in
            let echoed = try await server.send("GET", "/health", headers: [("X-Request-Id", "trace-123")])
            #expect(echoed.header("X-Request-Id") == "trace-123")
            let generated = try await server.get("/api/v1/jobs/nope")
            #expect(generated.header("X-Request-Id").flatMap(JobID.canonical) != nil)
        }
    }
}

@Suite("Server-Timing header on every API answer")
struct ServerTimingHeaderTests {
    @Test(arguments: ["/api/v1/queue/stats", "/api/v1/jobs/not-a-uuid", "/health"])
    func everyAnswerBreaksItsTimeDown(path: String) async throws {
        try await TestServer.with { server in
            let response = try await server.get(path)
            let header = try #require(response.header("Server-Timing"))
            let parts = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(parts.map { String($0.prefix { $0 != ";" }) } == ["db", "redis", "app"])
            for part in parts {
                let value = try #require(part.split(separator: "=").last.flatMap { Double($0) }, "\(part)")
                #expect(value >= 0)
            }
        }
    }
}
