import AccordTestSupport
import AccordStorage
import AccordHTTP
import AccordHTTPTypes
import AccordJSON
import ControlPlane
import Testing

/// The contract's storage and queueing guarantees, on real PostgreSQL 15 and Redis 7 that
/// each test starts for itself.
@Suite("PostgreSQL and Redis", .serialized)
struct PostgresRedisTests {
    @Test func a201LeavesOneRowAndExactlyOneStreamEntry() async throws {
        try await Backends.with { backends in
            try await TestServer.with(backends.serverConfig) { server in
                let response = try await server.createJob(
                    "domain=shop.example&url=https://shop.example/p/1&job_type=navigate_extract&strategy=stealth&priority=1&timeout_seconds=60",
                    body: ##"{"selector": "#price", "n": [1, 2]}"##)
                #expect(response.status == 201)
                let id = try #require(try response.json()["job_id"]?.stringValue)

                let rows = try backends.rows(
                    "SELECT domain, url, job_type, strategy, payload, priority, status, max_attempts, attempts, timeout_seconds, enqueued_at IS NOT NULL FROM jobs WHERE id = $1",
                    [id])
                #expect(rows.count == 1)
                let row = try #require(rows.first)
                #expect(row[0] == "shop.example")
                #expect(row[1] == "https://shop.example/p/1")
                #expect(row[2] == "navigate_extract")
                #expect(row[3] == "stealth")
                #expect(try row[4].map { try JSON.parse($0) } == JSON.parse(##"{"n":[1,2],"selector":"#price"}"##))
                #expect(row[5] == "1")
                #expect(row[6] == "queued")
                #expect(row[7] == "3")
                #expect(row[8] == "0")
                #expect(row[9] == "60")
                #expect(row[10] == "t")

                let entries = try backends.entries(for: id)
                #expect(entries.count == 1)
                let entry = try #require(entries.first)
                #expect(entry.stream == "jobs:stream:high")
                #expect(entry.fields["priority"] == "1")
                #expect(entry.fields["domain"] == "shop.example")
                #expect(entry.fields["attempts"] == "0")
                #expect(entry.fields["timestamp"]?.hasSuffix("Z") == true)
                let jobData = try JSON.parse(try #require(entry.fields["job_data"]))
                #expect(jobData["id"]?.stringValue == id)
                #expect(jobData["url"] == "https://shop.example/p/1")
                #expect(jobData["type"] == "navigate_extract")
                #expect(jobData["domain"] == "shop.example")
                #expect(jobData["strategy"] == "stealth")
                #expect(jobData["priority"]?.intValue == 1)
                #expect(jobData["timeout_seconds"]?.intValue == 60)
                #expect(jobData["payload"]?["selector"] == "#price")

                let groups = try backends.redisCommand("XINFO", "GROUPS", "jobs:stream:high")
                #expect(groups.arrayValue?.count == 1)
            }
        }
    }

    @Test func fiftyConcurrentCreatesWithOneKeyMakeOneJob() async throws {
        try await Backends.with { backends in
            try await TestServer.with(backends.serverConfig) { server in
                let request = ClientRequest(
                    method: "POST",
                    url: server.baseURL + "/api/v1/jobs?domain=race.example&url=https://race.example/&job_type=t&idempotency_key=race-1",
                    headers: [("Content-Type", "application/json")], body: Array(#"{"k": 1}"#.utf8))
                let results = await BlockingHTTP.performAll(Array(repeating: request, count: 50))
                let responses = try results.map { try $0.get() }
                #expect(responses.filter { $0.status == 201 }.count == 1)
                let replays = responses.filter { $0.status == 200 }
                #expect(replays.count == 49)
                #expect(replays.allSatisfy { $0.header("Idempotent-Replayed") == "true" })
                let ids = Set(try responses.map { try $0.json()["job_id"]?.stringValue ?? "" })
                #expect(ids.count == 1)
                let id = try #require(ids.first)

                #expect(try backends.rows("SELECT count(*) FROM jobs WHERE idempotency_key = 'race-1'") == [["1"]])
                #expect(try backends.rows("SELECT count(*) FROM jobs") == [["1"]])
                #expect(try backends.entries(for: id).count == 1)
                #expect(try backends.redisCommand("XLEN", "jobs:stream:normal").integerValue == 1)
            }
        }
    }

    @Test func aCreateDuringARedisOutageIsDurableAndReachesItsStreamOnce() async throws {
        try await Backends.with { backends in
            try await TestServer.with(backends.serverConfig) { server in
                await backends.redis.stopServer()
                let response = try await server.createJob("domain=outage.example&url=https://outage.example/&job_type=t&priority=0")
                #expect(response.status == 201)
                let id = try #require(try response.json()["job_id"]?.stringValue)
                #expect(try backends.rows("SELECT status, enqueued_at IS NULL FROM jobs WHERE id = $1", [id]) == [["pending", "t"]])

                let degraded = await eventually { (try? await server.get("/health").status) == 503 }
                #expect(degraded)
                let health = try await server.get("/health").json()
                #expect(health["status"] == "degraded")
                #expect(health["checks"]?["redis"] == "unavailable")
                #expect(health["checks"]?["database"] == "ok")
                // The job is readable while Redis is down; stats say which dependency failed.
                #expect(try await server.get("/api/v1/jobs/\(id)").status == 200)
                let stats = try await server.get("/api/v1/queue/stats")
                #expect(stats.status == 503)
                #expect(try stats.json()["detail"] == "redis unavailable")

                try await backends.redis.startServer()
                let enqueued = await eventually { ((try? backends.entries(for: id).count) ?? 0) > 0 }
                #expect(enqueued)
                // Give the relay several more passes: still exactly one entry.
                try await Task.sleep(for: .milliseconds(500))
                let entries = try backends.entries(for: id)
                #expect(entries.count == 1)
                #expect(entries.first?.stream == "jobs:stream:emergency")
                #expect(try backends.rows("SELECT status, enqueued_at IS NULL FROM jobs WHERE id = $1", [id]) == [["queued", "f"]])
                #expect(await eventually { (try? await server.get("/health").status) == 200 })
            }
        }
    }

    @Test func theRelayNeverDuplicatesAJobAlreadyInItsStream() async throws {
        try await Backends.with { backends in
            // A first server creates the job; then its row is made to look as if the process
            // died between XADD and marking the row.
            let id = try await TestServer.with(backends.serverConfig) { server in
                try #require(try await server.createJob().json()["job_id"]?.stringValue)
            }
            _ = try backends.rows("UPDATE jobs SET enqueued_at = NULL, status = 'pending' WHERE id = $1", [id])
            // And a second job that really never reached Redis.
            let orphan = JobID.random()
            _ = try backends.rows(
                """
                INSERT INTO jobs (id, domain, url, job_type, strategy, payload, priority, status, timeout_seconds)
                VALUES ($1, 'orphan.example', 'https://orphan.example/', 't', 'vanilla', '{}', 3, 'pending', 300)
                """, [orphan])
            try await TestServer.with(backends.serverConfig) { _ in
                let relayed = await eventually { ((try? backends.entries(for: orphan).count) ?? 0) == 1 }
                #expect(relayed)
                #expect(await eventually {
                    (try? backends.rows("SELECT count(*) FROM jobs WHERE enqueued_at IS NULL")) == [["0"]]
                })
            }
            #expect(try backends.entries(for: id).count == 1)
            #expect(try backends.entries(for: orphan).count == 1)
            #expect(try backends.entries(for: orphan).first?.stream == "jobs:stream:low")
        }
    }

    @Test func queueStatsAgreeWithRedisAndTheTable() async throws {
        try await Backends.with { backends in
            try await TestServer.with(backends.serverConfig) { server in
                var ids: [String] = []
                for priority in [0, 1, 2, 2, 2, 3] {
                    let response = try await server.createJob("domain=s.example&url=https://s.example/&job_type=t&priority=\(priority)")
                    ids.append(try #require(try response.json()["job_id"]?.stringValue))
                }
                #expect(try await server.send("POST", "/api/v1/jobs/\(ids[3])/cancel").status == 200)
                // A worker takes two normal jobs without acknowledging them.
                _ = try backends.redisCommand("XREADGROUP", "GROUP", "workers", "w1", "COUNT", "2", "STREAMS", "jobs:stream:normal", ">")

                let stats = try await server.get("/api/v1/queue/stats").json()
                for (name, stream) in zip(QueueKeys.priorityNames, QueueKeys.allStreams) {
                    let length = try backends.redisCommand("XLEN", stream).integerValue
                    let pending = try backends.redisCommand("XPENDING", stream, "workers").arrayValue?.first?.integerValue
                    #expect(stats[name]?["length"]?.intValue == length, "\(name) length")
                    #expect(stats[name]?["pending"]?.intValue == pending, "\(name) pending")
                }
                #expect(stats["normal"]?["pending"]?.intValue == 2)
                #expect(stats["total"]?.intValue == 6)
                let table = try backends.rows("SELECT status, count(*) FROM jobs GROUP BY status")
                for row in table {
                    let status = try #require(row[0])
                    #expect(stats["jobs"]?["by_status"]?[status]?.intValue.map(String.init) == row[1], "\(status)")
                }
                #expect(stats["jobs"]?["total"]?.intValue == 6)
                #expect(stats["jobs"]?["by_status"]?["cancelled"]?.intValue == 1)
                #expect(stats["jobs"]?["by_status"]?["queued"]?.intValue == 5)

                let health = try await server.get("/health").json()
                #expect(await eventually { (try? await server.get("/health").json()["workers"]?.intValue) == 1 })
                #expect(health["checks"]?["database"] == "ok")
            }
        }
    }

    @Test func aSecondServerOnTheSameDatabaseSkipsAppliedMigrations() async throws {
        try await Backends.with { backends in
            let first = try await TestServer.with(backends.serverConfig) { try await $0.createJob().status }
            #expect(first == 201)
            let versions = try backends.rows("SELECT count(*) FROM schema_migrations")
            let second = try await TestServer.with(backends.serverConfig) { server in
                try await server.get("/api/v1/queue/stats").json()["jobs"]?["total"]?.intValue
            }
            #expect(second == 1)
            #expect(try backends.rows("SELECT count(*) FROM schema_migrations") == versions)
        }
    }
}
