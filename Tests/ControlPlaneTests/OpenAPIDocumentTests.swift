import AccordJSON
import AccordSpec
import AccordTestSupport
import ControlPlane
import Foundation
import Testing

/// `GET /openapi.json`: the served document parses, is the checked-in file, keeps every path,
/// operation id and parameter of the original service's document (so clients generated from
/// either keep working), and every schema it declares is one the checks can apply.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static func original() throws -> JSON {
        let url = Executables.repositoryRoot.appendingPathComponent("fixtures/openapi/original-openapi.json")
        return try JSON.parse(bytes: Array(try Data(contentsOf: url)))
    }

    /// Every operation as "METHOD path" → the operation.
    static func operations(_ document: JSON) -> [String: JSON] {
        guard case let .object(paths)? = document["paths"] else { return [:] }
        var found: [String: JSON] = [:]
        for path in paths {
            guard case let .object(methods) = path.value else { continue }
            for method in methods where ["get", "put", "post", "delete", "options", "head", "patch", "trace"].contains(method.key) {
                found["\(method.key.uppercased()) \(path.key)"] = method.value
            }
        }
        return found
    }

    @Test func theServedDocumentIsTheCheckedInFileAndParses() async throws {
        try await TestServer.with { server in
            let response = try await server.get("/openapi.json")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.body == OpenAPIDocument.bytes)
            let served = try response.json()
            #expect(served["openapi"] == "3.1.0")
            let file = Executables.repositoryRoot.appendingPathComponent("Sources/ControlPlane/OpenAPI/openapi.json")
            #expect(try JSON.parse(bytes: Array(try Data(contentsOf: file))) == served)
            // specs/openapi.yaml validates answers against the copy beside it (specs/ stands
            // alone, as a ConfigMap copies it): the same bytes.
            let copy = Executables.repositoryRoot.appendingPathComponent("specs/openapi.json")
            #expect(
                try Data(contentsOf: copy) == Data(contentsOf: file),
                "specs/openapi.json differs from the served document: cp Sources/ControlPlane/OpenAPI/openapi.json specs/openapi.json")
            // Counted under a route of its own in /metrics, not as "other".
            let metrics = try await server.get("/metrics").bodyText
            #expect(metrics.contains(#"accord_http_requests_total{route="openapi",status="200"} 1"#))
        }
    }

    @Test func theOriginalsPathsOperationIdsAndParametersAreKept() throws {
        let ours = Self.operations(try JSON.parse(bytes: OpenAPIDocument.bytes))
        let theirs = Self.operations(try Self.original())
        #expect(theirs.count == 9)
        for (name, operation) in theirs {
            let mine = try #require(ours[name], "\(name) is missing")
            #expect(mine["operationId"] == operation["operationId"], "\(name)")
            guard case let .array(parameters)? = operation["parameters"] else { continue }
            guard case let .array(myParameters)? = mine["parameters"] else {
                Issue.record("\(name) lost its parameters")
                continue
            }
            for parameter in parameters {
                let kept = myParameters.first { $0["name"] == parameter["name"] && $0["in"] == parameter["in"] }
                #expect(kept?["required"] == parameter["required"], "\(name) \(parameter["name"] ?? .null)")
            }
        }
    }

    @Test func everyDeclaredSchemaIsOneTheChecksApply() throws {
        let document = try JSON.parse(bytes: OpenAPIDocument.bytes)
        guard case let .object(schemas)? = document["components"]?["schemas"] else {
            Issue.record("no components.schemas")
            return
        }
        #expect(schemas.count >= 10)
        for schema in schemas {
            #expect(throws: Never.self, "\(schema.key)") {
                try JSONSchema.fromDocument(document, pointer: "#/components/schemas/\(schema.key)")
            }
        }
    }

    @Test func theDocumentIsOpenWithoutAnAPIKeyAndAnswersHEADButNotDELETE() async throws {
        var config = ServerConfig(store: .memory)
        config.apiKeys = ["k1"]
        try await TestServer.with(config) { server in
            #expect(try await server.get("/openapi.json").status == 200)
            let head = try await server.send("HEAD", "/openapi.json")
            #expect(head.status == 200 && head.body.isEmpty)
            let delete = try await server.send("DELETE", "/openapi.json")
            #expect(delete.status == 405 && delete.header("Allow") == "GET, HEAD")
            #expect(try await server.get("/api/v1/queue/stats").status == 401)
        }
    }

    /// The original's routes the reference server does not implement: their documented method
    /// answers 404, any other 405 — the path is in the published document, so it is known.
    @Test(arguments: [
        ("GET", "/api/v1/ops/status", 404, nil), ("GET", "/api/v1/workflows", 404, nil),
        ("GET", "/api/v1/workflows/daily", 404, nil), ("POST", "/api/v1/workflows/daily/run", 404, nil),
        ("TRACE", "/api/v1/workflows", 405, "GET"), ("DELETE", "/api/v1/ops/status", 405, "GET"),
        ("GET", "/api/v1/workflows/daily/run", 405, "POST"),
    ] as [(String, String, Int, String?)])
    func theOriginalsUnservedRoutes(method: String, path: String, status: Int, allow: String?) async throws {
        try await TestServer.with { server in
            let response = try await server.send(method, path)
            #expect(response.status == status)
            #expect(response.header("Allow") == allow)
        }
    }
}
