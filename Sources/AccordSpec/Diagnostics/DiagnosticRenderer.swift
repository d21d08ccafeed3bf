/// Prints diagnostics for people, the way Hurl (and rustc) do, from the file's text:
///
/// ```
/// error: unknown key 'statuss' (did you mean 'status'?)
///   --> specs/jobs.yaml:14:7
///    |
/// 14 |       statuss: 201
///    |       ^^^^^^^ actual value is <422>
///    |
///    = help: the keys of 'expect' are status, headers, body, schema, max_time
/// ```
///
/// and for editors and CI in one line, as swift-format does:
/// `specs/jobs.yaml:14:7: error: unknown key 'statuss' (did you mean 'status'?)`.
public enum DiagnosticRenderer {
    /// Source lines longer than this many characters are shown as a window around the column.
    static let maxShownWidth = 160

    /// Renders one diagnostic against `source`, the text of the file its location names.
    /// ANSI colour codes appear only when `color` is true (callers pass "stderr is a TTY").
    /// Any location renders, even one past the end of its line or of the file.
    public static func render(_ diagnostic: Diagnostic, source: String, color: Bool = false) -> String {
        render(diagnostic, lines: SourceLines(source), color: color)
    }

    /// Renders several diagnostics of one file, separated by blank lines.
    public static func render(_ diagnostics: [Diagnostic], source: String, color: Bool = false) -> String {
        let lines = SourceLines(source)
        return diagnostics.map { render($0, lines: lines, color: color) }.joined(separator: "\n\n")
    }

    /// The one-line form: `file:line:col: error: message`.
    public static func renderCompact(_ diagnostic: Diagnostic) -> String {
        "\(diagnostic.location): \(diagnostic.severity.rawValue): \(diagnostic.message)"
    }

    static func render(_ diagnostic: Diagnostic, lines: SourceLines, color: Bool) -> String {
        let style = Style(color: color, severity: diagnostic.severity)
        let location = diagnostic.location
        let lineNumber = String(max(1, location.line))
        let gutter = String(repeating: " ", count: lineNumber.count)
        let bar = style.gutter("|")
        let (text, caretColumn, caretCount) = shownLine(
            lines.text(ofLine: location.line) ?? "", column: location.column, length: location.length)

        var output: [String] = []
        output.append(style.severity(diagnostic.severity.rawValue) + style.bold(": " + diagnostic.message))
        output.append(gutter + style.gutter("-->") + " \(location.file):\(location.line):\(location.column)")
        output.append(gutter + " " + bar)
        output.append(style.gutter(lineNumber + " |") + (text.isEmpty ? "" : " " + text))
        var marker = String(repeating: " ", count: caretColumn - 1) + String(repeating: "^", count: caretCount)
        if let label = diagnostic.label, !label.isEmpty { marker += " " + label }
        output.append(gutter + " " + bar + " " + style.severity(marker))
        output.append(gutter + " " + bar)
        if let help = diagnostic.help, !help.isEmpty {
            let helpLines = help.split(separator: "\n", omittingEmptySubsequences: false)
            for (index, helpLine) in helpLines.enumerated() {
                let lead = index == 0 ? style.gutter("=") + " " + style.bold("help") + ": " : "         "
                output.append(gutter + " " + lead + helpLine)
            }
        }
        return output.joined(separator: "\n")
    }

    /// The source line as printed (tabs as one space, control characters as U+FFFD, trailing
    /// blanks dropped, long lines windowed around the column), with the caret's 1-based column
    /// and width in that printed text.
    static func shownLine(_ line: String, column: Int, length: Int) -> (text: String, column: Int, carets: Int) {
        var scalars = line.unicodeScalars.map { scalar -> Unicode.Scalar in
            if scalar == "\t" { return " " }
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { return "\u{FFFD}" }
            return scalar
        }
        while let last = scalars.last, last == " " { scalars.removeLast() }
        var start = max(1, column)
        var count = start <= scalars.count ? min(max(1, length), scalars.count - start + 1) : 1
        start = min(start, scalars.count + 1)

        // Window a very long line (minified JSON) around the column, marking cut ends with '…'.
        if scalars.count > maxShownWidth {
            let lead = 40
            let from = max(0, start - 1 - lead)
            let to = min(scalars.count, from + maxShownWidth)
            var window = Array(scalars[from..<to])
            if to < scalars.count { window.append("…") }
            count = max(1, min(count, to - (start - 1)))
            start -= from
            if from > 0 {
                window.insert("…", at: 0)
                start += 1
            }
            scalars = window
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        return (text, start, count)
    }
}

/// ANSI styling, or none: bold red errors, yellow warnings, a blue gutter, like rustc.
private struct Style {
    var color: Bool
    var severity: Diagnostic.Severity

    func severity(_ text: String) -> String {
        wrap(text, severity == .error ? "\u{1B}[1;31m" : "\u{1B}[1;33m")
    }

    func gutter(_ text: String) -> String { wrap(text, "\u{1B}[1;34m") }
    func bold(_ text: String) -> String { wrap(text, "\u{1B}[1m") }

    private func wrap(_ text: String, _ code: String) -> String {
        color ? code + text + "\u{1B}[0m" : text
    }
}
