import AccordTestSupport
import AccordJSON
import ControlPlane
import Testing

/// One broken rule of the create-job contract, and the 422 detail it must produce.
struct ValidationCase: CustomTestStringConvertible, Sendable {
    var name: String
    var query: String
    var body: String = ""
    var location: [String]
    var type: String

    var testDescription: String { name }
}

private let valid = "domain=example.com&url=https://example.com/&job_type=navigate_extract"

private func replacing(_ name: String, with value: String?) -> String {
    var parts = valid.split(separator: "&").filter { !$0.hasPrefix(name + "=") }.map(String.init)
    if let value { parts.append("\(name)=\(value)") }
    return parts.joined(separator: "&")
}

let validationCases: [ValidationCase] = [
    .init(name: "domain missing", query: replacing("domain", with: nil), location: ["query", "domain"], type: "missing"),
    .init(name: "domain empty", query: replacing("domain", with: ""), location: ["query", "domain"], type: "string_too_short"),
    .init(name: "domain 254 chars", query: replacing("domain", with: String(repeating: "a", count: 254)), location: ["query", "domain"], type: "string_too_long"),
    .init(name: "domain control char", query: replacing("domain", with: "exa%0Ample.com"), location: ["query", "domain"], type: "string_pattern_mismatch"),
    .init(name: "domain given twice", query: valid + "&domain=b.com", location: ["query", "domain"], type: "multiple_values"),
    .init(name: "domain invalid UTF-8", query: replacing("domain", with: "%FF%FE"), location: ["query", "domain"], type: "string_unicode"),
    .init(name: "url missing", query: replacing("url", with: nil), location: ["query", "url"], type: "missing"),
    .init(name: "url relative", query: replacing("url", with: "/just/a/path"), location: ["query", "url"], type: "url_parsing"),
    .init(name: "url ftp scheme", query: replacing("url", with: "ftp://example.com/"), location: ["query", "url"], type: "url_scheme"),
    .init(name: "url javascript", query: replacing("url", with: "javascript:alert(1)"), location: ["query", "url"], type: "url_parsing"),
    .init(name: "url without host", query: replacing("url", with: "http:///path"), location: ["query", "url"], type: "url_parsing"),
    .init(name: "url bad port", query: replacing("url", with: "http://example.com:99999/"), location: ["query", "url"], type: "url_parsing"),
    .init(name: "url with space", query: replacing("url", with: "http://exa%20mple.com/"), location: ["query", "url"], type: "url_parsing"),
    .init(name: "url 2049 chars", query: replacing("url", with: "http://e.com/" + String(repeating: "a", count: 2036)), location: ["query", "url"], type: "string_too_long"),
    .init(name: "job_type missing", query: replacing("job_type", with: nil), location: ["query", "job_type"], type: "missing"),
    .init(name: "job_type upper case", query: replacing("job_type", with: "Navigate"), location: ["query", "job_type"], type: "string_pattern_mismatch"),
    .init(name: "job_type with space", query: replacing("job_type", with: "a+b"), location: ["query", "job_type"], type: "string_pattern_mismatch"),
    .init(name: "job_type 65 chars", query: replacing("job_type", with: String(repeating: "a", count: 65)), location: ["query", "job_type"], type: "string_too_long"),
    .init(name: "job_type empty", query: replacing("job_type", with: ""), location: ["query", "job_type"], type: "string_too_short"),
    .init(name: "strategy unknown", query: valid + "&strategy=sneaky", location: ["query", "strategy"], type: "enum"),
    .init(name: "strategy wrong case", query: valid + "&strategy=Vanilla", location: ["query", "strategy"], type: "enum"),
    .init(name: "priority not a number", query: valid + "&priority=high", location: ["query", "priority"], type: "int_parsing"),
    .init(name: "priority fractional", query: valid + "&priority=1.5", location: ["query", "priority"], type: "int_parsing"),
    .init(name: "priority below 0", query: valid + "&priority=-1", location: ["query", "priority"], type: "greater_than_equal"),
    .init(name: "priority above 3", query: valid + "&priority=4", location: ["query", "priority"], type: "less_than_equal"),
    .init(name: "priority huge", query: valid + "&priority=99999999999999999999999", location: ["query", "priority"], type: "int_parsing"),
    .init(name: "timeout 0", query: valid + "&timeout_seconds=0", location: ["query", "timeout_seconds"], type: "greater_than_equal"),
    .init(name: "timeout above a day", query: valid + "&timeout_seconds=86401", location: ["query", "timeout_seconds"], type: "less_than_equal"),
    .init(name: "timeout not a number", query: valid + "&timeout_seconds=soon", location: ["query", "timeout_seconds"], type: "int_parsing"),
    .init(name: "idempotency_key empty", query: valid + "&idempotency_key=", location: ["query", "idempotency_key"], type: "string_too_short"),
    .init(name: "idempotency_key 256 chars", query: valid + "&idempotency_key=" + String(repeating: "k", count: 256), location: ["query", "idempotency_key"], type: "string_too_long"),
    .init(name: "idempotency_key control char", query: valid + "&idempotency_key=a%09b", location: ["query", "idempotency_key"], type: "string_pattern_mismatch"),
    .init(name: "body malformed JSON", query: valid, body: #"{"a": }"#, location: ["body"], type: "json_invalid"),
    .init(name: "body trailing comma", query: valid, body: #"{"a": 1,}"#, location: ["body"], type: "json_invalid"),
    .init(name: "body an array", query: valid, body: "[1, 2]", location: ["body"], type: "dict_type"),
    .init(name: "body a string", query: valid, body: #""text""#, location: ["body"], type: "dict_type"),
    .init(name: "body duplicate keys", query: valid, body: #"{"a": 1, "a": 2}"#, location: ["body"], type: "json_invalid"),
    .init(name: "body nested too deep", query: valid, body: String(repeating: #"{"a":"#, count: 100) + "1" + String(repeating: "}", count: 100), location: ["body"], type: "json_invalid"),
    .init(name: "body huge number", query: valid, body: #"{"n": 1e999}"#, location: ["body"], type: "json_invalid"),
]

@Suite("Create-job validation")
struct ValidationTests {
    /// Each rule on its own, over HTTP: 422 with exactly that location and type, and
    /// nothing written.
    @Test(arguments: validationCases)
    func eachRuleIsA422WithItsLocation(_ rule: ValidationCase) async throws {
        try await TestServer.with { server in
            let response = try await server.createJob(rule.query, body: rule.body.isEmpty ? nil : rule.body)
            #expect(response.status == 422)
            let detail = try response.json()["detail"]
            guard case let .array(issues)? = detail else {
                Issue.record("detail is not a list: \(String(describing: detail))")
                return
            }
            #expect(issues.count == 1)
            #expect(issues.first?["loc"] == .array(rule.location.map(JSON.string)))
            #expect(issues.first?["type"]?.stringValue == rule.type)
            #expect(issues.first?["msg"]?.stringValue?.isEmpty == false)
            let stats = try await server.get("/api/v1/queue/stats").json()
            #expect(stats["jobs"]?["total"]?.intValue == 0)
            #expect(stats["total"]?.intValue == 0)
        }
    }

    @Test func everyBrokenRuleIsReportedAtOnce() {
        let result = CreateJobValidation.validate(query: "url=ftp://x&job_type=BAD&priority=9", body: Array("[]".utf8))
        guard case let .failure(error) = result, case let .array(issues) = error.detail else {
            Issue.record("expected a validation failure")
            return
        }
        let locations = issues.compactMap { $0["loc"]?[1]?.stringValue ?? $0["loc"]?[0]?.stringValue }
        #expect(locations == ["domain", "url", "job_type", "priority", "body"])
    }

    @Test func defaultsApplyWhenOptionalParametersAreAbsent() throws {
        let request = try CreateJobValidation.validate(query: Substring(valid), body: []).get()
        #expect(request.strategy == .vanilla)
        #expect(request.priority == 2)
        #expect(request.timeoutSeconds == 300)
        #expect(request.idempotencyKey == nil)
        #expect(request.payload == .object([]))
    }

    @Test(arguments: [
        "https://example.com", "http://localhost:8080/x?y=1#z", "HTTPS://EXAMPLE.COM/", "http://[::1]:80/",
        "http://user:pw@host.example/path", "https://bücher.example/",
    ])
    func acceptedURLs(url: String) {
        let query = replacing("url", with: url.replacingPercentEncodable())
        #expect((try? CreateJobValidation.validate(query: Substring(query), body: []).get()) != nil)
    }

    @Test func boundaryValuesAreAccepted() throws {
        let query = replacing("domain", with: String(repeating: "d", count: 253))
            + "&job_type_unused=1&priority=0&timeout_seconds=86400&strategy=assault&idempotency_key=" + String(repeating: "k", count: 255)
        let request = try CreateJobValidation.validate(query: Substring(query), body: Array(#"{"k": [1, {"x": null}]}"#.utf8)).get()
        #expect(request.domain.count == 253)
        #expect(request.priority == 0)
        #expect(request.timeoutSeconds == 86400)
        #expect(request.strategy == .assault)
        #expect(request.idempotencyKey?.count == 255)
    }
}

extension String {
    /// Percent-encodes the characters that would otherwise change the query's structure.
    fileprivate func replacingPercentEncodable() -> String {
        var out = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: "?"), 0x80...0xFF:
                out += "%" + String(byte, radix: 16, uppercase: true)
            default:
                out.append(Character(Unicode.Scalar(byte)))
            }
        }
        return out
    }
}
