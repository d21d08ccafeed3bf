import AccordSpec
import Testing

@Suite("Diagnostic rendering")
struct DiagnosticRendererTests {
    static let jobs = (1...13).map { "line \($0)" }.joined(separator: "\n") + "\n  expect:\n      statuss: 201\n"

    @Test func rendersLikeHurl() {
        let diagnostic = Diagnostic.error(
            "unknown key 'statuss' (did you mean 'status'?)",
            at: SourceLocation(file: "specs/jobs.yaml", line: 15, column: 7, length: 7),
            label: "actual value is <422>", help: "the keys of expect are status, headers, body")
        #expect(DiagnosticRenderer.render(diagnostic, source: Self.jobs) == """
            error: unknown key 'statuss' (did you mean 'status'?)
              --> specs/jobs.yaml:15:7
               |
            15 |       statuss: 201
               |       ^^^^^^^ actual value is <422>
               |
               = help: the keys of expect are status, headers, body
            """)
    }

    @Test func theGutterIsAsWideAsTheLineNumber() {
        let diagnostic = Diagnostic.error("m", at: SourceLocation(file: "f.yaml", line: 3, column: 5, length: 3))
        #expect(DiagnosticRenderer.render(diagnostic, source: "a\nb\nabc defgh\n") == """
            error: m
             --> f.yaml:3:5
              |
            3 | abc defgh
              |     ^^^
              |
            """)
    }

    @Test(arguments: [
        // (source line, column, length, rendered line, caret line)
        ("\tkey:\tvalue", 7, 5, "1 |  key: value", "  |       ^^^^^"),          // tabs print as one space
        ("ab", 10, 3, "1 | ab", "  |   ^"),                                      // past the end of the line
        ("abc", 2, 99, "1 | abc", "  |  ^^"),                                   // a span clipped to the line
        ("é: ü", 4, 1, "1 | é: ü", "  |    ^"),                                 // columns are characters
        ("a\u{1B}b: c", 5, 1, "1 | a\u{FFFD}b: c", "  |     ^"),                // no raw control characters
        ("x   ", 1, 1, "1 | x", "  | ^"),                                       // trailing blanks dropped
        ("", 1, 1, "1 |", "  | ^"),
        ("x", 0, 0, "1 | x", "  | ^"),                                          // nonsense columns clamp
    ])
    func placesTheCarets(line: String, column: Int, length: Int, shown: String, carets: String) {
        let diagnostic = Diagnostic.error("m", at: SourceLocation(file: "f", line: 1, column: column, length: length))
        let rendered = DiagnosticRenderer.render(diagnostic, source: line).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rendered.count == 6)
        #expect(rendered.dropFirst(3).first.map(String.init) == shown)
        #expect(rendered.dropFirst(4).first.map(String.init) == carets)
    }

    @Test(arguments: [(9, 1), (2, 3), (0, 1), (-4, 2), (100_000, 1)])
    func locationsOutsideTheFileStillRender(line: Int, column: Int) {
        let diagnostic = Diagnostic.error("m", at: SourceLocation(file: "f", line: line, column: column))
        let rendered = DiagnosticRenderer.render(diagnostic, source: "only line\n")
        #expect(rendered.hasPrefix("error: m\n"))
        #expect(rendered.contains("--> f:\(line):\(column)"))
        #expect(rendered.contains("^"))
    }

    @Test func longLinesAreWindowedAroundTheColumn() throws {
        let line = String(repeating: "a", count: 499) + "TARGET" + String(repeating: "b", count: 495)
        let diagnostic = Diagnostic.error("m", at: SourceLocation(file: "f", line: 1, column: 500, length: 6))
        let rendered = DiagnosticRenderer.render(diagnostic, source: line).split(separator: "\n").map(String.init)
        let shown = Array(rendered[3].dropFirst("1 | ".count))
        let carets = Array(rendered[4].dropFirst("  | ".count))
        #expect(shown.count <= 162)
        #expect(shown.first == "…" && shown.last == "…")
        let start = try #require(carets.firstIndex(of: "^"))
        #expect(String(shown[start..<(start + 6)]) == "TARGET")
        #expect(carets.filter { $0 == "^" }.count == 6)
    }

    @Test func colourOnlyWhenAsked() {
        let diagnostic = Diagnostic.error("m", at: SourceLocation(file: "f", line: 1, column: 1), label: "here", help: "fix it")
        let plain = DiagnosticRenderer.render(diagnostic, source: "x\n", color: false)
        let coloured = DiagnosticRenderer.render(diagnostic, source: "x\n", color: true)
        #expect(!plain.contains("\u{1B}"))
        #expect(coloured.hasPrefix("\u{1B}[1;31merror\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[1;34m-->\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[1;31m^ here\u{1B}[0m"))
        // Stripped of its escapes, the coloured text is the plain one.
        #expect(coloured.replacing(/\u{1B}\[[0-9;]*m/, with: "") == plain)
        let warning = Diagnostic.warning("w", at: SourceLocation(file: "f", line: 1, column: 1))
        #expect(DiagnosticRenderer.render(warning, source: "x", color: true).hasPrefix("\u{1B}[1;33mwarning\u{1B}[0m"))
    }

    @Test func multiLineHelpIsIndented() {
        let diagnostic = Diagnostic.error("m", at: SourceLocation(file: "f", line: 1, column: 1), help: "one\ntwo")
        #expect(DiagnosticRenderer.render(diagnostic, source: "x").hasSuffix("  = help: one\n           two"))
    }

    @Test func severalDiagnosticsAreSeparatedByABlankLine() {
        let first = Diagnostic.error("a", at: SourceLocation(file: "f", line: 1, column: 1))
        let second = Diagnostic.warning("b", at: SourceLocation(file: "f", line: 2, column: 1))
        let rendered = DiagnosticRenderer.render([first, second], source: "x\ny\n")
        #expect(rendered == DiagnosticRenderer.render(first, source: "x\ny\n") + "\n\n" + DiagnosticRenderer.render(second, source: "x\ny\n"))
    }

    @Test func theCompactFormIsOneLine() {
        let error = Diagnostic.error("unknown key 'statuss'", at: SourceLocation(file: "specs/jobs.yaml", line: 14, column: 7))
        #expect(DiagnosticRenderer.renderCompact(error) == "specs/jobs.yaml:14:7: error: unknown key 'statuss'")
        #expect(error.description == "specs/jobs.yaml:14:7: error: unknown key 'statuss'")
        let warning = Diagnostic(severity: .warning, message: "w", location: SourceLocation(file: "f", line: 1, column: 2))
        #expect(DiagnosticRenderer.renderCompact(warning) == "f:1:2: warning: w")
    }

    @Test func diagnosticsSortByFileLineAndColumn() {
        func at(_ file: String, _ line: Int, _ column: Int) -> Diagnostic {
            .error("\(file)\(line)\(column)", at: SourceLocation(file: file, line: line, column: column))
        }
        let sorted = Diagnostic.sortedByLocation([at("b", 1, 1), at("a", 2, 1), at("a", 1, 9), at("a", 1, 2)])
        #expect(sorted.map(\.message) == ["a12", "a19", "a21", "b11"])
    }
}
