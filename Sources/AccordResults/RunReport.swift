import AccordChecks
import Foundation

/// Everything one `accord run` found, as one versioned value: what the reports render, what
/// `results.json` holds, and what `accord report` and `accord compare` read back. Produced
/// by the runner, consumed by the renderers; it knows nothing about how it was measured.
public struct RunReport: Codable, Sendable, Equatable {
    public static let formatName = "accord-run-results"
    public static let currentVersion = 2

    public var format: String
    public var version: Int
    /// When the run started, e.g. `2026-11-30 11:12:56 UTC`.
    public var date: String
    /// The command line to reproduce the run.
    public var command: String
    public var target: String
    /// True when the runner booted the environment itself (throwaway PostgreSQL, Redis, server).
    public var booted: Bool
    public var profile: String
    /// Detected facts about the machine and the services (CPU, memory, OS, versions, server).
    public var environment: [Fact]
    public var specFiles: [SpecFileDigest]
    /// Every pass/fail verdict, grouped as JUnit suites: the functional suites, then
    /// `targets`, `scenarios`, `capacity`, `reconciliation` and `reliability`.
    public var suites: [Suite]
    /// One load phase per endpoint with targets (closed model, fixed connections).
    public var endpoints: [LoadPhase]
    /// The scenarios as run, each with its endpoints nested.
    public var scenarios: [LoadPhase]
    public var capacity: [Capacity]
    public var reconciliation: [Reconciliation]
    public var reliability: [FaultOutcome]
    /// What limited throughput, in words, derived from the measurements.
    public var bottlenecks: [String]
    /// True when the target could not be reached at all.
    public var targetUnreachable: Bool

    public init(
        date: String, command: String, target: String, booted: Bool, profile: String, environment: [Fact] = [],
        specFiles: [SpecFileDigest] = [], suites: [Suite] = [], endpoints: [LoadPhase] = [], scenarios: [LoadPhase] = [],
        capacity: [Capacity] = [], reconciliation: [Reconciliation] = [], reliability: [FaultOutcome] = [],
        bottlenecks: [String] = [], targetUnreachable: Bool = false
    ) {
        format = Self.formatName
        version = Self.currentVersion
        self.date = date
        self.command = command
        self.target = target
        self.booted = booted
        self.profile = profile
        self.environment = environment
        self.specFiles = specFiles
        self.suites = suites
        self.endpoints = endpoints
        self.scenarios = scenarios
        self.capacity = capacity
        self.reconciliation = reconciliation
        self.reliability = reliability
        self.bottlenecks = bottlenecks
        self.targetUnreachable = targetUnreachable
    }

    /// Every verdict held: no failed case, no errored case, and at least one case passed (a
    /// run that verified nothing has not passed).
    public var passed: Bool { !targetUnreachable && count(.failed) == 0 && count(.error) == 0 && count(.passed) > 0 }

    public func count(_ outcome: CaseOutcome) -> Int { suites.reduce(0) { $0 + $1.count(outcome) } }

    public func suite(named name: String) -> Suite? { suites.first { $0.name == name } }

    public struct Fact: Codable, Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public struct SpecFileDigest: Codable, Sendable, Equatable {
        public var path: String
        /// SHA-256 of the file's bytes, lowercase hex.
        public var sha256: String
        public init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
    }
}

// MARK: - Verdicts

extension RunReport {
    /// One JUnit test suite.
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
        public var reason: String?
        public var failures: [Failure]
        public var transcript: String

        public init(
            name: String, location: String, outcome: CaseOutcome, seconds: Double = 0, reason: String? = nil, failures: [Failure] = [],
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

    public struct Failure: Codable, Sendable, Equatable {
        public var message: String
        public var expected: String
        public var actual: String
        public var location: String?

        public init(message: String, expected: String, actual: String, location: String? = nil) {
            self.message = message
            self.expected = expected
            self.actual = actual
            self.location = location
        }
    }
}

extension RunReport.Suite {
    /// The suite of an `accord check` run, as the reports carry it.
    public init(_ suite: SuiteResult) {
        self.init(name: suite.name, file: suite.file, cases: suite.cases.map(RunReport.Case.init))
    }
}

extension RunReport.Case {
    public init(_ result: CaseResult) {
        self.init(
            name: result.name, location: result.location.description, outcome: result.outcome, seconds: result.durationSeconds,
            reason: result.reason,
            failures: result.failures.map {
                RunReport.Failure(message: $0.message, expected: $0.expected, actual: $0.actual, location: $0.location?.description)
            },
            transcript: result.transcript)
    }
}
