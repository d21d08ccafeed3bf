import AccordChecks
import AccordJSON
import AccordLoad
import AccordSpec
import Foundation

/// What `accord run` and `accord load SPECS` will execute, decided before anything runs: a
/// pure function of the specs and the options (``make(_:)``). `accord plan` prints it; the
/// load session executes its phases in order with their models, sizes and durations; the
/// results embed it (`plan`). Format `accord-plan`, version 1 ([`plan-format.md`]).
public struct RunPlan: Codable, Sendable, Equatable {
    public static let formatName = "accord-plan"
    public static let currentVersion = 1

    public var format = Self.formatName
    public var version = Self.currentVersion
    public var profile: String
    /// The deployment, or "the reference server, booted" when the run boots one.
    public var target: String
    public var functional: Bool
    /// Load engines per phase.
    public var threads: Int
    public var seeding: [SeedStep]
    /// Why nothing (or no stream entry) is seeded, when so.
    public var seedingNote: String?
    public var pools: [PoolStep]
    public var feeders: [FeederStep]
    public var phases: [Phase]
    /// The shard this plan is the share of (`--shard`); nil for a whole plan.
    public var shard: Shard?

    public struct SeedStep: Codable, Sendable, Equatable {
        public var spec: String
        public var table: String
        public var rows: Int
        public var streams: Bool
    }

    public struct PoolStep: Codable, Sendable, Equatable {
        public var spec: String
        public var name: String
        public var from: String
        public var size: Int
        public var collect: String
        public var draw: String
    }

    public struct FeederStep: Codable, Sendable, Equatable {
        public var spec: String
        public var name: String
        public var file: String
        public var order: String
        public var exhausted: String
    }

    public enum Kind: String, Codable, Sendable {
        /// One connection, one request at a time: where the vendor's single-request claims
        /// are measured.
        case single
        /// An endpoint with targets, loaded alone.
        case endpoint
        case scenario
        /// A scenario that breaks the environment while it runs.
        case fault
        /// A capacity search: steps of constant rate, then bisection.
        case capacity
    }

    public struct Phase: Codable, Sendable, Equatable {
        public var kind: Kind
        public var spec: String
        /// The endpoint or scenario; a mix's capacity is "mix (scenario)".
        public var name: String
        /// closed, users or open; nil for a capacity search (open steps).
        public var model: String?
        /// Connections kept (closed), requests in flight at most (open).
        public var connections: Int?
        public var users: Int?
        public var rate: Double?
        public var spawnRate: Double?
        public var thinkMilliseconds: [Int]?
        public var stages: [StageStep]?
        public var seconds: Double?
        public var mix: [MixEntry]
        /// Each target and what it is judged on.
        public var targets: [Judged]
        public var faults: [FaultStep]?
        public var capacity: CapacityRulePlan?
        /// The endpoints whose acknowledged ids are reconciled after the phase.
        public var reconciled: [String]
        /// Why the phase will not run (a fault scenario against a deployment not booted).
        public var skipped: String?
        /// The load in words, as the reports describe it.
        public var load: String
        /// A shard's plan: when the phase starts, in seconds after the start instant
        /// (`--start-at`), the same on every shard; nil: as soon as the one before it ends.
        public var startsAfter: Double?
    }

    public struct StageStep: Codable, Sendable, Equatable {
        public var seconds: Double
        public var target: Double
    }

    public struct MixEntry: Codable, Sendable, Equatable {
        public var endpoint: String
        public var weight: Int
    }

    public struct Judged: Codable, Sendable, Equatable {
        public var target: String
        public var judgedOn: String
    }

    public struct FaultStep: Codable, Sendable, Equatable {
        public var action: String
        public var atSeconds: Double
        public var forSeconds: Double
    }

    /// A capacity search as a rule: it starts from `start` (the rps target's bound, or the
    /// throughput its endpoint phase measured), offers `factors` × start in steps of
    /// `stepSeconds` (at most `maxSteps`), stops at the first step that breaks, then bisects
    /// between the last held and the first broken rate until within `refineWithin`.
    public struct CapacityRulePlan: Codable, Sendable, Equatable {
        public var start: String
        public var startRPS: Double?
        public var factors: [Double]
        public var stepSeconds: Double
        public var maxSteps: Int
        public var refineWithin: Double
        public var p99Targets: [String: Double]
        /// False for a shard's plan: the ladder of steps as planned, no bisection (which
        /// follows local verdicts). Nil: true.
        public var bisects: Bool?
    }
}

extension RunPlan {
    /// The plan as JSON (keys sorted), for `--json` and for the results document's `plan`.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    public var json: JSON? {
        (try? jsonData()).flatMap { try? JSON.parse(bytes: Array($0)) }
    }

    /// Reads a plan written by `accord plan --json`, refusing another format or version.
    public static func read(_ data: Data, path: String) throws -> RunPlan {
        struct Header: Decodable {
            var format: String?
            var version: Int?
        }
        let header = try? JSONDecoder().decode(Header.self, from: data)
        guard header?.format == formatName, header?.version == currentVersion else {
            throw PlanFormatError(message: "\(path) is not an \(formatName) version \(currentVersion) document (format \(header?.format ?? "none"), version \(header?.version.map(String.init) ?? "none"))")
        }
        return try JSONDecoder().decode(RunPlan.self, from: data)
    }

    /// The plan as people read it: one block per phase.
    public var text: String {
        var lines = ["Plan (\(Self.formatName) v\(Self.currentVersion)): profile \(profile), \(target), \(threads) engine thread\(threads == 1 ? "" : "s")"
            + (functional ? ", functional cases first" : "")]
        if let shard { lines.append("  shard \(shard): this generator's share of the load; phases start at planned instants after --start-at") }
        for step in seeding {
            lines.append("  seed \(step.table): \(step.rows) rows through COPY" + (step.streams ? ", with their stream entries" : "") + " (\(step.spec))")
        }
        if let seedingNote { lines.append("  not seeded: \(seedingNote)") }
        for pool in pools { lines.append("  pool \(pool.name): \(pool.size) × \(pool.from), collecting \(pool.collect), drawn \(pool.draw) (\(pool.spec))") }
        for feeder in feeders { lines.append("  feeder \(feeder.name): \(feeder.file), \(feeder.order), then \(feeder.exhausted) (\(feeder.spec))") }
        for (index, phase) in phases.enumerated() {
            let seconds = (phase.seconds.map { ", \(TargetEvaluation.trimmed($0, 1)) s" } ?? "")
                + (phase.startsAfter.map { ", from start + \(TargetEvaluation.trimmed($0, 1)) s" } ?? "")
            lines.append("\(index + 1). \(phase.kind.rawValue) \(phase.name) (\(phase.spec)): \(phase.load)\(seconds)" + (phase.skipped.map { " — skipped: \($0)" } ?? ""))
            if phase.mix.count > 1 { lines.append("     mix: " + phase.mix.map { "\($0.endpoint) \($0.weight)" }.joined(separator: ", ")) }
            if let stages = phase.stages {
                lines.append("     stages: " + stages.map { "\(TargetEvaluation.trimmed($0.seconds, 3)) s → \(TargetEvaluation.trimmed($0.target, 1))" }.joined(separator: ", "))
            }
            for fault in phase.faults ?? [] {
                lines.append("     fault: \(fault.action) at \(TargetEvaluation.trimmed(fault.atSeconds, 1)) s for \(TargetEvaluation.trimmed(fault.forSeconds, 1)) s")
            }
            if let rule = phase.capacity {
                lines.append("     from \(rule.start); steps × " + rule.factors.map { TargetEvaluation.trimmed($0, 2) }.joined(separator: ", ")
                    + " of \(TargetEvaluation.trimmed(rule.stepSeconds, 1)) s"
                    + (rule.bisects == false ? ", no bisection (sharded)" : "; then bisection to within \(Int(rule.refineWithin * 100))%"))
            }
            for judged in phase.targets { lines.append("     judges \(judged.target) on \(judged.judgedOn)") }
            if !phase.reconciled.isEmpty { lines.append("     reconciles \(phase.reconciled.joined(separator: ", "))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A plan file that is not one.
public struct PlanFormatError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension RunPlan {
    /// What a plan is made from: the specs and the options that shape the load.
    public struct Inputs: Sendable {
        public var specs: [SpecFile]
        public var profile: ConformanceRun.Profile
        public var target: String?
        public var functional: Bool
        public var capacity: Bool
        public var threads: Int
        public var connections: Int
        public var loadSeconds: Double?
        public var seedRows: Int? = nil
        /// Whether the run has a database and a Redis to seed and reconcile (a booted run has both).
        public var hasDatabase = true
        public var hasRedis = true

        public init(
            specs: [SpecFile], profile: ConformanceRun.Profile, target: String?, functional: Bool, capacity: Bool, threads: Int, connections: Int,
            loadSeconds: Double?
        ) {
            self.specs = specs
            self.profile = profile
            self.target = target
            self.functional = functional
            self.capacity = capacity
            self.threads = threads
            self.connections = connections
            self.loadSeconds = loadSeconds
        }
    }

    /// The plan: pure, the same inputs give the same plan.
    public static func make(_ inputs: Inputs) -> RunPlan {
        let profile = inputs.profile
        var phases: [Phase] = []
        var pools: [PoolStep] = []
        var feeders: [FeederStep] = []
        for spec in inputs.specs {
            for pool in spec.data.pools {
                let draw: String = switch pool.draw {
                case .uniform: "uniform"
                case .sequential: "sequential"
                case let .zipf(exponent): "zipf \(exponent)"
                }
                pools.append(PoolStep(
                    spec: spec.path, name: pool.name.value, from: pool.from.value, size: min(pool.size, profile.poolLimit ?? pool.size),
                    collect: pool.collect, draw: draw))
            }
            for feeder in spec.data.feeders {
                feeders.append(FeederStep(
                    spec: spec.path, name: feeder.name.value, file: feeder.path, order: feeder.order.rawValue, exhausted: feeder.wraps ? "wrap" : "stop"))
            }
        }
        let endpointSeconds = inputs.loadSeconds ?? profile.endpointSeconds
        phases += singlePhases(inputs.specs, profile: profile)
        for spec in inputs.specs {
            for targets in spec.targets {
                guard spec.endpoints.contains(where: { $0.name.value == targets.subject.value }) else { continue }
                let shape = LoadSession.targetShape(targets, connections: inputs.connections)
                let modelName = shape.model == .closed ? "closed" : "open"
                let judgedOn = shape.model == .closed ? "closed model, not corrected" : "open model at \(TargetEvaluation.show(targets.judgingRate ?? 0, .rps)) req/s"
                phases.append(Phase(
                    kind: .endpoint, spec: spec.path, name: targets.subject.value, model: modelName, connections: shape.connections,
                    rate: targets.judgingRate, seconds: endpointSeconds, mix: [MixEntry(endpoint: targets.subject.value, weight: 1)],
                    targets: targets.thresholds.map { entry in
                        Judged(
                            target: "\(entry.metric.rawValue) \(entry.threshold.comparison.rawValue) \(TargetEvaluation.show(entry.threshold.bound, entry.metric))",
                            judgedOn: entry.metric == .rps ? "sustained capacity" : judgedOn)
                    },
                    reconciled: spec.data.rule(for: targets.subject.value).map { [$0.endpoint.value] } ?? [], load: shape.load))
            }
        }
        for spec in inputs.specs {
            for scenario in spec.scenarios {
                phases.append(scenarioPhase(scenario, in: spec, profile: profile, booted: inputs.target == nil, connections: inputs.connections))
            }
        }
        if inputs.capacity { phases += capacityPhases(inputs.specs, profile: profile) }
        let tables = inputs.specs.flatMap { spec in spec.seed.map { (spec: spec.path, table: $0) } }
        let seeded = Seeding.plan(
            declared: tables.map(\.table.rows), profile: profile, seedRows: inputs.seedRows, booted: inputs.target == nil,
            databaseURL: inputs.target == nil || inputs.hasDatabase ? "" : nil, redisURL: inputs.target == nil || inputs.hasRedis ? "" : nil)
        return RunPlan(
            profile: profile.rawValue, target: inputs.target ?? "the reference server, booted", functional: inputs.functional,
            threads: inputs.threads,
            seeding: zip(tables, seeded.rows).filter { $0.1 > 0 }.map {
                SeedStep(spec: $0.0.spec, table: $0.0.table.table.value, rows: $0.1, streams: seeded.writeStreams && !$0.0.table.streams.isEmpty)
            },
            seedingNote: tables.isEmpty ? nil : seeded.note, pools: pools, feeders: feeders, phases: phases)
    }

    static func scenarioPhase(_ scenario: Scenario, in spec: SpecFile, profile: ConformanceRun.Profile, booted: Bool, connections: Int) -> Phase {
        let scale = scenario.faults.isEmpty ? profile.timeScale : 1
        let seconds = max(profile.minimumScenarioSeconds, Double(scenario.durationMilliseconds) / 1000 / scale)
        let stages = LoadSession.stages(scenario, scale: scale).map { StageStep(seconds: Double($0.durationNanoseconds) / 1e9, target: $0.target) }
        var judged: [Judged] = [Judged(target: "server healthy afterwards", judgedOn: "the spec's health request")]
        if let targets = spec.targets.first(where: { $0.subject.value == scenario.name.value }) {
            judged += targets.thresholds.map { Judged(target: "\($0.metric.rawValue) \($0.threshold.comparison.rawValue) \(TargetEvaluation.show($0.threshold.bound, $0.metric))", judgedOn: "the whole mix") }
            if let scaling = targets.endpoints {
                let metrics = scaling.metrics.map { $0.map(\.rawValue).joined(separator: ", ") } ?? "every latency target and the error rate"
                judged.append(Judged(target: "each endpoint within \(TargetEvaluation.trimmed(scaling.factor, 2))x its own targets (\(metrics))", judgedOn: "its share of the mix"))
            }
        }
        let model = scenario.rate != nil ? "open" : "users"
        return Phase(
            kind: scenario.faults.isEmpty ? .scenario : .fault, spec: spec.path, name: scenario.name.value, model: model,
            connections: scenario.users ?? max(connections, 100), users: scenario.users, rate: scenario.rate,
            spawnRate: scenario.spawnRate.map { $0 * scale }, thinkMilliseconds: scenario.thinkMilliseconds.map { [$0.lowerBound, $0.upperBound] },
            stages: stages.isEmpty ? nil : stages, seconds: stages.isEmpty ? seconds : stages.reduce(0) { $0 + $1.seconds },
            mix: scenario.mix.map { MixEntry(endpoint: $0.endpoint, weight: $0.weight) }, targets: judged,
            faults: scenario.faults.isEmpty ? nil : scenario.faults.map {
                FaultStep(action: $0.action.rawValue, atSeconds: Double($0.atMilliseconds) / 1000, forSeconds: Double($0.forMilliseconds) / 1000)
            },
            reconciled: scenario.mix.compactMap { spec.data.rule(for: $0.endpoint)?.endpoint.value },
            skipped: !scenario.faults.isEmpty && !booted ? "faults need an environment the run boots; not run against a --target" : nil,
            load: LoadSession.describe(scenario) + (scale == 1 ? "" : ", time-scaled 1/\(Int(scale))"
                + (scenario.spawnRate.map { " (spawn \(Int($0 * scale))/s)" } ?? "")))
    }

    /// A phase of one connection per endpoint with latency claims, before any other load: the
    /// vendor's single-request figures measured as it states them, on a quiet server.
    static func singlePhases(_ specs: [SpecFile], profile: ConformanceRun.Profile) -> [Phase] {
        specs.flatMap { spec in
            spec.claims.compactMap { claim -> Phase? in
                guard !claim.latencies.isEmpty, spec.endpoints.contains(where: { $0.name.value == claim.subject.value }) else { return nil }
                return Phase(
                    kind: .single, spec: spec.path, name: claim.subject.value, model: "closed", connections: 1, seconds: profile.singleSeconds,
                    mix: [MixEntry(endpoint: claim.subject.value, weight: 1)],
                    targets: claim.latencies.map {
                        Judged(target: "claimed \($0.metric.rawValue) ~\(TargetEvaluation.show($0.value, .p50)) (shown, not judged)", judgedOn: "one connection, one request at a time")
                    },
                    reconciled: spec.data.rule(for: claim.subject.value).map { [$0.endpoint.value] } ?? [],
                    load: "1 connection, one request at a time")
            }
        }
    }

    /// A search per endpoint with a p99 target, and one for the first scenario of a spec with
    /// an uneven mix and no faults whose endpoints all have p99 targets.
    static func capacityPhases(_ specs: [SpecFile], profile: ConformanceRun.Profile) -> [Phase] {
        var phases: [Phase] = []
        let factors = (0..<profile.capacitySteps).map { CapacityRule.factor(step: $0) }
        for spec in specs {
            var p99s: [String: Double] = [:]
            for targets in spec.targets {
                guard let p99 = targets.thresholds.first(where: { $0.metric == .p99 })?.threshold.bound,
                    spec.endpoints.contains(where: { $0.name.value == targets.subject.value })
                else { continue }
                p99s[targets.subject.value] = p99
                let bound = targets.rpsTarget?.threshold.bound
                phases.append(Phase(
                    kind: .capacity, spec: spec.path, name: targets.subject.value, mix: [MixEntry(endpoint: targets.subject.value, weight: 1)],
                    targets: [Judged(target: "p99 < \(TargetEvaluation.show(p99, .p99)) and under 1% errors per step", judgedOn: "each step's answers")],
                    capacity: CapacityRulePlan(
                        start: bound.map { "the rps target, \(TargetEvaluation.show($0, .rps)) req/s" } ?? "the throughput its endpoint phase measured",
                        startRPS: bound, factors: factors, stepSeconds: profile.capacityStepSeconds, maxSteps: profile.capacitySteps,
                        refineWithin: CapacityRule.refinement, p99Targets: [targets.subject.value: p99]),
                    reconciled: spec.data.rule(for: targets.subject.value).map { [$0.endpoint.value] } ?? [],
                    load: "open-model steps of \(TargetEvaluation.trimmed(profile.capacityStepSeconds, 1)) s"))
            }
            guard let mixed = spec.scenarios.first(where: { Set($0.mix.map(\.weight)).count > 1 && $0.faults.isEmpty }),
                mixed.mix.allSatisfy({ p99s[$0.endpoint] != nil })
            else { continue }
            phases.append(Phase(
                kind: .capacity, spec: spec.path, name: "mix (\(mixed.name.value))", mix: mixed.mix.map { MixEntry(endpoint: $0.endpoint, weight: $0.weight) },
                targets: [Judged(target: "each endpoint's p99 target and under 1% errors per step", judgedOn: "each endpoint's answers in each step")],
                capacity: CapacityRulePlan(
                    start: "each endpoint's share at the throughput its phase measured", startRPS: nil, factors: factors,
                    stepSeconds: profile.capacityStepSeconds, maxSteps: profile.capacitySteps, refineWithin: CapacityRule.refinement,
                    p99Targets: Dictionary(uniqueKeysWithValues: mixed.mix.compactMap { entry in p99s[entry.endpoint].map { (entry.endpoint, $0) } })),
                reconciled: mixed.mix.compactMap { spec.data.rule(for: $0.endpoint)?.endpoint.value },
                load: "open-model steps of \(TargetEvaluation.trimmed(profile.capacityStepSeconds, 1)) s"))
        }
        return phases
    }
}

extension RunPlan {
    /// Why this plan cannot run on `specs` (a plan written for other specs or an older copy of
    /// them): every phase must name a spec given and an endpoint, scenario or target in it.
    public func problems(against specs: [SpecFile]) -> [String] {
        var problems: [String] = []
        for (index, phase) in phases.enumerated() {
            let where_ = "phase \(index + 1) (\(phase.kind.rawValue) \(phase.name))"
            guard let spec = specs.first(where: { $0.path == phase.spec }) else {
                problems.append("\(where_) is of \(phase.spec), which is not among the specs given")
                continue
            }
            let found: Bool = switch phase.kind {
            case .single: spec.claims.contains { $0.subject.value == phase.name } && spec.endpoints.contains { $0.name.value == phase.name }
            case .endpoint: spec.targets.contains { $0.subject.value == phase.name } && spec.endpoints.contains { $0.name.value == phase.name }
            case .scenario, .fault: spec.scenarios.contains { $0.name.value == phase.name }
            case .capacity:
                spec.endpoints.contains { $0.name.value == phase.name } || spec.scenarios.contains { "mix (\($0.name.value))" == phase.name }
            }
            if !found { problems.append("\(where_): \(phase.spec) has no \(phase.kind == .endpoint ? "endpoint with targets" : phase.kind == .capacity ? "endpoint or scenario" : "scenario") named so") }
            for entry in phase.mix where !spec.endpoints.contains(where: { $0.name.value == entry.endpoint }) {
                problems.append("\(where_): \(phase.spec) has no endpoint \(entry.endpoint)")
            }
        }
        return problems
    }
}
