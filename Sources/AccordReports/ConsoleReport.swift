import AccordChecks
import AccordResults
import AccordSpec

/// What `accord check` prints: one line per case (✓ passed, ✗ failed, ! error, - skipped),
/// and under a failure what was expected and seen, where the spec said it, the request line
/// and an excerpt of the answer. Colour only when asked (a TTY without NO_COLOR).
public struct ConsoleReport: Sendable {
    public var color: Bool

    public init(color: Bool) {
        self.color = color
    }

    public func caseLine(_ result: CaseResult) -> String {
        caseLine(RunReport.Case(result))
    }

    public func caseLine(_ result: RunReport.Case) -> String {
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
                text += indent("\(failure.message)", 6) + "\n"
                text += indent("expected: \(failure.expected)", 8) + "\n"
                text += indent("actual:   \(failure.actual)", 8) + "\n"
                if let location = failure.location { text += indent(paint("--> \(location)", 34), 8) + "\n" }
            }
            return text + transcript(result)
        }
    }

    public func suiteHeader(_ spec: SpecFile) -> String {
        paint("\(spec.suite.value)", 1) + paint("  \(spec.path)", 90)
    }

    public func summary(_ run: CheckRunResult) -> String {
        let total = run.suites.reduce(0) { $0 + $1.cases.count }
        let line = "\(run.count(.passed)) passed, \(run.count(.failed)) failed, \(run.count(.error)) errors, \(run.count(.skipped)) skipped (\(total) cases)"
        return run.passed ? paint(line, 32) : paint(line, 31)
    }

    /// The same line for a whole run's verdicts.
    public func summary(_ report: RunReport) -> String {
        let total = report.suites.reduce(0) { $0 + $1.cases.count }
        let line = "\(report.count(.passed)) passed, \(report.count(.failed)) failed, \(report.count(.error)) errors, \(report.count(.skipped)) skipped (\(total) cases)"
        return report.passed ? paint(line, 32) : paint(line, 31)
    }

    private func transcript(_ result: RunReport.Case) -> String {
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
