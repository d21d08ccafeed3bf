import AccordJSON
@testable import AccordSpec
import Testing

@Suite("YAML to JSON (core schema)")
struct CoreSchemaJSONTests {
    @Test(arguments: [
        ("~", JSON.null), ("null", .null), ("Null", .null), ("NULL", .null), ("", .null),
        ("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false),
        ("tRue", "tRue"), ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"),
        ("0", 0), ("-17", -17), ("+42", 42), ("007", 7), ("-0", 0), ("0x1F", 31), ("0xff", 255), ("0o17", 15),
        ("0X1F", "0X1F"), ("0b11", "0b11"), ("0x", "0x"), ("0o8", "0o8"), ("1_000", "1_000"),
        ("9223372036854775807", .int(Int64.max)), ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("1.5", 1.5), ("-2.5e3", -2500.0), (".5", 0.5), ("-.5", -0.5), ("1.", 1.0), ("1e3", 1000.0), ("+1.0", 1.0),
        ("1E-2", 0.01), ("1,5", "1,5"), ("12:30", "12:30"), ("2026-11-30", "2026-11-30"), ("0.1.2", "0.1.2"),
        ("nan", "nan"), ("inf", "inf"), (".", "."), ("1e", "1e"), ("e3", "e3"), ("--1", "--1"), ("+", "+"),
        ("201", 201), ("2xx", "2xx"), ("500ms", "500ms"), ("$.job_id", "$.job_id"),
    ])
    func resolvesPlainScalars(text: String, expected: JSON) throws {
        let value = try #require(YAMLLoader.load("v: \(text)\n", file: "t.yaml").root?.mappingValue("v"))
        let json = try value.json().get()
        #expect(json == expected)
        #expect(json.typeName == expected.typeName)
    }

    @Test(arguments: [
        ("v: \"123\"", JSON.string("123")), ("v: 'true'", "true"), ("v: '~'", "~"), ("v: \"\"", ""),
        ("v: |\n  42\n", "42\n"), ("v: >\n  a\n  b\n", "a b\n"),
        ("v: !!str 123", "123"), ("v: !!str", ""), ("v: !!int \"7\"", 7), ("v: !!int 0x10", 16),
        ("v: !!float 1", 1.0), ("v: !!float '2.5'", 2.5), ("v: !!bool \"true\"", true), ("v: !!null ''", JSON.null),
        ("v: ! 5", "5"), ("v: !!seq [1]", [1]), ("v: !!map {a: 1}", ["a": 1]),
        ("v: [1, a, {b: ~}]", [1, "a", ["b": nil]]),
        ("v: {1: a, true: b, ~: c, 'q': d}", ["1": "a", "true": "b", "~": "c", "q": "d"]),
    ] as [(String, JSON)])
    func convertsQuotedTaggedAndCollections(yaml: String, expected: JSON) throws {
        let value = try #require(YAMLLoader.load(yaml + "\n", file: "t.yaml").root?.mappingValue("v"))
        #expect(try value.json().get() == expected)
    }

    @Test(arguments: [
        ("v: .inf", "1:4", "not a finite number"), ("v: -.Inf", "1:4", "not a finite number"),
        ("v: +.INF", "1:4", "not a finite number"), ("v: .nan", "1:4", "not a finite number"),
        ("v: .NaN", "1:4", "not a finite number"), ("v: 1e999", "1:4", "not a finite number"),
        ("v: 0x1FFFFFFFFFFFFFFFF", "1:4", "does not fit in 64 bits"),
        ("v: 0o7777777777777777777777", "1:4", "does not fit in 64 bits"),
        ("v: !!int abc", "1:4", "not a valid !!int"), ("v: !!bool yes", "1:4", "not a valid !!bool"),
        ("v: !!float x", "1:4", "not a valid !!float"), ("v: !!null 0", "1:4", "not a valid !!null"),
        ("v: !custom x", "1:4", "unsupported YAML tag '!custom'"),
        ("v: !!binary aGk=", "1:4", "unsupported YAML tag '!!binary'"),
        ("v: !!map [1]", "1:4", "unsupported YAML tag '!!map'"),
        ("v:\n  ? [a]\n  : 1\n", "2:5", "a mapping key must be a plain value, not a list"),
        ("v: {a: 1, b: [2, .nan]}", "1:18", "not a finite number"),
    ])
    func refusesWhatJSONCannotHold(yaml: String, spot expectedSpot: String, message: String) throws {
        let value = try #require(YAMLLoader.load(yaml + "\n", file: "t.yaml").root?.mappingValue("v"))
        switch value.json() {
        case .success(let json):
            Issue.record("expected a diagnostic, got \(json)")
        case .failure(let diagnostic):
            #expect(spots([diagnostic]) == [expectedSpot])
            #expect(diagnostic.message.contains(message), "\(diagnostic.message)")
        }
    }

    @Test func duplicateKeysFailTheConversionToo() throws {
        let (root, diagnostics) = YAMLLoader.load("v: {a: 1, a: 2}\n", file: "t.yaml")
        #expect(spots(diagnostics) == ["1:11"])
        let value = try #require(root?.mappingValue("v"))
        #expect(throws: Diagnostic.self) { try value.json().get() }
        #expect((try? value.json().get()) == nil)
        if case .failure(let diagnostic) = value.json() { #expect(diagnostic == diagnostics.first) }
    }

    @Test func theWholeSampleSpecConverts() throws {
        let root = try #require(YAMLLoader.load(sampleSpec, file: "t.yaml").root)
        let json = try root.json().get()
        #expect(json["suite"] == "create-job")
        #expect(json["cases"]?[0]?["expect"]?["status"] == 201)
        #expect(json["cases"]?[0]?["expect"]?["schema"]?["additionalProperties"] == false)
        #expect(json["cases"]?[0]?["verify"]?[0]?["rows"] == [["queued", 2]])
        #expect(json["cases"]?[0]?["verify"]?[2]?["exists"] == true)
        #expect(json["cases"]?[0]?["request"]?["json"] == ["depth": 2])
    }

    @Test func handBuiltTreesDeeperThanTheLimitFailInsteadOfRecursing() {
        var node = YAMLNode(kind: .scalar("x", style: .plain), location: SourceLocation(file: "t", line: 1, column: 1))
        for _ in 0..<(YAMLLoader.maxDepth + 5) {
            node = YAMLNode(kind: .sequence([node]), location: node.location)
        }
        guard case .failure(let diagnostic) = node.json() else {
            Issue.record("expected a depth diagnostic")
            return
        }
        #expect(diagnostic.message.contains("nesting deeper than"))
    }
}
