import AccordChecks
import AccordResults
import AccordSpec

/// What `accord check` prints: one line per case (✓ passed, ✗ failed, ! error, - skipped),
/// and under a failure, Hurl-style, the spec line with a caret under the broken expectation
/// (what was expected, what the answer had), then the request sent and an excerpt of the
/// answer. Colour only when asked (a TTY without NO_COLOR).
///
/// ```
///   ✗ priority above 3 is refused
///       error: values differ
///         --> specs/create-job.yaml:31:17
///          |
///       31 |         status: 422
///          |                 ^^^ expected == 422, actual 201
///          |
///         POST http://127.0.0.1:8080/v2/tasks?priority=9&…
///         HTTP 201
/// ```
public struct ConsoleReport: Sendable {
    public var color: Bool

    public init(color: Bool) {
        self.color = color
    }

    public func caseLine(_ result: ResultsDocument.Case) -> String {
        let seconds = String(Int((result.seconds * 1000).rounded())) + " ms"
        switch result.outcome {
        case .passed:
            return "  \(paint("✓", 32)) \(result.name) \(paint("(\(seconds))", 90))"
        case .skipped:
            return "  \(paint("-", 33)) \(result.name) \(paint("skipped: \(result.reason ?? "")", 90))"
        case .error:
            return "  \(paint("!", 31)) \(result.name)\n" + indent("error: \(result.reason ?? "")", 6) + transcript(result)
        case .failed:
            var text = "  \(paint("✗", 31)) \(result.name)\n"
            for failure in result.failures {
                for line in FailureText.block(failure).split(separator: "\n", omittingEmptySubsequences: false) {
                    text += indent(String(line), 6) + "\n"
                }
            }
            return text + transcript(result)
        }
    }

    public func suiteHeader(_ spec: SpecFile) -> String {
        paint("\(spec.suite.value)", 1) + paint("  \(spec.path)", 90)
    }

    /// The closing line: counts of every outcome; green only when the document passed.
    public func summary(_ report: ResultsDocument) -> String {
        let total = report.suites.reduce(0) { $0 + $1.cases.count }
        let line = "\(report.count(.passed)) passed, \(report.count(.failed)) failed, \(report.count(.error)) errors, \(report.count(.skipped)) skipped (\(total) cases)"
        let warnings = (report.warnings ?? []).map { paint("warning: \($0)", 33) + "\n" }.joined()
        let levels = levelLine(report).map { "\n" + $0 } ?? ""
        return warnings + (report.passed ? paint(line, 32) : paint(line, 31)) + levels
    }

    /// `levels: core PASSED (40/40) · strict FAILED (110/118) · extended NOT RUN`; nil for a
    /// document without levels.
    public func levelLine(_ report: ResultsDocument) -> String? {
        guard let levels = report.levels, !levels.isEmpty else { return nil }
        let parts = levels.map { level -> String in
            let ran = level.passed + level.failed + level.errors
            let text = "\(level.level) \(level.verdict)" + (ran > 0 ? " (\(level.passed)/\(ran))" : "")
            return level.verdict == "NOT RUN" ? text : paint(text, level.held ? 32 : 31)
        }
        return "levels: " + parts.joined(separator: " · ")
    }

    /// `seed data: jobs: 100,000 rows, 60,012 stream entries in 4.1 s`, a line per table; nil when
    /// the specs declare no `seed:`.
    public func seeding(_ report: ResultsDocument) -> String? {
        report.seeding.map { seeding in seeding.lines.map { "seed data: \($0)" }.joined(separator: "\n") }
    }

    private func transcript(_ result: ResultsDocument.Case) -> String {
        guard !result.transcript.isEmpty else { return "" }
        let lines = result.transcript.split(separator: "\n", omittingEmptySubsequences: false).prefix(24)
        return lines.map { indent(paint(String($0), 90), 8) }.joined(separator: "\n") + "\n"
    }

    private func indent(_ text: String, _ spaces: Int) -> String {
        String(repeating: " ", count: spaces) + text
    }

    private func paint(_ text: String, _ code: Int) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
