/// Something wrong (or suspicious) in a spec file, said for people: what happened, where, and
/// what to do. `DiagnosticRenderer` prints it the way Hurl does:
///
/// ```
/// error: unknown key 'statuss' (did you mean 'status'?)
///   --> specs/jobs.yaml:14:7
///    |
/// 14 |       statuss: 201
///    |       ^^^^^^^
///    |
/// ```
public struct Diagnostic: Sendable, Hashable, Error, CustomStringConvertible {
    /// How bad it is: errors make a file invalid, warnings do not.
    public enum Severity: String, Sendable, Hashable {
        /// The file is invalid.
        case error
        /// Worth a look; the file is still valid.
        case warning
    }

    /// Error or warning.
    public var severity: Severity
    /// What happened, in one line: "unknown key 'statuss' (did you mean 'status'?)".
    public var message: String
    /// Where: the span to underline.
    public var location: SourceLocation
    /// Text after the carets, e.g. "actual value is <422>".
    public var label: String?
    /// What to do about it, printed as a "= help: …" line.
    public var help: String?

    /// A diagnostic; errors unless `severity` says otherwise.
    public init(
        severity: Severity = .error,
        message: String,
        location: SourceLocation,
        label: String? = nil,
        help: String? = nil
    ) {
        self.severity = severity
        self.message = message
        self.location = location
        self.label = label
        self.help = help
    }

    /// An error at `location`.
    public static func error(
        _ message: String, at location: SourceLocation, label: String? = nil, help: String? = nil
    ) -> Diagnostic {
        Diagnostic(severity: .error, message: message, location: location, label: label, help: help)
    }

    /// A warning at `location`.
    public static func warning(
        _ message: String, at location: SourceLocation, label: String? = nil, help: String? = nil
    ) -> Diagnostic {
        Diagnostic(severity: .warning, message: message, location: location, label: label, help: help)
    }

    /// The compact one-line form, `file:line:col: error: message`.
    public var description: String { DiagnosticRenderer.renderCompact(self) }
}

extension Diagnostic {
    /// Orders diagnostics by file, then line, then column, so a file's problems read top-down.
    public static func sortedByLocation(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { lhs, rhs in
            let a = lhs.element.location
            let b = rhs.element.location
            if a.file != b.file { return a.file < b.file }
            if a.line != b.line { return a.line < b.line }
            if a.column != b.column { return a.column < b.column }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
