import AccordHTTPTypes
import AccordSpec
import Testing

@testable import AccordRunner

/// Headers every request carries: the case's own win, then the run's `--header`, then the
/// spec's `defaults:`; a case drops a default by setting it to null; `{{env.NAME}}` values.
@Suite("Request defaults")
struct RequestDefaultsTests {
    static let spec = """
        suite: d
        defaults:
          headers: {X-API-Key: "{{env.ACCORD_TEST_KEY}}", X-Tenant: acme, Accept: application/json}
          timeout: 2500ms
        cases:
          - name: plain
            request: {path: /a}
            expect: {status: 200}
          - name: own tenant, no key
            request: {path: /b, headers: {X-Tenant: other, X-API-Key: null}, timeout: 1s}
            expect: {status: 401}
        """

    static func loaded() throws -> SpecFile {
        switch SpecLoader.load(spec, path: "d.yaml") {
        case let .success(spec): return spec
        case let .failure(problems): throw problems
        }
    }

    static func render(_ request: RequestTemplate, _ spec: SpecFile, run: [(name: String, value: String)] = []) throws -> ClientRequest {
        let context = RenderContext(
            environment: ["ACCORD_TEST_KEY": "k-123"], uuid: { "u" }, randomInt: { $0.lowerBound }, nextSequence: { 1 })
        return try RequestRendering.render(request, target: "http://h", context: context, defaults: run, specDefaults: spec.defaultHeaders)
    }

    @Test func defaultsApplyUnlessTheCaseSetsOrDropsTheName() throws {
        let spec = try Self.loaded()
        let plain = try Self.render(spec.cases[0].request, spec)
        #expect(plain.headers.map { "\($0.name): \($0.value)" } == ["X-API-Key: k-123", "X-Tenant: acme", "Accept: application/json"])
        #expect(plain.timeoutMilliseconds == 2500)
        let own = try Self.render(spec.cases[1].request, spec)
        #expect(own.headers.map { "\($0.name): \($0.value)" } == ["X-Tenant: other", "Accept: application/json"])
        #expect(own.timeoutMilliseconds == 1000)
    }

    @Test func theRunsHeaderWinsOverTheSpecsDefaultAndANullDropsItToo() throws {
        let spec = try Self.loaded()
        let run = [(name: "x-api-key", value: "from-the-command-line")]
        let plain = try Self.render(spec.cases[0].request, spec, run: run)
        #expect(plain.headers.map { "\($0.name): \($0.value)" } == ["x-api-key: from-the-command-line", "X-Tenant: acme", "Accept: application/json"])
        let own = try Self.render(spec.cases[1].request, spec, run: run)
        #expect(!own.headers.contains { $0.name.lowercased() == "x-api-key" })
    }

    @Test func anUnsetEnvironmentVariableIsARenderingError() throws {
        let spec = try Self.loaded()
        let context = RenderContext(uuid: { "u" }, randomInt: { $0.lowerBound }, nextSequence: { 1 })
        #expect(throws: RenderError(message: "environment variable ACCORD_TEST_KEY is not set")) {
            try RequestRendering.render(spec.cases[0].request, target: "http://h", context: context, specDefaults: spec.defaultHeaders)
        }
    }

    @Test func aSpecsHTTPVersionAppliesUnlessTheRunChoseOne() throws {
        let source = "suite: h\ndefaults: {http: \"2\"}\ncases:\n  - {name: c, request: {path: /}, expect: {status: 200}}\n"
        guard case let .success(spec) = SpecLoader.load(source, path: "h.yaml") else {
            Issue.record("did not load")
            return
        }
        #expect(spec.defaultHTTP == "2")
        let context = RenderContext(uuid: { "u" }, randomInt: { $0.lowerBound }, nextSequence: { 1 })
        let request = spec.cases[0].request
        #expect(try RequestRendering.render(request, target: "https://h", context: context, specHTTP: spec.defaultHTTP).transport.http == .http2)
        var chosen = Transport()
        chosen.httpChosen = true
        #expect(try RequestRendering.render(request, target: "https://h", context: context, specHTTP: spec.defaultHTTP, transport: chosen).transport.http == .http1_1)
        guard case let .failure(problems) = SpecLoader.load(source.replacingOccurrences(of: "\"2\"", with: "\"3\""), path: "h.yaml") else {
            Issue.record("an unknown version loaded")
            return
        }
        #expect(problems.diagnostics.first?.message.hasPrefix("http must be \"1.1\", \"2\"") == true)
    }
}
