import AccordTestSupport
import AccordJSON
import ControlPlane
import Testing

/// A known path asked with a method it does not serve: 405 with `Allow`, never the router's
/// 404 (the path exists), and before the API key check.
@Suite("405 Method Not Allowed")
struct MethodNotAllowedTests {
    @Test(arguments: [
        ("TRACE", "/health", "GET, HEAD"),
        ("POST", "/health", "GET, HEAD"),
        ("OPTIONS", "/", "GET, HEAD"),
        ("GET", "/api/v1/jobs", "POST"),
        ("DELETE", "/api/v1/jobs", "POST"),
        ("DELETE", "/api/v1/jobs/0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "GET"),
        ("PUT", "/api/v1/jobs/anything", "GET"),
        ("GET", "/api/v1/jobs/anything/cancel", "POST"),
        ("PATCH", "/api/v1/queue/stats", "GET"),
        ("POST", "/metrics", "GET"),
    ])
    func aKnownPathWithAnotherMethod(method: String, path: String, allow: String) async throws {
        try await TestServer.with { server in
            let response = try await server.send(method, path)
            #expect(response.status == 405)
            #expect(response.header("Allow") == allow)
            #expect(try response.json()["detail"] == "Method Not Allowed")
            #expect(response.header("X-Request-Id") != nil)
        }
    }

    @Test("what the routes serve is not refused, and unknown paths stay 404", arguments: [
        ("GET", "/health", 200),
        ("HEAD", "/health", 200),
        ("GET", "/api/v1/jobs/0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", 404),
        ("POST", "/api/v1/jobs/0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b/cancel", 404),
        ("GET", "/api/v1/queue/stats", 200),
        ("GET", "/nowhere", 404),
        ("DELETE", "/nowhere", 404),
        ("GET", "/api/v1/jobs/x/y/z", 404),
    ])
    func servedMethodsAndUnknownPaths(method: String, path: String, status: Int) async throws {
        try await TestServer.with { server in
            let response = try await server.send(method, path)
            #expect(response.status == status)
            #expect(response.header("Allow") == nil)
        }
    }

    @Test func theMethodIsJudgedBeforeTheAPIKey() async throws {
        var config = ServerConfig(store: .memory)
        config.apiKeys = ["k1"]
        try await TestServer.with(config) { server in
            let delete = try await server.send("DELETE", "/api/v1/jobs")
            let stats = try await server.send("GET", "/api/v1/queue/stats")
            #expect(delete.status == 405)
            #expect(stats.status == 401)
        }
    }
}
