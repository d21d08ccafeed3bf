import AccordTestSupport
import AccordHTTP
import AccordHTTPTypes
import AccordJSON
import ControlPlane
import Foundation
import Testing

/// Group commit keeps every guarantee of CONTRACT.md: creates batched into one commit and
/// one Redis pipeline, on real PostgreSQL 15 and Redis 7.
///
/// To put requests in the same batch without relying on timing, the batches here close on
/// size (the number of requests sent) long before a generous deadline; `/metrics` then shows
/// the batch sizes that really happened.
@Suite("Group commit", .serialized)
struct GroupCommitTests {
    /// A server whose create batches close at `size` requests (or after 30 s).
    static func config(_ backends: Backends, batchSize size: Int, inFlight: Int = 2) -> ServerConfig {
        var config = backends.serverConfig
        config.createBatch = BatchLimits(maxSize: size, maxDelay: .seconds(30), maxInFlight: inFlight)
        return config
    }

    static func create(_ baseURL: String, _ query: String, body: String = "{}") -> ClientRequest {
        ClientRequest(
            method: "POST", url: baseURL + "/api/v1/jobs?" + query, headers: [("Content-Type", "application/json")],
            body: Array(body.utf8), timeoutMilliseconds: 60_000)
    }

    /// The value of one sample line of `/metrics`, e.g. `accord_batch_size_count{batch="create"}`.
    static func metric(_ server: TestServer, _ sample: String) async throws -> Double? {
        let text = try await server.get("/metrics").bodyText
        return text.split(separator: "\n").first { $0.hasPrefix(sample + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func identicalKeysInOneBatchMakeOneJobAndDifferentParametersConflict() async throws {
        try await Backends.with { backends in
            try await TestServer.with(Self.config(backends, batchSize: 40)) { server in
                // 40 requests with one key, in one batch: 30 ask for one job, 10 for another.
                let same = Self.create(server.baseURL, "domain=a.example&url=https://a.example/&job_type=t&idempotency_key=k1")
                let other = Self.create(server.baseURL, "domain=b.example&url=https://b.example/&job_type=t&idempotency_key=k1")
                let requests = (0..<40).map { $0 % 4 == 3 ? other : same }
                let responses = try await BlockingHTTP.performAll(requests).map { try $0.get() }

                #expect(try await Self.metric(server, #"accord_batch_size_count{batch="create"}"#) == 1)
                #expect(try await Self.metric(server, #"accord_batch_size_sum{batch="create"}"#) == 40)
                let created = responses.indices.filter { responses[$0].status == 201 }
                #expect(created.count == 1)
                let winner = try #require(created.first)
                let id = try #require(try responses[winner].json()["job_id"]?.stringValue)
                for index in responses.indices where index != winner {
                    if requests[index] == requests[winner] {
                        #expect(responses[index].status == 200, "request \(index)")
                        #expect(responses[index].header("Idempotent-Replayed") == "true")
                        #expect(try responses[index].json()["job_id"]?.stringValue == id)
                    } else {
                        #expect(responses[index].status == 409, "request \(index)")
                    }
                }
                #expect(try backends.rows("SELECT id FROM jobs") == [[id]])
                #expect(try backends.entries(for: id).count == 1)
            }
        }
    }

    @Test func concurrentBatchesSharingKeysKeepEveryJobOnceInRowsAndStreams() async throws {
        try await Backends.with { backends in
            // 200 requests in batches of 50, two batches committing at once: 100 without a key,
            // and 100 over 20 keys that every batch holds in a different order.
            try await TestServer.with(Self.config(backends, batchSize: 50)) { server in
                var requests: [ClientRequest] = []
                for index in 0..<200 {
                    let query = "domain=m.example&url=https://m.example/&job_type=t&priority=\(index % 4)"
                    let key = index % 2 == 0 ? "&idempotency_key=key-\((index / 2 * 7) % 20)" : ""
                    requests.append(Self.create(server.baseURL, query + key))
                }
                let responses = try await BlockingHTTP.performAll(requests).map { try $0.get() }
                #expect(try await Self.metric(server, #"accord_batch_size_sum{batch="create"}"#) == 200)
                #expect(responses.filter { $0.status == 201 }.count == 120)
                #expect(responses.filter { $0.status == 200 && $0.header("Idempotent-Replayed") == "true" }.count == 80)

                let ids = Set(try responses.filter { $0.status == 201 }.map { try #require(try $0.json()["job_id"]?.stringValue) })
                #expect(ids.count == 120)
                #expect(try backends.rows("SELECT count(*), count(DISTINCT idempotency_key) FROM jobs") == [["120", "20"]])
                #expect(try backends.rows("SELECT count(*) FROM jobs WHERE status = 'queued' AND enqueued_at IS NOT NULL") == [["120"]])
                var streamed: [String: Int] = [:]
                for stream in QueueKeys.allStreams {
                    for entry in try backends.streamEntries(stream) { streamed[entry.fields["job_id"] ?? "", default: 0] += 1 }
                }
                #expect(Set(streamed.keys) == ids)
                #expect(streamed.values.allSatisfy { $0 == 1 })
                // The trigger-maintained counters agree with the rows after multi-row inserts.
                let stats = try await server.get("/api/v1/queue/stats").json()
                #expect(stats["jobs"]?["total"]?.intValue == 120)
                #expect(stats["jobs"]?["by_status"]?["queued"]?.intValue == 120)
                #expect(stats["total"]?.intValue == 120)
            }
        }
    }

    @Test func aBatchCommittedWhileRedisIsDownReachesItsStreamsOnce() async throws {
        try await Backends.with { backends in
            try await TestServer.with(Self.config(backends, batchSize: 30)) { server in
                await backends.redis.stopServer()
                let requests = (0..<30).map {
                    Self.create(server.baseURL, "domain=o.example&url=https://o.example/&job_type=t&priority=\($0 % 4)")
                }
                let responses = try await BlockingHTTP.performAll(requests).map { try $0.get() }
                #expect(responses.allSatisfy { $0.status == 201 })
                #expect(try await Self.metric(server, #"accord_batch_size_count{batch="create"}"#) == 1)
                let ids = Set(try responses.map { try #require(try $0.json()["job_id"]?.stringValue) })
                #expect(ids.count == 30)
                #expect(try backends.rows("SELECT count(*) FROM jobs WHERE status = 'pending' AND enqueued_at IS NULL") == [["30"]])
                // The relay sees them waiting.
                #expect(await eventually { (try? await Self.metric(server, "accord_relay_backlog")) == 30 })

                try await backends.redis.startServer()
                let relayed = await eventually {
                    (try? backends.rows("SELECT count(*) FROM jobs WHERE status = 'queued' AND enqueued_at IS NOT NULL")) == [["30"]]
                }
                #expect(relayed)
                var streamed: [String: Int] = [:]
                for stream in QueueKeys.allStreams {
                    for entry in try backends.streamEntries(stream) { streamed[entry.fields["job_id"] ?? "", default: 0] += 1 }
                }
                #expect(Set(streamed.keys) == ids)
                #expect(streamed.values.allSatisfy { $0 == 1 })
                #expect(await eventually { (try? await Self.metric(server, "accord_relay_backlog")) == 0 })
            }
        }
    }

    @Test func batchedReadsAnswerEachLookupWithItsOwnJob() async throws {
        try await Backends.with { backends in
            var config = backends.serverConfig
            config.readBatch = BatchLimits(maxSize: 30, maxDelay: .seconds(30), maxInFlight: 1)
            try await TestServer.with(config) { server in
                var ids: [String] = []
                for priority in 0..<4 {
                    let response = try await server.createJob("domain=r\(priority).example&url=https://r.example/&job_type=t&priority=\(priority)")
                    ids.append(try #require(try response.json()["job_id"]?.stringValue))
                }
                _ = try await server.send("POST", "/api/v1/jobs/\(ids[1])/cancel")
                // 30 lookups in one query: each job several times, and unknown ids.
                let unknown = JobID.random()
                let asked = (0..<30).map { $0 % 5 == 4 ? unknown : ids[$0 % 4] }
                let requests = asked.map { ClientRequest(url: server.baseURL + "/api/v1/jobs/\($0)", timeoutMilliseconds: 60_000) }
                let responses = try await BlockingHTTP.performAll(requests).map { try $0.get() }
                #expect(try await Self.metric(server, #"accord_batch_size_bucket{batch="read",le="32"}"#) == 1)
                for (id, response) in zip(asked, responses) {
                    if id == unknown {
                        #expect(response.status == 404)
                    } else {
                        #expect(response.status == 200)
                        let document = try response.json()
                        #expect(document["job_id"]?.stringValue == id)
                        #expect(document["status"]?.stringValue == (id == ids[1] ? "cancelled" : "queued"))
                    }
                }
            }
        }
    }

    @Test func requestsWaitingInABatchAtSIGTERMAreCommittedAndAnswered() async throws {
        try await Backends.with { backends in
            // A batch that would wait a minute: only the shutdown closes it in time.
            let server = try ServeProcess([
                "--database-url", backends.postgres.url, "--redis-url", backends.redis.url,
                "--batch-size", "1000", "--batch-delay-ms", "60000",
            ])
            let requests = (0..<20).map {
                var request = Self.create(server.baseURL, "domain=s.example&url=https://s.example/&job_type=t&idempotency_key=sig-\($0)")
                request.timeoutMilliseconds = 20_000
                return request
            }
            let sending = Task { await BlockingHTTP.performAll(requests) }
            let waiting = await eventually(within: 15) {
                let metrics = try? await BlockingHTTP.perform(.init(url: server.baseURL + "/metrics")).get().bodyText
                return metrics?.contains(#"accord_batch_waiting{batch="create"} 20.0"#) == true
            }
            #expect(waiting, "the 20 creates never waited in one batch")
            let status = try await server.terminate()
            #expect(status == 0)
            let responses = await sending.value
            #expect(responses.allSatisfy { (try? $0.get().status) == 201 }, "\(responses.map { (try? $0.get().status) ?? 0 })")
            #expect(try backends.rows("SELECT count(*) FROM jobs WHERE idempotency_key LIKE 'sig-%'") == [["20"]])
            var streamed = 0
            for stream in QueueKeys.allStreams { streamed += try backends.streamEntries(stream).count }
            #expect(streamed == 20)
        }
    }
}
