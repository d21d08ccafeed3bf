import AccordTestSupport
import AccordChecks
import AccordRunner
import ControlPlane
import Testing

/// CONTRACT.md's rate limiting, over HTTP, on both bucket stores, and through the shipped
/// `ratelimit` specs.
@Suite("Rate limiting", .serialized)
struct RateLimitTests {
    static func config(_ limits: String) throws -> ServerConfig {
        var config = ServerConfig(store: .memory)
        guard let parsed = RateLimits(parsing: limits) else { throw TestFailure("bad limits \(limits)") }
        config.rateLimits = parsed
        return config
    }

    @Test(arguments: [
        ("default", [100, 1000, 200] as [Int]?),
        ("on", [100, 1000, 200]),
        ("stats=5", [100, 1000, 5]),
        ("create=1,status=2,stats=3", [1, 2, 3]),
        ("stats=0", nil),
        ("reads=5", nil),
        ("stats=x", nil),
        ("stats=5,window=3600", [100, 1000, 5]),
        ("window=0", nil),
    ])
    func limitsParse(text: String, expected: [Int]?) {
        let limits = RateLimits(parsing: text)
        #expect(limits.map { [$0.perMinute[.create], $0.perMinute[.status], $0.perMinute[.stats]].compactMap { $0 } } == expected)
    }

    @Test func aBucketEmptiesThenAnswers429WithRetryAfter() async throws {
        try await TestServer.with(try Self.config("stats=3")) { server in
            for remaining in [2, 1, 0] {
                let response = try await server.get("/api/v1/queue/stats")
                #expect(response.status == 200)
                #expect(response.header("X-RateLimit-Limit") == "3")
                #expect(response.header("X-RateLimit-Remaining") == String(remaining))
            }
            let refused = try await server.get("/api/v1/queue/stats")
            #expect(refused.status == 429)
            #expect((refused.header("Retry-After").flatMap { Int($0) } ?? 0) >= 1)
            #expect(refused.header("X-RateLimit-Remaining") == "0")
            #expect(try refused.json()["detail"]?.stringValue?.isEmpty == false)
            // Another class has its own bucket; health is never limited.
            #expect(try await server.get("/api/v1/jobs/not-a-uuid").status == 404)
            let health = try await server.get("/health")
            #expect(health.status == 200)
            #expect(health.header("X-RateLimit-Limit") == nil)
        }
    }

    @Test func errorsCarryTheLimitHeadersToo() async throws {
        try await TestServer.with(try Self.config("default")) { server in
            let invalid = try await server.send("POST", "/api/v1/jobs")
            #expect(invalid.status == 422)
            #expect(invalid.header("X-RateLimit-Limit") == "100")
            #expect(invalid.header("X-RateLimit-Remaining") == "99")
        }
    }

    /// The contract's limits over an hour rather than a minute: the same bursts, but a refill
    /// too slow to race the "right after the burst" case on a busy machine.
    @Test func theShippedRatelimitSpecsPassOnTheMemoryStore() async throws {
        try await TestServer.with(try Self.config("default,window=3600")) { server in
            let specs = try FaultDetectionTests.specs().filter { $0.path.hasSuffix("ratelimit.yaml") }
            let run = try await CheckRunner(options: CheckOptions(target: server.baseURL, tags: ["ratelimit"])).run(specs)
            #expect(FaultDetectionTests.failing(run) == [])
            #expect(run.count(.passed) >= 6)
        }
    }

    @Test func theShippedRatelimitSpecsPassWithBucketsInRedis() async throws {
        try await Backends.with { backends in
            var config = backends.serverConfig
            config.rateLimits = RateLimits(perMinute: RateLimits.contractDefaults.perMinute, windowSeconds: 3600)
            try await TestServer.with(config) { server in
                let specs = try FaultDetectionTests.specs().filter { $0.path.hasSuffix("ratelimit.yaml") }
                let run = try await CheckRunner(options: CheckOptions(target: server.baseURL, tags: ["ratelimit"])).run(specs)
                #expect(FaultDetectionTests.failing(run) == [])
                let keys = try backends.redisCommand("KEYS", "ratelimit:*").arrayValue ?? []
                #expect(keys.count >= 2, "buckets live in Redis")
            }
        }
    }
}
