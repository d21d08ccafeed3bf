@testable import AccordSpec
import AccordTestSupport
import Testing

/// One hostile or broken input and the diagnostics it must produce.
struct RobustnessCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    /// `line:column` of every diagnostic, in order.
    var spots: [String]
    /// Part of the first diagnostic's message.
    var message: String
    /// Whether a tree comes back alongside the diagnostics.
    var keepsTree = false

    var testDescription: String { name }

    init(_ name: String, _ text: String, _ spots: [String], _ message: String, keepsTree: Bool = false) {
        self.init(name, Array(text.utf8), spots, message, keepsTree: keepsTree)
    }

    init(_ name: String, _ bytes: [UInt8], _ spots: [String], _ message: String, keepsTree: Bool = false) {
        self.name = name
        self.bytes = bytes
        self.spots = spots
        self.message = message
        self.keepsTree = keepsTree
    }
}

@Suite("YAML loader robustness")
struct YAMLRobustnessTests {
    static let cases: [RobustnessCase] = [
        .init("empty", "", ["1:1"], "the file is empty"),
        .init("blank lines", "  \n\n   \n", ["1:1"], "the file is empty"),
        .init("comments only", "# a\n  # b\n", ["1:1"], "the file is empty"),
        .init("tab indentation", "a:\n\tb: 1\n", ["2:1"], "tabs are not allowed for indentation in YAML; use spaces"),
        .init("tab after spaces", "a:\n  b:\n  \tc: 1\n", ["3:3"], "tabs are not allowed"),
        .init("NUL byte", "a: b\u{0}c\n", ["1:5"], "control character U+0000"),
        .init("escape byte", "a: 1\nb: \u{1B}[31m\n", ["2:4"], "control character U+001B"),
        .init("PNG header", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], ["1:1"], "not valid UTF-8 (byte 0x89)"),
        .init("invalid byte", Array("a: 1\nb: ".utf8) + [0xFF, 0x0A], ["2:4"], "not valid UTF-8 (byte 0xFF)"),
        .init("invalid byte after CRLF", Array("a: 1\r\nbb: ".utf8) + [0xC0, 0x80], ["2:5"], "not valid UTF-8"),
        .init("truncated sequence", Array("a: é ".utf8) + [0xC3], ["1:6"], "not valid UTF-8"),
        .init("surrogate", Array("a: ".utf8) + [0xED, 0xA0, 0x80], ["1:4"], "U+D800"),
        .init("UTF-16 BOM", [0xFF, 0xFE, 0x61, 0x00, 0x3A, 0x00], ["1:1"], "not valid UTF-8"),
        .init("two documents", "a: 1\n---\nb: 2\n", ["2:1"], "second one starts here", keepsTree: true),
        .init("trailing document marker", "a: 1\n---\n", ["2:1"], "second one starts here", keepsTree: true),
        .init("text after document end", "a: 1\n...\nb: 2\n", ["3:1"], "unexpected text after the end", keepsTree: true),
        .init("unterminated double quote", "a: \"abc\nb: 1\n", ["1:4"], "unterminated quoted string"),
        .init("unterminated single quote", "x: 1\ny: 'abc\n", ["2:4"], "unterminated quoted string"),
        .init("quote cut by a document marker", "a: 'abc\n---\n", ["1:4"], "unterminated quoted string"),
        .init("dedented key", "a:\n  b: 1\n c: 2\n", ["3:2"], "expected a 'key: value' line here"),
        .init("over-indented key", "a: 1\n  b: 2\n", ["2:4"], "unexpected ':'"),
        .init("list item in a mapping", "a:\n  b: 1\n  - c\n", ["3:3"], "expected a 'key: value' line here"),
        .init("list item after a key", "a: - b\n", ["1:4"], "a '- item' is not allowed here"),
        .init("missing colon", "a: 1\nb\nc: 2\n", ["2:1"], "expected ':' after this key"),
        .init("unclosed list", "a: [1, 2\nb: 3\n", ["2:2"], "expected ',' or ']'"),
        .init("unclosed mapping", "a: {x: 1\n", ["2:1"], "expected ',' or '}'"),
        .init("stray bracket", "a: 1\n]\n", ["2:1"], "expected a 'key: value' line here"),
        .init("reserved character", "a: @foo\n", ["1:4"], "'@' cannot start a value"),
        .init("unknown escape", "a: \"x\\qy\"\n", ["1:6"], "unknown escape sequence"),
        .init("unsupported version", "%YAML 2.0\n---\na: 1\n", ["1:1"], "incompatible YAML document"),
        .init("undefined alias", "a: *nope\n", ["1:4"], "unknown alias '*nope'"),
        .init("duplicate anchor", "a: &x 1\nb: &x 2\n", ["2:4"], "duplicate anchor '&x' (first at line 1)"),
        .init("recursive alias", "&a [*a]\n", ["1:1"], "recursive alias"),
        .init("recursive alias in a mapping", "x: &a\n  y: [1, *a]\n", ["1:4"], "recursive alias"),
        .init(
            "duplicate keys", "a: 1\nb: 2\na: 3\nb: 4\na: 5\n", ["3:1", "4:1", "5:1"],
            "duplicate key 'a' (first at line 1)", keepsTree: true),
        .init(
            "duplicate keys in nested and flow mappings", "x:\n  k: 1\n  k: 2\ny: {k: 1, 'k': 2, \"k\": 3}\n",
            ["3:3", "4:11", "4:19"], "duplicate key 'k' (first at line 2)", keepsTree: true),
        .init(
            "duplicate keys inside an aliased mapping are reported once", "a: &m {k: 1, k: 2}\nb: *m\nc: *m\n",
            ["1:14"], "duplicate key 'k'", keepsTree: true),
    ]

    @Test(arguments: cases)
    func reportsALocatedDiagnostic(_ input: RobustnessCase) {
        let (root, diagnostics) = YAMLLoader.load(bytes: input.bytes, file: "bad.yaml")
        #expect(spots(diagnostics) == input.spots)
        #expect(diagnostics.first?.message.contains(input.message) == true, "\(diagnostics.map(\.message))")
        #expect((root != nil) == input.keepsTree)
        #expect(diagnostics.allSatisfy { $0.location.file == "bad.yaml" && $0.severity == .error })
        // Every diagnostic renders, whatever the bytes.
        let rendered = DiagnosticRenderer.render(diagnostics, source: String(decoding: input.bytes, as: UTF8.self))
        #expect(rendered.contains("--> bad.yaml:"))
    }

    @Test(.timeLimit(.minutes(2)), arguments: [1_000, 10_000, 100_000, 1_000_000])
    func deepFlowNestingIsRefusedQuickly(depth: Int) {
        // Unrefused, libyaml needs 42 s for 100,000 '[' and never finishes 1,000,000.
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for text in [String(repeating: "[", count: depth), String(repeating: "{a: ", count: depth)] {
                let (root, diagnostics) = YAMLLoader.load(text, file: "deep.yaml")
                #expect(root == nil)
                #expect(diagnostics.map(\.message) == ["nesting deeper than 128 levels"])
            }
        }
        #expect(elapsed < .seconds(20))
        let (_, diagnostics) = YAMLLoader.load(String(repeating: "[", count: depth), file: "deep.yaml")
        #expect(spots(diagnostics) == ["1:129"])
    }

    @Test(.timeLimit(.minutes(2)), arguments: [200, 10_000, 100_000])
    func deepBlockNestingIsRefused(depth: Int) {
        // libyaml's own loader is iterative here; the tree builder stops at the limit.
        let text = String(repeating: "- ", count: depth) + "x\n"
        let (root, diagnostics) = YAMLLoader.load(text, file: "deep.yaml")
        #expect(root == nil)
        #expect(spots(diagnostics) == ["1:257"])
        #expect(diagnostics.first?.message == "nesting deeper than 128 levels")
    }

    @Test func nestingUpToTheLimitLoads() throws {
        // The root mapping and 127 lists: 128 levels of collections, the most allowed.
        let text = String(repeating: "[", count: 127) + "x" + String(repeating: "]", count: 127)
        let (root, diagnostics) = YAMLLoader.load("k: " + text, file: "t.yaml")
        #expect(diagnostics == [])
        #expect(try root?.json().get() != nil)
        let deeper = "k: [" + text + "]"
        #expect(spots(YAMLLoader.load(deeper, file: "t.yaml").diagnostics) == ["1:131"])
    }

    @Test(.timeLimit(.minutes(1)))
    func billionLaughsStopsAtTheExpansionBudget() {
        var lines = ["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            let refs = Array(repeating: "*\(previous)", count: 9).joined(separator: ",")
            lines.append("\(name): &\(name) [\(refs)]")
        }
        let (root, diagnostics) = YAMLLoader.load(lines.joined(separator: "\n") + "\n", file: "lol.yaml")
        #expect(root == nil)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message.contains("beyond 100000 more nodes") == true)
        #expect((diagnostics.first?.location.line ?? 0) >= 1)
    }

    @Test func modestAliasesExpand() throws {
        let text = "base: &b {method: GET, headers: {A: '1'}}\ncases:\n" + String(repeating: "  - *b\n", count: 500)
        let (root, diagnostics) = YAMLLoader.load(text, file: "t.yaml")
        #expect(diagnostics == [])
        #expect(root?.mappingValue("cases")?.sequence?.count == 500)
        #expect(root?.mappingValue("cases")?.sequence?.last?.mappingValue("method")?.scalar == "GET")
    }

    @Test(.timeLimit(.minutes(1)))
    func anchorsAndAliasesAreCounted() {
        // libyaml finds anchors by linear search: 30,000 of them cost it 4 s.
        let anchors = (0..<2_000).map { "- &a\($0) x" }.joined(separator: "\n")
        let (root, diagnostics) = YAMLLoader.load(anchors, file: "t.yaml")
        #expect(root == nil)
        #expect(spots(diagnostics) == ["1001:3"])
        #expect(diagnostics.first?.message.contains("more than 1000 anchors") == true)

        let aliases = "- &a x\n" + String(repeating: "- *a\n", count: 10_001)
        let (_, aliasDiagnostics) = YAMLLoader.load(aliases, file: "t.yaml")
        #expect(spots(aliasDiagnostics) == ["10002:3"])
        #expect(aliasDiagnostics.first?.message.contains("more than 10000 aliases") == true)

        let directives = String(repeating: "%TAG !a! tag:x,2026:\n", count: 100) + "--- 1\n"
        let (_, directiveDiagnostics) = YAMLLoader.load(directives, file: "t.yaml")
        #expect(spots(directiveDiagnostics) == ["65:1"])
    }

    @Test(.timeLimit(.minutes(3)))
    func tenMegabytesOfSpecLoad() throws {
        // The cases of the sample spec, repeated (with distinct names) to 10 MB.
        let split = try #require(sampleSpec.firstRange(of: "cases:\n"))
        let oneCase = String(sampleSpec[split.upperBound...])
        var text = String(sampleSpec[..<split.upperBound])
        var count = 0
        while text.utf8.count < 10_000_000 {
            text += oneCase.replacing("name: create a job", with: "name: create job \(count)")
            count += 1
        }
        let (root, diagnostics) = YAMLLoader.load(text, file: "huge.yaml")
        #expect(diagnostics == [])
        #expect(root?.mappingValue("cases")?.sequence?.count == count)
        #expect(root?.mappingValue("cases")?.sequence?.last?.mappingValue("name")?.scalar == "create job \(count - 1)")
    }

    @Test(.timeLimit(.minutes(2)))
    func tenMegabytesOfOneFlowLineOrOfNoise() {
        let line = "[" + String(repeating: "item, ", count: 1_700_000) + "end]\n"
        let (root, diagnostics) = YAMLLoader.load(line, file: "wide.yaml")
        #expect(diagnostics == [])
        #expect(root?.sequence?.count == 1_700_001)

        var generator = SeededRandom(state: 7)
        let noise = (0..<10_000_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let (noiseRoot, noiseDiagnostics) = YAMLLoader.load(bytes: noise, file: "noise.bin")
        #expect(noiseRoot == nil)
        #expect(noiseDiagnostics.count == 1)
    }
}
