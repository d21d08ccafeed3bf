/// How one verdict ended.
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

extension ResultsDocument {
    /// One JUnit test suite: a spec file's cases, or `targets`, `scenarios`, `capacity`,
    /// `reconciliation`, `reliability`.
    public struct Suite: Codable, Sendable, Equatable {
        public var name: String
        public var file: String
        public var cases: [Case]

        public init(name: String, file: String, cases: [Case]) {
            self.name = name
            self.file = file
            self.cases = cases
        }

        public func count(_ outcome: CaseOutcome) -> Int { cases.filter { $0.outcome == outcome }.count }
        public var seconds: Double { cases.reduce(0) { $0 + $1.seconds } }
    }

    /// One verdict: a functional case, a target, a scenario, a reconciliation, a fault.
    public struct Case: Codable, Sendable, Equatable {
        public var name: String
        /// `file:line:col` of the spec line that asked for it.
        public var location: String
        public var outcome: CaseOutcome
        public var seconds: Double
        /// Why the case could not run (`error`) or was not run (`skipped`).
        public var reason: String?
        public var failures: [CheckFailure]
        /// The request sent and an excerpt of the answer, for `<system-out>` and the console.
        public var transcript: String
        /// `core`, `strict` or `extended` (see docs/levels.md); nil in documents written
        /// before levels (optional within version 3).
        public var level: String?

        public init(
            name: String, location: String, outcome: CaseOutcome, seconds: Double = 0, reason: String? = nil, failures: [CheckFailure] = [],
            transcript: String = ""
        ) {
            self.name = name
            self.location = location
            self.outcome = outcome
            self.seconds = seconds
            self.reason = reason
            self.failures = failures
            self.transcript = transcript
        }
    }
}
