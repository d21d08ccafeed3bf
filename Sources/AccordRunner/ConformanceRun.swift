import AccordEnvironment
import AccordChecks
import AccordHTTP
import AccordHTTPTypes
import AccordJSON
import AccordLoad
import AccordProbes
import AccordResults
import AccordSpec
import Foundation
import Logging

/// `accord run` (and `accord load SPECS`): from nothing to a verdict. Boot throwaway
/// PostgreSQL and Redis and the reference server (or use `--target`), run every functional
/// case with the side-effect probes, seed the specs' `seed:` tables, load each endpoint that
/// has targets, run the scenarios, search capacity, reconcile the jobs acknowledged, and
/// always tear down. The result is one `ResultsDocument`.
public enum ConformanceRun {
    public enum Profile: String, Sendable, CaseIterable {
        /// Short load phases: the whole set in about a minute.
        case quick
        /// The vendor's durations.
        case baseline
        /// The shortest run through every phase (tests and CI): 1 s per endpoint, scenarios
        /// at 1/600 (at least 2 s), capacity steps of 1 s.
        case smoke

        var endpointSeconds: Double {
            switch self {
            case .quick: 3
            case .baseline: 60
            case .smoke: 1
            }
        }

        /// Quick runs a scenario for 1/60 of its duration (at least 3 s) and ramps users up
        /// 60 times faster; think time is kept, so each user behaves as the vendor's does.
        /// Scenarios with faults run at their stated times in every profile.
        var timeScale: Double {
            switch self {
            case .quick: 60
            case .baseline: 1
            case .smoke: 600
            }
        }

        var minimumScenarioSeconds: Double { self == .smoke ? 2 : 3 }

        /// Seconds of the one-connection phase that measures the vendor's single-request claims.
        var singleSeconds: Double {
            switch self {
            case .quick: 2
            case .baseline: 10
            case .smoke: 1
            }
        }

        /// The most items a pool is filled with (the spec's size when smaller): smoke runs
        /// fill small pools, the others as declared.
        var poolLimit: Int? { self == .smoke ? 500 : nil }

        /// Seconds per capacity step, and steps at most.
        var capacityStepSeconds: Double {
            switch self {
            case .quick: 2
            case .baseline: 10
            case .smoke: 1
            }
        }

        var capacitySteps: Int {
            switch self {
            case .quick: 5
            case .baseline: 7
            case .smoke: 3
            }
        }
    }

    /// Where a run is: milestones as lines, and while a load runs, its figures.
    public struct Reporter: Sendable {
        public var step: @Sendable (String) -> Void
        public var live: @Sendable (ProgressUpdate) -> Void

        public init(step: @escaping @Sendable (String) -> Void, live: @escaping @Sendable (ProgressUpdate) -> Void = { _ in }) {
            self.step = step
            self.live = live
        }
    }

    public struct Options: Sendable {
        public var specs: [SpecFile]
        public var profile: Profile
        /// The `accord` executable that serves (`accord serve`), when booting.
        public var serverExecutable: String
        /// Load engines per phase (each a thread); nil: one per core left after the services this
        /// run boots (``defaultThreads(booting:cores:)``).
        public var threads: Int?
        /// Headers every request carries (`--header`).
        public var headers: [(name: String, value: String)] = []
        /// TLS, --resolve and proxy for every request.
        public var transport = Transport()
        /// More arguments for the booted `accord serve` (`--inject-fault lost-enqueue`, `--batch-size 64`).
        public var serverArguments: [String] = []
        /// Where the server's log and the environment's logs go.
        public var workDirectory: String
        /// An existing deployment instead of booting one.
        public var target: String?
        public var databaseURL: String?
        public var redisURL: String?
        public var variables: [String: String]
        public var environment: [String: String]
        /// Connections per endpoint load phase (the vendor's normal load: 50 users).
        public var connections: Int
        /// Seconds per endpoint load phase; nil: the profile's.
        public var loadSeconds: Double?
        /// Run the functional cases (`accord run`); `accord load` runs only the load.
        public var functional: Bool
        /// Search each endpoint's and the mix's capacity.
        public var capacity: Bool
        /// Rows per `seed:` table, overriding the profile's (`--seed-rows`; 0: none). Against a
        /// `--target`, nothing is seeded without it.
        public var seedRows: Int?
        /// Reference servers to boot behind nginx (`--replicas N`); 1: one server, no nginx.
        public var replicas = 1
        /// A plan written earlier (`accord plan --json`, then `--plan FILE`) to execute instead
        /// of deriving one; checked against the specs by the caller (`RunPlan.problems`).
        public var plan: RunPlan?
        /// `--level core,strict`: only these levels run and are judged (nil: every level).
        public var levels: Set<ConformanceLevel>?
        /// This generator is one of several (`--shard i/n`, with `--target`): it runs its share
        /// of the plan, starts at `startAt`, and writes a document for `accord merge`.
        public var shard: Shard?
        /// When every shard starts loading (`--start-at`); nil: at once.
        public var startAt: Date?
        /// For the report: when and how the run was started.
        public var date: String
        public var command: String

        public init(
            specs: [SpecFile], profile: Profile, serverExecutable: String, workDirectory: String, target: String? = nil,
            databaseURL: String? = nil, redisURL: String? = nil, variables: [String: String] = [:],
            environment: [String: String] = [:], connections: Int = 50, loadSeconds: Double? = nil, functional: Bool = true,
            capacity: Bool = true, date: String = "", command: String = ""
        ) {
            self.loadSeconds = loadSeconds
            self.specs = specs
            self.profile = profile
            self.serverExecutable = serverExecutable
            self.workDirectory = workDirectory
            self.target = target
            self.databaseURL = databaseURL
            self.redisURL = redisURL
            self.variables = variables
            self.environment = environment
            self.connections = connections
            self.functional = functional
            self.capacity = capacity
            self.date = date
            self.command = command
        }
    }

    /// What a run produced: the report, and where the server's log is (when booted).
    public struct Outcome: Sendable {
        public var report: ResultsDocument
        public var serverLog: String?
    }

    public static func run(_ options: Options, logger: Logger, reporter: Reporter) async throws -> Outcome {
        let progress = reporter.step
        var runStart = Date()
        let threads = options.threads ?? defaultThreads(booting: options.target == nil)
        var plan = options.plan ?? Self.plan(options, threads: threads)
        if let shard = options.shard, plan.shard == nil { plan = plan.share(shard) }
        var lateBy = 0.0
        // Feeders and pools that could not be made ready: a shard's document keeps them as its
        // own suite, which the merge's verdict counts.
        var setupCases: [ResultsDocument.Case] = []
        var postgres: ThrowawayPostgres?
        var redis: ThrowawayRedis?
        var server: ServerProcess?
        // With --replicas N: every server (the first is `server`) and nginx in front.
        var replicas: [ServerProcess] = []
        var proxy: ReverseProxy?
        func teardown() async {
            if let proxy { await proxy.stop(keepingLog: options.workDirectory + "/nginx.log") }
            for replica in replicas.dropFirst() { await replica.stop() }
            if let server { await server.stop() }
            if let redis { await redis.stop() }
            if let postgres { await postgres.stop() }
        }
        do {
            // 1. The environment: booted, or the given deployment.
            var target = options.target
            var databaseURL = options.databaseURL
            var redisURL = options.redisURL
            if target == nil {
                if options.replicas > 1 { try ReverseProxy.requireInstalled() }
                progress("booting PostgreSQL, Redis and the reference server")
                let pg = try await ThrowawayPostgres.start(logger: logger)
                postgres = pg
                let rd = try await ThrowawayRedis.start(logger: logger, persistence: .appendOnly)
                redis = rd
                try await startReplicas(options, databaseURL: pg.url, redisURL: rd.url, into: &replicas)
                server = replicas.first
                target = server?.url
                if replicas.count > 1 {
                    progress("starting nginx in front of \(replicas.count) replicas")
                    let started = try await ReverseProxy.start(upstreams: replicas.map(\.url), logger: logger)
                    proxy = started
                    target = started.url
                }
                databaseURL = pg.url
                redisURL = rd.url
            }
            guard let target else { throw EnvironmentError(.invalidState, doing: "to choose", subject: "a target", cause: "none") }

            // 2. Functional checks, with the probes.
            var checkOptions = CheckOptions(
                target: target, variables: options.variables, environment: options.environment, databaseURL: databaseURL, redisURL: redisURL)
            checkOptions.levels = options.levels
            checkOptions.headers = options.headers
            checkOptions.transport = options.transport
            if let shard = plan.shard {
                checkOptions.sequenceStride = shard.count
                checkOptions.sequenceOffset = shard.sequenceOffset
            }
            var functional = ResultsDocument(kind: .check, date: options.date, command: options.command, target: target, booted: false, profile: "")
            if plan.functional {
                progress("functional checks against \(target)")
                let checker = try CheckRunner(options: checkOptions)
                // Through nginx, the cases it answers itself are skipped, saying why.
                let checked: (specs: [SpecFile], skipped: [String: [ResultsDocument.Case]]) =
                    proxy == nil ? (options.specs, [:]) : throughProxy(options.specs)
                functional = adding(checked.skipped, to: await checker.run(checked.specs.filter { !$0.cases.isEmpty }), specs: options.specs)
                if let reason = checker.stopReason {
                    throw EnvironmentError(.invalidState, doing: "to check", subject: target, cause: reason)
                }
            } else if !(await LoadSession.reachable(target, health: options.specs.lazy.compactMap(\.data.health).first, transport: options.transport)) {
                functional.targetUnreachable = true
            }

            // 3. Realistic volume: the specs' seed tables, after the functional checks (whose
            // probes read whole streams) and before any load.
            let seeding = plan.shard.map({ $0.index != 0 }) == true ? nil : try await Seeding.fill(
                options.specs, profile: options.profile, seedRows: options.seedRows, booted: options.target == nil,
                databaseURL: databaseURL, redisURL: redisURL, progress: progress)

            // 4. Load: endpoints with targets, scenarios, capacity; reconciled.
            var results = LoadSession.Results()
            let probe = try SideEffectProbe(databaseURL: databaseURL, redisURL: redisURL)
            var injector = FaultInjector(postgres: postgres, redis: redis, server: server)
            injector?.replicas = replicas
            let before = await readings(replicas)
            var scaling: ResultsDocument.Scaling?
            if !functional.targetUnreachable {
                var session = LoadSession(
                    target: target, renderer: try CheckRunner(options: checkOptions),
                    sampler: ResourceSampler(probe: probe, serverPID: { [server] in server?.pid }),
                    reconciler: probe.hasDatabase || probe.hasRedis ? Reconciler(probe: probe) : nil, connections: options.connections,
                    injector: injector, reporter: reporter,
                    serverGone: { [server] in server.map { !$0.isRunning } ?? false },
                    minimumScenarioSeconds: options.profile.minimumScenarioSeconds, runStart: runStart, threads: threads)
                session.poolLimit = options.profile.poolLimit
                session.healthRequest = options.specs.lazy.compactMap(\.data.health).first
                if let shard = plan.shard {
                    session.shard = shard
                    session.plannedPoolSizes = Dictionary(plan.pools.map { ($0.spec + "\u{0}" + $0.name, $0.size) }) { first, _ in first }
                }
                setupCases = await session.prepareData(options.specs)
                results.targetCases += setupCases
                if plan.shard != nil {
                    // Every shard loads from the same instant: the phases' planned starts count from it.
                    let start = options.startAt ?? Date()
                    if start.timeIntervalSinceNow > 0 { progress("waiting until \(ResultsDocument.timestamp(start)) (--start-at)") }
                    await LoadSession.sleep(until: start)
                    session.startInstant = start
                    session.runStart = start
                    runStart = start
                    lateBy = max(0, -start.timeIntervalSinceNow)
                    if lateBy >= 0.5 { progress("shard \(plan.shard.map(String.init(describing:)) ?? "") started \(String(format: "%.1f", lateBy)) s late") }
                }
                results.reconciliationCases += LoadSession.unreconciled(options.specs)
                // The plan decided before anything ran; the session executes its phases as planned.
                await session.singlePhases(options.specs, plan: plan, into: &results)
                await session.endpointPhases(options.specs, plan: plan, into: &results)
                await session.scenarios(options.specs, plan: plan, into: &results)
                await session.capacity(options.specs, plan: plan, into: &results)
                if plan.shard == nil {
                    LoadSession.rpsVerdicts(options.specs, into: &results)
                    scaling = await oneInstance(session, specs: options.specs, plan: plan, replicas: replicas.count, proxy: proxy, into: &results)
                }
            }
            let after = await readings(replicas)
            // Interrupted: no verdict from a partial run; the catch below tears down.
            try Task.checkCancellation()
            let monitoring = functional.targetUnreachable
                ? nil : await MetricsScrape.read(options.specs, target: target, headers: options.headers, transport: options.transport)
            let facts = await EnvironmentFacts.gather(probe: probe, serverPID: server?.pid)
            let log = server?.logFile
            let proxyFact = proxy.map { replicaFact(replicas, proxy: $0) }
            await teardown()
            var report = assemble(
                options: options, target: target, booted: options.target == nil, functional: functional, results: results, facts: facts, runStart: runStart, threads: threads)
            report.seeding = seeding
            report.monitoring = monitoring
            report.plan = plan.json
            if !replicas.isEmpty { report.instances = instances(replicas, before: before, after: after) }
            report.scaling = scaling
            if let proxyFact { report.environment.append(proxyFact) }
            if let shard = plan.shard {
                // A shard does not judge: its load verdicts are the merge's, on every shard's data.
                report.suites = functional.suites
                if !setupCases.isEmpty {
                    report.suites.append(ResultsDocument.Suite(name: "shard \(shard.index) setup", file: options.specs.first?.path ?? "", cases: setupCases))
                }
                report.shard = ShardInfo(index: shard.index, count: shard.count, startAt: ResultsDocument.timestamp(runStart), lateBy: lateBy)
                // Claims and levels are the merge's too (its capacity is every shard's).
                report.claims = nil
                LevelAssignment.apply(to: &report, specs: options.specs, selected: options.levels)
            }
            return Outcome(report: report, serverLog: log)
        } catch {
            await teardown()
            throw error
        }
    }

    /// What the run will execute, from its options alone (`accord plan` prints it).
    public static func plan(_ options: Options, threads: Int? = nil) -> RunPlan {
        // A file whose level --level leaves out plans no load of its own (its endpoints stay,
        // for the pools and health of the others).
        let specs = options.levels.map { levels in options.specs.map { $0.keepingLoad(of: levels) } } ?? options.specs
        var inputs = RunPlan.Inputs(
            specs: specs, profile: options.profile, target: options.target, functional: options.functional, capacity: options.capacity,
            threads: threads ?? options.threads ?? defaultThreads(booting: options.target == nil), connections: options.connections,
            loadSeconds: options.loadSeconds)
        inputs.seedRows = options.seedRows
        inputs.hasDatabase = options.databaseURL != nil
        inputs.hasRedis = options.redisURL != nil
        return markingReplicaFaults(RunPlan.make(inputs), replicas: options.target == nil ? options.replicas : 0)
    }

    /// Engines when none are asked for: one per core left after the services the run boots —
    /// the server, PostgreSQL and Redis each want a core under load — and at least one. On this
    /// kind of 2-core machine: 1 when booting, 2 against a `--target`.
    public static func defaultThreads(booting: Bool, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        max(1, cores - (booting ? 3 : 0))
    }

    /// The report from what each stage produced.
    static func assemble(
        options: Options, target: String, booted: Bool, functional: ResultsDocument, results: LoadSession.Results, facts: EnvironmentFacts,
        runStart: Date, threads: Int
    ) -> ResultsDocument {
        func suite(_ name: String, _ cases: [ResultsDocument.Case], where predicate: (SpecFile) -> Bool) -> ResultsDocument.Suite? {
            cases.isEmpty ? nil : ResultsDocument.Suite(name: name, file: options.specs.first(where: predicate)?.path ?? "", cases: cases)
        }
        var suites = functional.suites
        suites += [
            suite("targets", results.targetCases) { !$0.targets.isEmpty },
            suite("scenarios", results.scenarioCases) { !$0.scenarios.isEmpty },
            suite("reconciliation", results.reconciliationCases) { !$0.scenarios.isEmpty || !$0.targets.isEmpty },
            suite("reliability", results.reliabilityCases) { $0.scenarios.contains { !$0.faults.isEmpty } },
        ].compactMap { $0 }
        let environment: [ResultsDocument.Fact] = facts.machine + [
            .init(name: "PostgreSQL", value: facts.postgresVersion ?? "not probed"),
            .init(name: "Redis", value: facts.redisVersion ?? "not probed"),
            .init(name: "Server", value: booted ? "accord serve (reference), pid \(facts.serverPID.map(String.init) ?? "?")" : target),
            .init(
                name: "Load generator",
                value: "accord load engine (libcurl multi), \(threads) engine thread\(threads == 1 ? "" : "s"), on the same machine"),
            .init(name: "Load profile", value: "\(options.profile.rawValue); \(options.connections) connections per closed-model endpoint phase"),
        ]
        let digests = options.specs.map { spec in
            ResultsDocument.SpecFileDigest(
                path: spec.path, sha256: FileManager.default.contents(atPath: spec.path).map { SHA256.hex(Array($0)) } ?? "unreadable")
        }
        var document = ResultsDocument(
            kind: options.functional ? .run : .load, date: options.date, startedAt: ResultsDocument.timestamp(runStart), command: options.command,
            target: target, booted: booted, profile: options.profile.rawValue,
            environment: environment, specFiles: digests, suites: suites, endpoints: results.endpoints, scenarios: results.scenarios,
            capacity: results.capacity, reconciliation: results.reconciliation, reliability: results.reliability,
            bottlenecks: BottleneckAnalysis.derive(phases: results.endpoints + results.scenarios, cores: facts.cores),
            targetUnreachable: functional.targetUnreachable)
        let warnings = options.transport.warnings
        document.warnings = warnings.isEmpty ? nil : warnings
        if !results.singles.isEmpty { document.singleRequest = results.singles }
        let claims = ClaimEvaluation.evaluate(options.specs, singles: results.singles, capacity: results.capacity)
        document.claims = claims.isEmpty ? nil : claims
        LevelAssignment.apply(to: &document, specs: options.specs, selected: options.levels)
        return document
    }
}
