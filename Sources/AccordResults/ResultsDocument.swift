import AccordJSON
import Foundation

/// Everything one `accord check`, `accord load` or `accord run` found (and, later, what
/// `accord merge` adds up), as one versioned value: what the reports render, what
/// `results.json` / `--json` hold, and what `accord report` and `accord compare` read back.
/// Produced by the runner, consumed by the renderers; it knows nothing about how it was
/// measured. docs/results-format.md describes every field.
public struct ResultsDocument: Codable, Sendable, Equatable {
    public static let formatName = "accord-results"
    public static let currentVersion = 3

    /// Which command wrote the document.
    public enum Kind: String, Codable, Sendable {
        case check, load, run, merge
    }

    public var format: String
    public var version: Int
    public var kind: Kind
    /// When the run started, to the millisecond, RFC 3339 in UTC (`2026-12-07T18:02:04.123Z`):
    /// the instant every phase's `startOffset` counts from.
    public var startedAt: String?
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
    /// One load phase per endpoint with targets: at the rate its targets state (open model),
    /// or closed model at fixed connections when they state none.
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
    /// The plan the run executed, as its own versioned JSON document, when there was one.
    public var plan: JSON?
    /// What every report must say before anything else: TLS not verified (`--insecure`),
    /// traffic through a proxy. Optional in the document (added within version 3).
    public var warnings: [String]?
    /// The data seeded before the load; nil when no spec declares `seed:` (optional in v3).
    public var seeding: Seeding? = nil
    /// The verdict per conformance level, in level order; nil before levels (optional in v3).
    public var levels: [LevelVerdict]? = nil
    /// One connection per endpoint with latency claims: the vendor's single-request figures
    /// measured as stated (optional in v3).
    public var singleRequest: [LoadPhase]? = nil
    /// The vendor's claims (`claims:`) beside our figures (optional in v3).
    public var claims: [ClaimOutcome]? = nil
    /// What the server's metrics endpoint exposed after the load (optional in v3).
    public var monitoring: Monitoring? = nil
    /// A shard's document (`--shard i/n`): which share it ran and when it started. Optional
    /// (added within version 3).
    public var shard: ShardInfo? = nil
    /// A merged document (`accord merge`): one row per shard merged. Optional (version 3).
    public var shards: [ShardSummary]? = nil
    /// The server processes of a booted run, one per replica (optional in v3; `Instances.swift`).
    public var instances: [Instance]? = nil
    /// One instance against N (`--replicas N`, N ≥ 2, with the capacity search); optional in v3.
    public var scaling: Scaling? = nil

    public init(
        kind: Kind, date: String, startedAt: String? = nil, command: String, target: String, booted: Bool, profile: String,
        environment: [Fact] = [],
        specFiles: [SpecFileDigest] = [], suites: [Suite] = [], endpoints: [LoadPhase] = [], scenarios: [LoadPhase] = [],
        capacity: [Capacity] = [], reconciliation: [Reconciliation] = [], reliability: [FaultOutcome] = [],
        bottlenecks: [String] = [], targetUnreachable: Bool = false, plan: JSON? = nil
    ) {
        format = Self.formatName
        version = Self.currentVersion
        self.kind = kind
        self.date = date
        self.startedAt = startedAt
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
        self.plan = plan
    }

    /// Every verdict held: no failed case, no errored case, and at least one case passed (a
    /// run that verified nothing has not passed).
    public var passed: Bool { !targetUnreachable && count(.failed) == 0 && count(.error) == 0 && count(.passed) > 0 }

    /// `date` as RFC 3339 in UTC to the millisecond (`2026-12-07T18:02:04.123Z`), as
    /// ``startedAt`` holds it.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

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

