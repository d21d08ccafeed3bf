import AccordJSON
import AccordSpec
import Testing

/// `schema: {file:, pointer:}`: a schema taken from a JSON document by pointer, `$ref`s
/// inlined, and each broken reference reported at the value that caused it.
@Suite("Schemas from a document: file and pointer")
struct SchemaFileDecodingTests {
    static let document = #"""
        {"components": {"schemas": {
          "Job": {"type": "object", "required": ["job_id", "status"], "additionalProperties": false, "title": "Job",
                  "properties": {"job_id": {"type": "string", "format": "uuid"}, "status": {"$ref": "#/components/schemas/Status"},
                                 "started_at": {"type": ["string", "null"], "format": "date-time"}}},
          "Status": {"type": "string", "enum": ["queued", "running"], "description": "annotations are skipped"},
          "Loop": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Loop"}}},
          "Either": {"anyOf": [{"type": "string"}, {"type": "null"}]},
          "a/b": {"type": "integer"}
        }}}
        """#

    /// A spec whose one case checks its answer against `schema` (line 6).
    static func load(_ schema: String, files: [String: String] = ["specs/api/openapi.json": document]) -> Result<SpecFile, SpecProblems> {
        let text = """
            suite: s
            cases:
              - name: c
                request: {path: /x}
                expect:
                  schema: \(schema)
            """
        return SpecLoader.load(text, path: "specs/s.yaml") { path in files[path].map { Array($0.utf8) } }
    }

    static func errors(_ schema: String) -> [String] {
        guard case let .failure(problems) = load(schema) else { return [] }
        return problems.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message)" }
    }

    @Test func aPointerBecomesTheSchemaWithItsReferencesInlined() throws {
        let spec = try Self.load(##"{file: api/openapi.json, pointer: "#/components/schemas/Job"}"##).get()
        let keywords = try #require(spec.cases.first?.expect.schema?.value.keywords)
        #expect(keywords.types == [.object] && keywords.required == ["job_id", "status"])
        #expect(keywords.additionalProperties == .allowed(false))
        let properties = try #require(keywords.properties)
        #expect(properties.map(\.name) == ["job_id", "status", "started_at"])
        #expect(properties[0].schema.keywords.format == "uuid")
        #expect(properties[1].schema.keywords.enumValues == ["queued", "running"])
        #expect(properties[2].schema.keywords.types == [.string, .null] && properties[2].schema.keywords.format == "date-time")
    }

    @Test func escapedPointerTokensAndPointersWithoutTheHash() throws {
        let spec = try Self.load(##"{file: api/openapi.json, pointer: "/components/schemas/a~1b"}"##).get()
        #expect(spec.cases.first?.expect.schema?.value.keywords.types == [.integer])
    }

    @Test(arguments: [(String, String)]([
        (##"{file: api/missing.json, pointer: "#/x"}"##, "6:22 cannot read the schema document specs/api/missing.json"),
        (##"{file: api/openapi.json, pointer: "#/components/schemas/Jobs"}"##,
         "6:49 nothing at #/components/schemas/Jobs: #/components/schemas has no member 'Jobs' (did you mean 'Job'?)"),
        (##"{file: api/openapi.json, pointer: "#/components/schemas/Eith"}"##,
         "6:49 nothing at #/components/schemas/Eith: #/components/schemas has no member 'Eith' (did you mean 'Either'?)"),
        (##"{file: api/openapi.json, pointer: "#/components/schemas/Lo"}"##,
         "6:49 nothing at #/components/schemas/Lo: #/components/schemas has no member 'Lo' (did you mean 'Loop'?)"),
        (##"{file: api/openapi.json, pointer: "components"}"##, "6:49 'components' is not a JSON pointer: write it as #/components/schemas/Name"),
        (##"{file: api/openapi.json, pointer: "#/components/schemas/Loop"}"##,
         "6:49 $ref at #/components/schemas/Loop/properties/next is recursive (#/components/schemas/Loop → #/components/schemas/Loop); accord checks finite schemas"),
        (##"{file: api/openapi.json, pointer: "#/components/schemas/Either"}"##,
         "6:49 keyword 'anyOf' at #/components/schemas/Either is outside the schema subset accord checks; supported: type, required, properties, additionalProperties, items, enum, const, pattern, minimum, maximum, minLength, maxLength, format, $ref"),
        (##"{file: api/openapi.json, pointr: "#/x"}"##, "6:40 unknown key 'pointr' in a schema file reference (did you mean 'pointer'?)"),
        (##"{type: string, format: uid}"##, "6:38 unknown format 'uid' (did you mean 'uuid'?)"),
    ]))
    func brokenReferencesAreReportedWhereTheyAreWritten(schema: String, expected: String) {
        #expect(Self.errors(schema) == [expected])
    }

    @Test func aDocumentThatIsNotJSONIsNamed() {
        let result = Self.load(##"{file: api/openapi.json}"##, files: ["specs/api/openapi.json": "{nope"])
        guard case let .failure(problems) = result else {
            Issue.record("a broken document decoded")
            return
        }
        #expect(problems.diagnostics.first?.message.hasPrefix("specs/api/openapi.json is not JSON:") == true)
    }

    @Test func withoutAReaderNothingIsReadFromDisk() {
        let text = "suite: s\ncases:\n  - name: c\n    request: {path: /x}\n    expect: {schema: {file: ../Package.swift}}\n"
        guard case let .failure(problems) = SpecLoader.load(text, path: "specs/s.yaml") else {
            Issue.record("decoded without a reader")
            return
        }
        #expect(problems.diagnostics.map(\.message) == ["cannot read the schema document specs/../Package.swift"])
    }
}
