import AccordSpec
import Testing

@Suite("level: in spec files")
struct LevelDecodingTests {
    static func load(_ text: String) -> Result<SpecFile, SpecProblems> { SpecLoader.load(text, path: "specs/x.yaml") }

    @Test func aCaseTakesItsOwnLevelElseTheFilesElseCore() throws {
        let text = """
            suite: x
            level: strict
            cases:
              - name: a
                request: {path: /a}
              - name: b
                level: extended
                request: {path: /b}
            """
        let spec = try Self.load(text).get()
        #expect(spec.cases.map { spec.level(of: $0) } == [.strict, .extended])
        let plain = try Self.load("suite: y\ncases:\n  - name: a\n    request: {path: /a}\n").get()
        #expect(plain.level(of: plain.cases[0]) == .core)
    }

    @Test(arguments: [
        ("suite: x\nlevel: stirct\ncases:\n  - name: a\n    request: {path: /a}\n", 2, 8, "unknown level 'stirct' (did you mean 'strict'?)"),
        ("suite: x\ncases:\n  - name: a\n    level: gold\n    request: {path: /a}\n", 4, 12, "unknown level 'gold'"),
    ])
    func anUnknownLevelIsRefusedWhereItIsWritten(text: String, line: Int, column: Int, message: String) {
        guard case .failure(let problems) = Self.load(text) else {
            Issue.record("accepted")
            return
        }
        let diagnostic = problems.diagnostics.first { $0.message.hasPrefix(message) }
        #expect(diagnostic?.location.line == line && diagnostic?.location.column == column, "\(problems.diagnostics.map(\.message))")
    }

    @Test(arguments: [("core,strict", [ConformanceLevel.core, .strict]), ("extended", [.extended]), (" Core , EXTENDED", [.core, .extended])])
    func levelListsParse(text: String, levels: [ConformanceLevel]) throws {
        #expect(try ConformanceLevel.parseList(text).get() == Set(levels))
    }

    @Test func anUnknownNameInALevelListIsNamedWithASuggestion() {
        guard case .failure(let problem) = ConformanceLevel.parseList("core,extnded") else {
            Issue.record("accepted")
            return
        }
        #expect(problem.description.hasPrefix("unknown level 'extnded' (did you mean 'extended'?)"))
    }

    @Test func aFileOfAnUnselectedLevelKeepsItsEndpointsButPlansNoLoad() throws {
        let text = """
            suite: l
            level: core
            endpoints:
              e: {path: /e}
            targets:
              e: {p95: "< 50ms"}
            """
        let spec = try Self.load(text).get()
        #expect(spec.keepingLoad(of: [.strict]).targets.isEmpty && spec.keepingLoad(of: [.strict]).endpoints.count == 1)
        #expect(spec.keepingLoad(of: [.core]).targets.count == 1)
    }
}
