/// One broken expectation, worded for people: what was wrong, what the spec asked for, what
/// the answer had, and — when a spec line said it — where, with that line and a caret under
/// the expectation, rendered as spec diagnostics are:
///
/// ```
/// error: Assert body $.status: values differ
///   --> specs/jobs.yaml:17:17
///    |
/// 17 |         $.status: created
///    |                   ^^^^^^^ expected == "created", actual "queued"
/// ```
///
/// The evaluators of AccordChecks return it (nil: the expectation holds); the runner adds the
/// location and the source excerpt; every report (console, JUnit, results.json, baseline.md)
/// shows this one type.
public struct CheckFailure: Codable, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in a short sentence (`values differ`, `$.items[*] selects nothing`).
    public var message: String
    /// What the spec asked for, e.g. `== "created"`, `matches uuid`, `< 500ms`.
    public var expected: String
    /// What the answer had, e.g. `"queued"`; values as compact JSON, long ones cut with "…".
    public var actual: String
    /// `file:line:col` of the spec line that stated the expectation.
    public var location: String?
    /// That line with a caret under the expectation (the block above), when the spec's text
    /// was at hand; kept in the results so `accord report` shows it too.
    public var source: String?

    public init(message: String, expected: String, actual: String, location: String? = nil, source: String? = nil) {
        self.message = message
        self.expected = expected
        self.actual = actual
        self.location = location
        self.source = source
    }

    /// `message: expected X, actual Y`
    public var description: String { "\(message): expected \(expected), actual \(actual)" }

    /// The same failure about one answer of several (`answer 2 of 5: …`).
    public func prefixed(_ prefix: String) -> CheckFailure {
        var copy = self
        copy.message = prefix + message
        return copy
    }
}
