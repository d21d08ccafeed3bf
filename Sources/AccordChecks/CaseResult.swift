import AccordSpec

/// How one case ended.
public enum CaseOutcome: String, Sendable, Equatable, Codable {
    /// Every expectation held.
    case passed
    /// An expectation was broken: the server did something the spec forbids.
    case failed
    /// The check could not run (connection refused, a probe failed, a template had no value).
    case error
    /// Not run: not selected by tags, or a side effect needs a URL that was not given.
    case skipped
}

/// A broken expectation, with what was expected, what was seen, and the spec line that said it.
public struct AssertionFailure: Sendable, Equatable {
    public var message: String
    public var expected: String
    public var actual: String
    public var location: SourceLocation?

    public init(message: String, expected: String, actual: String, location: SourceLocation?) {
        self.message = message
        self.expected = expected
        self.actual = actual
        self.location = location
    }
}

/// The result of one case, ready for the console, JUnit and JSON.
public struct CaseResult: Sendable {
    public var name: String
    public var location: SourceLocation
    public var outcome: CaseOutcome
    public var failures: [AssertionFailure]
    /// Why the case could not run (`error`) or was not run (`skipped`).
    public var reason: String?
    public var durationSeconds: Double
    /// The request line(s) and a response excerpt, for `<system-out>` and the console.
    public var transcript: String

    public init(
        name: String, location: SourceLocation, outcome: CaseOutcome, failures: [AssertionFailure] = [], reason: String? = nil,
        durationSeconds: Double = 0, transcript: String = ""
    ) {
        self.name = name
        self.location = location
        self.outcome = outcome
        self.failures = failures
        self.reason = reason
        self.durationSeconds = durationSeconds
        self.transcript = transcript
    }
}

/// The results of one spec file.
public struct SuiteResult: Sendable {
    public var name: String
    public var file: String
    public var cases: [CaseResult]

    public init(name: String, file: String, cases: [CaseResult]) {
        self.name = name
        self.file = file
        self.cases = cases
    }

    public func count(_ outcome: CaseOutcome) -> Int { cases.filter { $0.outcome == outcome }.count }
    public var durationSeconds: Double { cases.reduce(0) { $0 + $1.durationSeconds } }
}

/// A whole `accord check` run.
public struct CheckRunResult: Sendable {
    public var target: String
    public var suites: [SuiteResult]
    /// True when the target could not be reached at all (exit 3 rather than 1).
    public var targetUnreachable: Bool

    public init(target: String, suites: [SuiteResult], targetUnreachable: Bool = false) {
        self.target = target
        self.suites = suites
        self.targetUnreachable = targetUnreachable
    }

    public func count(_ outcome: CaseOutcome) -> Int { suites.reduce(0) { $0 + $1.count(outcome) } }
    public var passed: Bool { count(.failed) == 0 && count(.error) == 0 }
}
