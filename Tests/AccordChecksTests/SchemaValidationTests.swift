import AccordChecks
import AccordJSON
import AccordSpec
import Testing

/// A schema, a document, and the violations it must produce (path and a message fragment).
struct SchemaCase: Sendable, CustomTestStringConvertible {
    var name: String
    var schema: JSONSchema.Keywords
    var document: String
    var violations: [(path: String, fragment: String)]

    init(_ name: String, _ schema: JSONSchema.Keywords, _ document: String, _ violations: [(path: String, fragment: String)] = []) {
        self.name = name
        self.schema = schema
        self.document = document
        self.violations = violations
    }

    var testDescription: String { name }
}

private func schema(_ keywords: JSONSchema.Keywords) -> JSONSchema { .schema(keywords) }

let schemaCases: [SchemaCase] = [
    .init("type string", .init(types: [.string]), #""x""#),
    .init("type string vs int", .init(types: [.string]), "5", [("$", "expected type string, found 5 (integer)")]),
    .init("type integer accepts 2.0", .init(types: [.integer]), "2.0"),
    .init("type integer refuses 2.5", .init(types: [.integer]), "2.5", [("$", "expected type integer")]),
    .init("type number accepts int", .init(types: [.number]), "2"),
    .init("type list", .init(types: [.string, .null]), "null"),
    .init("type list refuses", .init(types: [.string, .null]), "true", [("$", "expected type string or null, found true (boolean)")]),
    .init("required present", .init(required: ["a"]), #"{"a": null}"#),
    .init("required missing", .init(required: ["a", "b", "c"]), #"{"b": 1}"#, [("$", "missing required member 'a'"), ("$", "missing required member 'c'")]),
    .init("required ignores non-objects", .init(required: ["a"]), "[1]"),
    .init("properties nested", .init(properties: [("id", schema(.init(types: [.string])))]), #"{"id": 7}"#, [("$.id", "expected type string")]),
    .init("properties absent member is fine", .init(properties: [("id", schema(.init(types: [.string])))]), "{}"),
    .init("properties odd names", .init(properties: [("job-id", schema(.init(types: [.string])))]), #"{"job-id": 7}"#, [("$['job-id']", "expected type string")]),
    .init("additionalProperties false", .init(properties: [("a", schema(.init()))], additionalProperties: .allowed(false)), #"{"a": 1, "b": 2, "c": 3}"#,
          [("$.b", "member 'b' is not allowed"), ("$.c", "member 'c' is not allowed")]),
    .init("additionalProperties true", .init(properties: [], additionalProperties: .allowed(true)), #"{"x": 1}"#),
    .init("additionalProperties schema", .init(properties: [("a", schema(.init()))], additionalProperties: .schema(schema(.init(types: [.integer])))),
          #"{"a": "s", "b": 1, "c": "no"}"#, [("$.c", "expected type integer")]),
    .init("items", .init(items: schema(.init(required: ["id"], properties: [("id", schema(.init(types: [.string])))]))),
          #"[{"id": "a"}, {"id": "b"}, {"id": 3}, {}]"#, [("$[2].id", "expected type string"), ("$[3]", "missing required member 'id'")]),
    .init("items deep path", .init(properties: [("items", schema(.init(items: schema(.init(properties: [("id", schema(.init(types: [.string])))])))))]),
          #"{"items": [{"id": "a"}, {"id": "b"}, {"id": 1}]}"#, [("$.items[2].id", "expected type string")]),
    .init("enum", .init(enumValues: ["queued", "running", 1]), #""running""#),
    .init("enum int matches double", .init(enumValues: [1]), "1.0"),
    .init("enum refuses", .init(enumValues: ["queued", "running"]), #""done""#, [("$", #"expected one of ["queued","running"], found "done""#)]),
    .init("pattern", .init(pattern: "^[a-z]+$"), #""abc""#),
    .init("pattern refuses", .init(pattern: "^[a-z]+$"), #""abc1""#, [("$", "expected to match /^[a-z]+$/")]),
    .init("pattern is a search", .init(pattern: "b"), #""abc""#),
    .init("pattern ignores numbers", .init(pattern: "^x$"), "5"),
    .init("pattern invalid", .init(pattern: "a("), #""a""#, [("$", "invalid regular expression")]),
    .init("minimum", .init(minimum: 0), "0"),
    .init("minimum refuses", .init(minimum: 0), "-0.5", [("$", "expected >= 0, found -0.5")]),
    .init("maximum", .init(maximum: 3), "3.0"),
    .init("maximum refuses", .init(maximum: 3), "4", [("$", "expected <= 3, found 4")]),
    .init("bounds ignore strings", .init(minimum: 10, maximum: 20), #""5""#),
    .init("minLength", .init(minLength: 2), #""ab""#),
    .init("minLength refuses", .init(minLength: 2), #""a""#, [("$", "expected at least 2 characters, found 1")]),
    .init("maxLength counts scalars", .init(maxLength: 3), #""héé""#),
    .init("maxLength refuses", .init(maxLength: 3), #""abcd""#, [("$", "expected at most 3 characters, found 4")]),
    .init("lengths ignore arrays", .init(minLength: 5), "[1]"),
    .init("every keyword reports", .init(types: [.string], enumValues: ["a"]), "1", [("$", "expected type string"), ("$", "expected one of")]),
]

@Suite("Schema")
struct SchemaValidationTests {
    @Test(arguments: schemaCases)
    func validates(_ testCase: SchemaCase) throws {
        let value = try JSON.parse(testCase.document)
        let violations = validate(value, against: .schema(testCase.schema))
        #expect(violations.count == testCase.violations.count, "\(violations)")
        for (violation, wanted) in zip(violations, testCase.violations) {
            #expect(violation.path == wanted.path)
            #expect(violation.message.contains(wanted.fragment), "\(violation.message)")
        }
    }

    @Test func schemaOnABodyIsOneFailure() throws {
        let keywords = JSONSchema.Keywords(
            types: [.object], required: ["job_id", "status"],
            properties: [("job_id", schema(.init(types: [.string]))), ("status", schema(.init(types: [.string])))],
            additionalProperties: .allowed(false))
        let good = ResponseBody(bytes: Array(#"{"job_id": "x", "status": "created"}"#.utf8))
        #expect(evaluate(JSONSchema.schema(keywords), on: good) == nil)
        let bad = ResponseBody(bytes: Array(#"{"job_id": "x", "extra": 1}"#.utf8))
        let failure = try #require(evaluate(JSONSchema.schema(keywords), on: bad))
        #expect(failure.message == "the body does not match the schema (2 violations)")
        #expect(failure.actual == "$: missing required member 'status'; $.extra: member 'extra' is not allowed (additionalProperties: false)")
        let notJSON = ResponseBody(bytes: Array("<html>".utf8))
        #expect(evaluate(JSONSchema.schema(keywords), on: notJSON)?.message.hasPrefix("the body is not JSON: ") == true)
    }
}
