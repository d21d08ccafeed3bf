import AccordChecks
import AccordJSON
import AccordSpec
import Testing

/// A schema taken from an OpenAPI document catches wrong-shaped answers: the keywords such a
/// document uses — `$ref`, nullable type lists, `enum`, `format`, `required`,
/// `additionalProperties: false` — each fail the answer that breaks them.
@Suite("Schemas from a document judge answers")
struct SchemaFromDocumentTests {
    static let document: JSON? = try? JSON.parse(#"""
        {"components": {"schemas": {
          "Job": {"type": "object", "required": ["job_id", "status", "started_at"], "additionalProperties": false,
                  "properties": {"job_id": {"type": "string", "format": "uuid"}, "status": {"$ref": "#/components/schemas/Status"},
                                 "started_at": {"type": ["string", "null"], "format": "date-time"}}},
          "Status": {"type": "string", "enum": ["queued", "running"]}
        }}}
        """#)

    static let good = #"{"job_id": "0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "status": "queued", "started_at": null}"#

    static func violations(_ answer: String) throws -> [String] {
        let document = try #require(Self.document)
        let schema = try JSONSchema.fromDocument(document, pointer: "#/components/schemas/Job")
        return validate(try JSON.parse(answer), against: schema).map(\.description)
    }

    @Test func aRightAnswerPasses() throws {
        #expect(try Self.violations(Self.good) == [])
        #expect(try Self.violations(#"{"job_id": "0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "status": "running", "started_at": "2026-12-08T00:12:52.123456Z"}"#) == [])
    }

    @Test(arguments: [(String, String)]([
        (#"{"job_id": "42", "status": "queued", "started_at": null}"#, "$.job_id: expected format uuid, found \"42\""),
        (#"{"job_id": "0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "status": "lost", "started_at": null}"#, "$.status: expected one of [\"queued\",\"running\"], found \"lost\""),
        (#"{"job_id": "0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "status": "queued", "started_at": "yesterday"}"#,
         "$.started_at: expected format date-time (RFC 3339), found \"yesterday\""),
        (#"{"job_id": "0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "status": "queued", "started_at": 7}"#, "$.started_at: expected type string or null, found 7 (integer)"),
        (#"{"job_id": "0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "status": "queued"}"#, "$: missing required member 'started_at'"),
        (#"{"job_id": "0f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "status": "queued", "started_at": null, "sql": "SELECT"}"#,
         "$.sql: member 'sql' is not allowed (additionalProperties: false)"),
    ]))
    func aWrongShapedAnswerFails(answer: String, expected: String) throws {
        #expect(try Self.violations(answer) == [expected])
    }
}
