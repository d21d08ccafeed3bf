@testable import AccordSpec
import Testing

@Suite("YAML nodes: shapes and locations")
struct YAMLNodeTests {
    @Test(arguments: [
        ("a: 1", "{a: 1}"),
        ("- a\n- b\n", "[a, b]"),
        ("[1, 'two', \"three\"]", "[1, \"two\", \"three\"]"),
        ("{a: [1, {b: c}]}", "{a: [1, {b: c}]}"),
        ("a:\n  - x\n  - y: z\n", "{a: [x, {y: z}]}"),
        ("a:\n- x\n- y\n", "{a: [x, y]}"),
        ("- - a\n  - b\n- c\n", "[[a, b], c]"),
        ("text: |\n  line 1\n  line 2\n", "{text: |line 1\nline 2\n|}"),
        ("folded: >-\n  a\n  b\n", "{folded: |a b|}"),
        ("a:\nb: ~\n", "{a: , b: ~}"),
        ("base: &b {x: 1}\nuse: *b\n", "{base: {x: 1}, use: {x: 1}}"),
        ("a: !!str 12\nb: !!int \"7\"\nc: ! 5\n", "{a: !!str 12, b: !!int \"7\", c: !!str 5}"),
        ("e: !custom x\n", "{e: !custom x}"),
        ("!!str k: v\n", "{!!str k: v}"),
        ("&x !!float 1\n", "!!float 1"),
        ("!!map {a: 1}\n", "!!map {a: 1}"),
        ("\"multi\n  line\"\n", "\"multi line\""),
        ("plain\n  continued\n", "plain continued"),
        ("? [a, b]\n: c\n", "{[a, b]: c}"),
        ("---\na: 1\n...\n", "{a: 1}"),
        ("\u{FEFF}a: 1\n", "{a: 1}"),
        ("key: 'it''s'\n", "{key: \"it's\"}"),
        ("a: 1\r\nb: 2\r\n", "{a: 1, b: 2}"),
        ("é: \"ü\\t\"\n", "{é: \"ü\t\"}"),
        ("a: b # comment\n# more\n", "{a: b}"),
        ("a: x#y\n", "{a: x#y}"),
        ("url: http://x/y?a=1&b=2\n", "{url: http://x/y?a=1&b=2}"),
    ])
    func loadsTheShapeWritten(yaml: String, expected: String) throws {
        let (root, diagnostics) = YAMLLoader.load(yaml, file: "t.yaml")
        #expect(diagnostics == [])
        let node = try #require(root)
        #expect(shape(node) == expected)
    }

    /// Locations in the spec of docs/spec-format.md, as `line:column+length`.
    @Test(arguments: [
        ("", "2:1+17"),                                  // the root mapping, comment excluded
        ("@suite", "2:1+5"),
        ("suite", "2:8+10"),
        ("description", "3:14+34"),
        ("tags", "4:7+6"),
        ("tags/0", "4:8+4"),
        ("variables", "6:3+19"),                         // block mapping: rest of its first line
        ("cases", "8:3+20"),
        ("cases/0", "8:5+18"),
        ("cases/0/@name", "8:5+4"),
        ("cases/0/name", "8:11+12"),
        ("cases/0/request/method", "11:15+4"),
        ("cases/0/request/query", "13:14+79"),
        ("cases/0/request/query/@domain", "13:15+6"),
        ("cases/0/request/query/domain", "13:23+12"),
        ("cases/0/request/query/url", "13:42+22"),
        ("cases/0/expect/status", "18:15+3"),
        ("cases/0/expect/body/@$.status", "24:9+8"),
        ("cases/0/expect/body/$.status", "24:19+7"),
        ("cases/0/expect/schema/properties/job_id/pattern", "31:43+17"),
        ("cases/0/verify", "37:7+8"),
        ("cases/0/verify/0/sql", "37:14+1"),             // a block scalar: its indicator
        ("cases/0/verify/0/params/0", "40:18+12"),
        ("cases/0/verify/0/rows/0", "41:16+11"),
        ("cases/0/verify/0/rows/0/1", "41:25+1"),
        ("cases/0/verify/2/@key", "44:9+3"),
        ("cases/0/verify/2/exists", "45:17+4"),
    ])
    func locatesEveryNode(path: String, expected: String) throws {
        let (root, diagnostics) = YAMLLoader.load(sampleSpec, file: "specs/jobs.yaml")
        #expect(diagnostics == [])
        let loaded = try #require(root)
        let node = try #require(find(loaded, path))
        #expect(spot(node.location) == expected)
        #expect(node.location.file == "specs/jobs.yaml")
    }

    @Test(arguments: [
        ("a: [1,\n  2]\n", "a", "1:4+3"),                // a flow list over two lines
        ("a: [1,\n  2]\n", "a/1", "2:3+1"),
        ("k: first\n  second\n", "k", "1:4+5"),          // a plain scalar over two lines
        ("k: \"one\n  two\"\n", "k", "1:4+4"),
        ("a:\nb: 1\n", "a", "1:3+1"),                    // an empty value: just after the colon
        ("base: &b {x: 1}\nuse: *b\n", "use", "1:7+9"),   // an alias: where its anchor is
        ("base: &b {x: 1}\nuse: *b\n", "use/x", "1:14+1"),
        ("a:\tb\n", "a", "1:4+1"),                       // a tab after the colon is a separator
        ("é: ü\n", "é", "1:4+1"),                        // columns count characters, not bytes
        ("a: 1\r\nb: 2\r\n", "b", "2:4+1"),
        ("  - x\n", "", "1:3+3"),
    ])
    func locatesEdgeCases(yaml: String, path: String, expected: String) throws {
        let root = try #require(YAMLLoader.load(yaml, file: "t.yaml").root)
        let node = try #require(find(root, path))
        #expect(spot(node.location) == expected)
    }

    @Test func literalBlocksKeepTheirText() throws {
        let root = try #require(YAMLLoader.load(sampleSpec, file: "t.yaml").root)
        #expect(find(root, "cases/0/verify/0/sql")?.scalar == "SELECT status, priority\nFROM jobs WHERE id = $1\n")
        #expect(find(root, "cases/0/verify/0/sql")?.scalarStyle == .literal)
        #expect(find(root, "cases/0/expect/schema/properties/job_id/pattern")?.scalar == "^[0-9a-f-]{36}$")
    }

    @Test(arguments: [
        ("v: ~", true), ("v: null", true), ("v: Null", true), ("v: NULL", true), ("v:", true),
        ("v: !!null ''", true), ("v: 'null'", false), ("v: nUll", false), ("v: !!str null", false),
        ("v: []", false), ("v: 0", false),
    ])
    func recognisesNull(yaml: String, isNull: Bool) throws {
        let root = try #require(YAMLLoader.load(yaml, file: "t.yaml").root)
        #expect(root.mappingValue("v")?.isNull == isNull)
    }

    @Test(arguments: [
        ("v: {a: 1}", "a mapping"), ("v: [1]", "a list"), ("v: text", "a string"), ("v: '12'", "a string"),
        ("v: 12", "an integer"), ("v: 1.5", "a number"), ("v: true", "a boolean"), ("v: ~", "null"),
        ("v: .inf", "a string"),
    ])
    func describesKinds(yaml: String, described: String) throws {
        let root = try #require(YAMLLoader.load(yaml, file: "t.yaml").root)
        #expect(root.mappingValue("v")?.describedKind == described)
    }

    @Test func accessorsAnswerNilForOtherKinds() throws {
        let root = try #require(YAMLLoader.load("a: [1]\nb: x\n", file: "t.yaml").root)
        #expect(root.mappingKeys == ["a", "b"])
        #expect(root.mappingValue("zzz") == nil)
        #expect(root.scalar == nil && root.sequence == nil && root.mapping?.count == 2)
        #expect(root.mappingValue("a")?.mappingValue("x") == nil)
        #expect(root.mappingValue("a")?.sequence?.first?.scalar == "1")
        #expect(root.mappingValue("b")?.scalarStyle == .plain)
        #expect(root.mappingEntry("b").map { spot($0.key.location) } == "2:1+1")
    }
}
