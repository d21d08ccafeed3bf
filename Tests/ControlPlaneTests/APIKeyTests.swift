import AccordTestSupport
import AccordChecks
import AccordRunner
import AccordSpec
import ControlPlane
import Testing

/// CONTRACT.md's API keys, as a table over HTTP and through the shipped `auth` specs.
@Suite("API keys")
struct APIKeyTests {
    static var config: ServerConfig {
        var config = ServerConfig(store: .memory)
        config.apiKeys = ["first-key", "second-key"]
        return config
    }

    @Test(arguments: [
        ("/api/v1/queue/stats", nil as String?, 401),
        ("/api/v1/queue/stats", "second-key", 200),
        ("/api/v1/queue/stats", "first-key", 200),
        ("/api/v1/queue/stats", "second-keyx", 401),
        ("/api/v1/queue/stats", "second-ke", 401),
        ("/api/v1/queue/stats", "SECOND-KEY", 401),
        ("/api/v1/queue/stats", "first-key,second-key", 401),
        ("/api/v1/jobs/00000000-0000-4000-8000-000000000000", nil, 401),
        ("/api/v1/jobs/00000000-0000-4000-8000-000000000000", "first-key", 404),
        ("/health", nil, 200),
        ("/", nil, 200),
    ])
    func routesNeedAListedKey(path: String, key: String?, status: Int) async throws {
        try await TestServer.with(Self.config) { server in
            let response = try await server.send("GET", path, headers: key.map { [("X-API-Key", $0)] } ?? [])
            #expect(response.status == status)
            if status == 401 {
                #expect(response.header("WWW-Authenticate") == "ApiKey")
                let detail = try response.json()["detail"]?.stringValue ?? ""
                #expect(!detail.isEmpty)
                if let key { #expect(!detail.contains(key)) }
            }
        }
    }

    @Test func aRefusedCreateWritesNothing() async throws {
        try await TestServer.with(Self.config) { server in
            #expect(try await server.createJob().status == 401)
            let stats = try await server.send("GET", "/api/v1/queue/stats", headers: [("X-API-Key", "first-key")])
            #expect(try stats.json()["jobs"]?["total"]?.intValue == 0)
        }
    }

    @Test func theShippedAuthSpecsPassAgainstAServerWithKeys() async throws {
        try await TestServer.with(Self.config) { server in
            let specs = try FaultDetectionTests.specs().filter { $0.path.hasSuffix("auth.yaml") }
            #expect(specs.count == 1)
            let options = CheckOptions(target: server.baseURL, tags: ["auth"], environment: ["ACCORD_TEST_API_KEY": "second-key"])
            let run = try await CheckRunner(options: options).run(specs)
            #expect(FaultDetectionTests.failing(run) == [])
            #expect(run.count(.passed) >= 10)
        }
    }

    @Test func theShippedAuthSpecsFailAgainstAServerWithoutKeys() async throws {
        try await TestServer.with { server in
            let specs = try FaultDetectionTests.specs().filter { $0.path.hasSuffix("auth.yaml") }
            let options = CheckOptions(target: server.baseURL, tags: ["auth"], environment: ["ACCORD_TEST_API_KEY": "second-key"])
            let run = try await CheckRunner(options: options).run(specs)
            #expect(run.count(.failed) > 0)
        }
    }
}
