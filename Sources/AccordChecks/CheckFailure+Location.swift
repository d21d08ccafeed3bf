import AccordResults
import AccordSpec

extension CheckFailure {
    /// A failure stated by the spec line at `location`.
    public init(message: String, expected: String, actual: String, location: SourceLocation?) {
        self.init(message: message, expected: expected, actual: actual, location: location?.description)
    }

    /// This failure, stated by the spec line at `location`.
    public func located(at location: SourceLocation) -> CheckFailure {
        var copy = self
        copy.location = location.description
        return copy
    }

    /// This failure with ``source`` filled from `specText`, the text of the file its location
    /// names: the line and a caret under the expectation, rendered as spec diagnostics are
    /// (`DiagnosticRenderer`), labelled with what was expected and what the answer had. The
    /// caret spans the value from the location's column to the end of the line, a trailing
    /// `# comment` left out. Unchanged when there is no location.
    public func quoting(_ specText: String) -> CheckFailure {
        guard let location, let parsed = Self.parse(location) else { return self }
        let line = SourceLines(specText).text(ofLine: parsed.line) ?? ""
        let span = SourceLocation(file: parsed.file, line: parsed.line, column: parsed.column, length: Self.valueLength(in: line, from: parsed.column))
        var copy = self
        copy.source = DiagnosticRenderer.render(
            Diagnostic.error(message, at: span, label: "expected \(expected), actual \(actual)"), source: specText)
        return copy
    }

    /// `file:line:col` back into its parts; the file may itself hold colons.
    static func parse(_ location: String) -> (file: String, line: Int, column: Int)? {
        let parts = location.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let line = Int(parts[parts.count - 2]), let column = Int(parts[parts.count - 1]), line > 0, column > 0 else {
            return nil
        }
        return (parts.dropLast(2).joined(separator: ":"), line, column)
    }

    /// Characters from `column` (1-based) to the end of `line`'s value: trailing blanks and a
    /// ` #` comment are not part of it. At least 1.
    public static func valueLength(in line: String, from column: Int) -> Int {
        let scalars = Array(line.unicodeScalars)
        guard column >= 1, column <= scalars.count else { return 1 }
        var end = scalars.count
        var index = column - 1
        var quote: Unicode.Scalar?
        while index < scalars.count {
            let scalar = scalars[index]
            if let open = quote {
                if scalar == open { quote = nil }
            } else if scalar == "\"" || scalar == "'" {
                quote = scalar
            } else if scalar == "#", index > column - 1, scalars[index - 1] == " " {
                end = index
                break
            }
            index += 1
        }
        while end > column - 1, scalars[end - 1] == " " { end -= 1 }
        return max(1, end - (column - 1))
    }
}

extension ResultsDocument.Case {
    /// A verdict stated by the spec line at `location`.
    public init(
        name: String, location: SourceLocation, outcome: CaseOutcome, failures: [CheckFailure] = [], reason: String? = nil, seconds: Double = 0,
        transcript: String = ""
    ) {
        self.init(
            name: name, location: location.description, outcome: outcome, seconds: seconds, reason: reason, failures: failures,
            transcript: transcript)
    }
}
