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

/// The load half of a run, over the specs' `endpoints`, `targets` and `scenarios`: a phase
/// per endpoint with targets, then every scenario (stages, think time, faults), then the
/// capacity search, each followed by reconciliation of the jobs it created. Produces report
/// values; the caller owns the environment.
struct LoadSession {
    /// Where the load goes; a copy of the session aimed elsewhere (one replica behind the same
    /// nginx) measures one instance against N.
    var target: String
    let renderer: CheckRunner
    let sampler: ResourceSampler
    let reconciler: Reconciler?
    let connections: Int
    /// The booted environment's fault injector; nil for a `--target` run.
    let injector: FaultInjector?
    let reporter: ConformanceRun.Reporter
    /// True once the server this run booted has died for good (nil-pid `--target`: never).
    var serverGone: @Sendable () -> Bool = { false }
    var minimumScenarioSeconds: Double = 3
    /// When the run began: every phase's `startOffset` counts from it.
    var runStart = Date()
    /// Load engines per phase, each on a thread of its own; their measurements merge exactly.
    var threads = 1
    var progress: @Sendable (String) -> Void { reporter.step }
    /// The health request of the run when a spec declares none of its own.
    var healthRequest: HealthRequest?
    /// Largest pool to fill, whatever a spec declares (the smoke profile's cap); nil: as declared.
    var poolLimit: Int?
    /// Every spec's pools and feeders, made ready by ``prepareData(_:)``.
    var data = LoadRequests.Sources()
    /// A shard's session (`--shard`): it draws only its part of unique feeders, fills pools to
    /// the plan's sizes, starts each phase at its planned instant after `startInstant`, and
    /// keeps acknowledged ids for `accord merge` instead of reconciling them.
    var shard: Shard?
    /// The shared start (`--start-at`, or when the shard began): phases start at planned
    /// instants after it.
    var startInstant: Date?
    /// Pool sizes as planned (a shard's share), by spec path and pool name.
    var plannedPoolSizes: [String: Int] = [:]

    /// The results so far, appended to by each phase.
    struct Results {
        var endpoints: [LoadPhase] = []
        /// One connection per endpoint with latency claims (the vendor's single-request figures).
        var singles: [LoadPhase] = []
        var scenarios: [LoadPhase] = []
        var capacity: [Capacity] = []
        var reconciliation: [Reconciliation] = []
        var targetCases: [ResultsDocument.Case] = []
        var scenarioCases: [ResultsDocument.Case] = []
        var reconciliationCases: [ResultsDocument.Case] = []
        var reliability: [FaultOutcome] = []
        var reliabilityCases: [ResultsDocument.Case] = []
    }

    /// One endpoint's load request.
    struct Prepared {
        var endpoint: String
        var request: LoadRequest
    }

    // MARK: - Data

    /// Reads every spec's feeders and fills its pools through their endpoints, before any
    /// phase; a feeder or pool that cannot be made ready is an error case (the endpoints that
    /// draw from it then fail to prepare, naming it).
    mutating func prepareData(_ specs: [SpecFile]) async -> [ResultsDocument.Case] {
        var problems: [ResultsDocument.Case] = []
        for spec in specs where !spec.endpoints.isEmpty {
            for feeder in spec.data.feeders {
                do {
                    let text = try String(contentsOfFile: feeder.path, encoding: .utf8)
                    var rows = try FeederRows.parse(text, format: feeder.format)
                    if let shard, feeder.order == .unique {
                        // Rows index, index + count, …: no two shards send the same unique row.
                        rows.rows = shard.part(rows.rows)
                    }
                    let order: ValueSource.Order = switch feeder.order {
                    case .sequential: .sequential
                    case .random: .random
                    case .unique: .unique
                    }
                    data.add(
                        ValueSource(name: "feeder " + feeder.name.value, columns: rows.columns, rows: rows.rows, order: order, wraps: feeder.wraps),
                        as: "feed." + feeder.name.value, spec: spec.path)
                } catch {
                    problems.append(ResultsDocument.Case(
                        name: "feeder \(feeder.name.value)", location: feeder.file.location, outcome: .error,
                        reason: "could not read \(feeder.path): \(error)"))
                }
            }
            for pool in spec.data.pools {
                if Task.isCancelled { break }
                let (items, problem) = await fill(pool, in: spec)
                if let problem {
                    problems.append(ResultsDocument.Case(name: "pool \(pool.name.value)", location: pool.name.location, outcome: .error, reason: problem))
                }
                guard !items.isEmpty else { continue }
                let order: ValueSource.Order = switch pool.draw {
                case .uniform: .random
                case .sequential: .sequential
                case let .zipf(exponent): .zipf(exponent)
                }
                data.add(
                    ValueSource(name: "pool " + pool.name.value, columns: ["item"], rows: items.map { [$0] }, order: order),
                    as: "pool." + pool.name.value, spec: spec.path)
            }
        }
        // Seeded entries and the pools' own are not any phase's: reconciliation starts after them.
        await reconciler?.startAfterExisting(specs.flatMap(\.data.reconcile))
        return problems
    }

    /// Sends a pool's endpoint `size` times (capped by `poolLimit`) and keeps what each
    /// accepted answer carries at the pool's `collect` path.
    func fill(_ pool: Pool, in spec: SpecFile) async -> (items: [String], problem: String?) {
        let size = plannedPoolSizes[spec.path + "\u{0}" + pool.name.value] ?? min(pool.size, poolLimit ?? pool.size)
        guard let endpoint = spec.endpoints.first(where: { $0.name.value == pool.from.value }) else {
            return ([], "no endpoint \(pool.from.value)")
        }
        let request: LoadRequest
        do {
            request = try compile(endpoint, in: spec, collect: pool.collect)
        } catch {
            return ([], "could not render \(endpoint.name.value)'s request: \(error)")
        }
        progress("filling pool \(pool.name.value): \(size) × \(endpoint.name.value)")
        var plan = LoadPlan(requests: [request], connections: min(size, max(2, connections / 2)), durationNanoseconds: 300_000_000_000, threads: 1)
        plan.requestLimit = size
        let result = await LoadRun.run(withData(plan))
        let items = result.collected.first ?? []
        if let setup = result.setupError { return (items, setup) }
        if items.count < size {
            let refused = result.recorder.completed - result.recorder.succeeded
            return (items, "\(items.count) of \(size) items collected at \(pool.collect) (\(refused) answers not accepted, \(result.recorder.errors) errors)")
        }
        return (items, nil)
    }

    // MARK: - Requests

    /// An endpoint's load request, drawing from the spec's pools and feeders; it keeps its
    /// reconciliation's id from every accepted answer.
    func prepare(_ endpoint: Endpoint, in spec: SpecFile) throws -> Prepared {
        let request = try compile(endpoint, in: spec, collect: spec.data.rule(for: endpoint.name.value)?.collect)
        return Prepared(endpoint: endpoint.name.value, request: request)
    }

    func compile(_ endpoint: Endpoint, in spec: SpecFile, collect: String?) throws -> LoadRequest {
        let slots = data.slots(spec.path)
        for name in Self.dataNames(endpoint.request) where slots[name] == nil {
            throw RenderError(message: "\(name) has no values (its pool or feeder could not be made ready; see the error above)")
        }
        return try LoadRequests.compile(
            endpoint, variables: renderer.renderVariables(of: spec), context: renderer.renderContext([:]), slots: slots, target: target,
            defaults: renderer.options.headers, specDefaults: spec.defaultHeaders, specHTTP: spec.defaultHTTP, transport: renderer.options.transport,
            collect: collect)
    }

    /// The `pool.…` and `feed.…` names a request's templates use.
    static func dataNames(_ request: RequestTemplate) -> [String] {
        var templates = [request.path] + request.query.map(\.value) + request.headers.map(\.value)
        switch request.body {
        case let .raw(text)?: templates.append(text)
        case let .json(value)?:
            _ = LoadRequests.mapStrings(value) { text in
                if let parsed = try? Template(parsing: text) { templates.append(parsed) }
                return text
            }
        case nil: break
        }
        return templates.flatMap(\.variables).filter { $0.hasPrefix("pool.") || $0.hasPrefix("feed.") }
    }

    /// A mix as plan requests, one per endpoint with its weight; each endpoint is its own group.
    static func planRequests(_ mix: [(prepared: Prepared, weight: Int)]) -> (requests: [LoadRequest], owner: [Int]) {
        let requests = mix.map { entry in
            var request = entry.prepared.request
            request.weight = entry.weight
            return request
        }
        return (requests, Array(requests.indices))
    }

    /// A plan over a mix, reading Server-Timing.
    static func plan(
        _ requests: [LoadRequest], connections: Int, seconds: Double, model: LoadPlan.Model = .closed, think: ClosedRange<UInt64>? = nil,
        spawnRate: Double? = nil, threads: Int = 1
    ) -> LoadPlan {
        var plan = LoadPlan(
            requests: requests, connections: connections, durationNanoseconds: UInt64(seconds * 1e9), model: model, threads: threads,
            thinkNanoseconds: think, spawnRate: spawnRate)
        plan.serverTiming = true
        return plan
    }

    /// The plan with the run's pools, feeders and `{{seq}}` counter.
    func withData(_ plan: LoadPlan) -> LoadPlan {
        var plan = plan
        plan.sources = data.sources
        plan.counter = renderer.counter
        return plan
    }

    /// Runs a plan with the resource sampler and the live progress line.
    func load(_ phase: String, _ plan: LoadPlan) async -> (value: LoadResult, samples: [LoadPhase.ResourceSample]) {
        var plan = withData(plan)
        let feed = LiveFeed()
        plan.feed = feed
        let planned = plan
        return await sampler.around {
            await LiveTicker.around(phase: phase, totalSeconds: Double(planned.durationNanoseconds) / 1e9, reporter: reporter, feed: feed) {
                await LoadRun.run(planned)
            }
        }
    }

    /// Reconciles what a phase's endpoints with a declared `reconcile:` acknowledged (plan
    /// request `i` is endpoint `endpoints[i]`). When accepted answers outnumber the ids read
    /// from them, that is an error: a reconciliation that checked less than was acknowledged
    /// must not pass. Returns the last reconciliation made.
    @discardableResult
    func reconcile(
        _ phase: String, _ result: LoadResult, endpoints: [String], spec: SpecFile, location: SourceLocation, into results: inout Results
    ) async -> Reconciliation? {
        await reconcile(
            phase, collected: result.collected, acknowledged: result.perRequest.map(\.succeeded), endpoints: endpoints, spec: spec,
            location: location, into: &results)
    }

    @discardableResult
    func reconcile(
        _ phase: String, collected: [[String]], acknowledged: [Int], endpoints: [String], spec: SpecFile, location: SourceLocation,
        into results: inout Results
    ) async -> Reconciliation? {
        var last: Reconciliation?
        let ruled = endpoints.indices.compactMap { index in spec.data.rule(for: endpoints[index]).map { (index: index, rule: $0) } }
        for (index, rule) in ruled {
            let ids = collected.indices.contains(index) ? collected[index] : []
            let accepted = acknowledged.indices.contains(index) ? acknowledged[index] : 0
            let name = ruled.count > 1 ? "\(phase) (\(rule.endpoint.value))" : phase
            if accepted > ids.count {
                results.reconciliationCases.append(ResultsDocument.Case(
                    name: "\(name): \(accepted) acknowledged, \(ids.count) with an id at \(rule.collect)", location: rule.location, outcome: .error,
                    reason: "\(accepted - ids.count) accepted answers of \(rule.endpoint.value) carried no id at \(rule.collect): they cannot be reconciled"))
            }
            guard !ids.isEmpty else { continue }
            if shard != nil {
                // A shard does not judge: the ids go into its document, for accord merge.
                results.reconciliation.append(Reconciliation(
                    phase: name, acknowledged: Set(ids).count, lostInDatabase: 0, duplicatedInDatabase: 0, lostInStreams: 0, duplicatedInStreams: 0,
                    note: "reconciled by accord merge", acknowledgedIDs: ids, endpoint: rule.endpoint.value))
                continue
            }
            guard let reconciler else {
                results.reconciliationCases.append(ResultsDocument.Case(
                    name: "\(name): \(Set(ids).count) acknowledged", location: location, outcome: .skipped,
                    reason: "not reconciled: give --database-url and --redis-url with --target"))
                continue
            }
            progress("reconciling \(ids.count) acknowledged by \(rule.endpoint.value) in \(phase)")
            let reconciliation = await reconciler.reconcile(phase: name, acknowledged: ids, rule: rule)
            results.reconciliation.append(reconciliation)
            results.reconciliationCases.append(LoadVerdicts.verdict(for: reconciliation, location: location))
            last = reconciliation
        }
        return last
    }

    // MARK: - Phases

    /// Loads every endpoint that has targets and judges its latency and error-rate targets:
    /// at a constant arrival rate (open model) when the spec states one (`at`, else the rps
    /// target's bound), else closed model at `connections`. Rps targets are judged later, by
    /// capacity (``rpsVerdicts(_:into:)``).
    func endpointPhases(_ specs: [SpecFile], plan runPlan: RunPlan, into results: inout Results) async {
        for planned in runPlan.phases where planned.kind == .endpoint {
            do {
                guard let spec = specs.first(where: { $0.path == planned.spec }),
                    let targetSet = spec.targets.first(where: { $0.subject.value == planned.name }),
                    let endpoint = spec.endpoints.first(where: { $0.name.value == targetSet.subject.value })
                else { continue }
                let seconds = planned.seconds ?? 1
                await waitForPlannedStart(planned)
                if Task.isCancelled { return }
                if serverGone() {
                    results.targetCases.append(LoadVerdicts.notRun("\(endpoint.name.value) targets", location: targetSet.subject.location))
                    continue
                }
                let prepared: Prepared
                do {
                    prepared = try prepare(endpoint, in: spec)
                } catch {
                    results.targetCases.append(ResultsDocument.Case(
                        name: "\(endpoint.name.value) targets", location: targetSet.subject.location, outcome: .error,
                        reason: "could not render the endpoint's request: \(error)"))
                    continue
                }
                // As planned: the plan's model, size and duration (the same rule made it).
                let model: LoadPlan.Model = planned.model == "open" ? .open(rate: planned.rate ?? 0) : .closed
                let shape = (model: model, connections: planned.connections ?? connections, load: planned.load)
                // A closed model's figures say so wherever they appear, the live line included.
                let basis = shape.model == .closed ? " (closed model, not corrected)" : ""
                progress("loading \(endpoint.name.value) for \(Int(seconds)) s: \(shape.load)\(basis.isEmpty ? "" : ", not corrected")")
                let plan = Self.plan(
                    Self.planRequests([(prepared: prepared, weight: 1)]).requests, connections: shape.connections, seconds: seconds,
                    model: shape.model, threads: threads)
                let (result, samples) = await load("load \(endpoint.name.value)\(basis)", plan)
                await reconcile(
                    endpoint.name.value, result, endpoints: [endpoint.name.value], spec: spec, location: targetSet.subject.location, into: &results)
                let phase = LoadPhase(name: endpoint.name.value, load: shape.load, result: result, resources: samples, since: runStart)
                results.endpoints.append(phase)
                results.targetCases += TargetEvaluation.evaluate(
                    targetSet, measured: phase.measurement.endpointMeasurement,
                    load: TargetLoad(rate: targetSet.judgingRate, behindShare: phase.behindShare), source: spec.source)
            }
        }
    }

    /// Runs every scenario of the specs (time-scaled by `timeScale` unless it injects faults).
    func scenarios(_ specs: [SpecFile], plan runPlan: RunPlan, into results: inout Results) async {
        for planned in runPlan.phases where planned.kind == .scenario || planned.kind == .fault {
            do {
                guard let spec = specs.first(where: { $0.path == planned.spec }),
                    let scenario = spec.scenarios.first(where: { $0.name.value == planned.name })
                else { continue }
                if Task.isCancelled { return }
                if serverGone() {
                    results.scenarioCases.append(LoadVerdicts.notRun(scenario.name.value, location: scenario.location))
                    continue
                }
                if let refusal = injector?.refusal(scenario: scenario.name.value, faults: scenario.faults) {
                    results.scenarioCases.append(ResultsDocument.Case(
                        name: scenario.name.value, location: scenario.location, outcome: .skipped, reason: refusal))
                    continue
                }
                if !scenario.faults.isEmpty && (injector == nil || planned.skipped != nil) {
                    results.scenarioCases.append(ResultsDocument.Case(
                        name: scenario.name.value, location: scenario.location, outcome: .skipped,
                        reason: FaultInjector.refusal(scenario: scenario.name.value, faults: scenario.faults, target: target)))
                    continue
                }
                var mix: [(prepared: Prepared, weight: Int)] = []
                var problems: [String] = []
                for entry in scenario.mix {
                    guard let endpoint = spec.endpoints.first(where: { $0.name.value == entry.endpoint }) else {
                        problems.append("no endpoint \(entry.endpoint)")
                        continue
                    }
                    do { mix.append((prepared: try prepare(endpoint, in: spec), weight: entry.weight)) } catch {
                        problems.append("\(entry.endpoint): \(error)")
                    }
                }
                guard problems.isEmpty, !mix.isEmpty else {
                    results.scenarioCases.append(ResultsDocument.Case(
                        name: scenario.name.value, location: scenario.location, outcome: .error,
                        reason: "could not prepare the scenario's requests: \(problems.joined(separator: "; "))"))
                    continue
                }
                await waitForPlannedStart(planned)
                if let users = scenario.users, let warning = FileDescriptorBudget.check(connections: users) { progress(warning) }
                let seconds = planned.seconds ?? minimumScenarioSeconds
                progress("scenario \(scenario.name.value): \(Self.describe(scenario)) for \(Int(seconds)) s")
                let (requests, owner) = Self.planRequests(mix)
                let think = scenario.thinkMilliseconds.map { UInt64($0.lowerBound) * 1_000_000...UInt64($0.upperBound) * 1_000_000 }
                var plan = Self.plan(
                    requests, connections: planned.connections ?? scenario.users ?? max(connections, 100), seconds: seconds,
                    model: (planned.rate ?? scenario.rate).map { .open(rate: $0) } ?? .closed, think: think, spawnRate: planned.spawnRate,
                    threads: threads)
                plan.stages = (planned.stages ?? []).map { Stage(durationNanoseconds: UInt64(($0.seconds * 1e9).rounded()), target: $0.target) }
                plan.groups = owner
                let planned = plan
                let start = FaultInjector.now()
                let healthURL = health(spec).map { target + $0.path } ?? target
                async let faulted = injector?.run(scenario.faults, healthURL: healthURL, healthStatus: health(spec)?.status ?? 200, scenarioStart: start) ?? []
                let (result, samples) = await load("scenario \(scenario.name.value)", planned)
                let timings = await faulted
                let healthy = await healthy(spec)
                let reconciliation = await reconcile(
                    "scenario \(scenario.name.value)", result, endpoints: mix.map(\.prepared.endpoint), spec: spec, location: scenario.location,
                    into: &results)
                let endpoints = mix.indices.map { index in
                    LoadPhase(
                        name: mix[index].prepared.endpoint, load: "share \(mix[index].weight)", result: result,
                        recorder: result.perGroup.indices.contains(index) ? result.perGroup[index] : LoadRecorder())
                }
                var phase = LoadPhase(
                    name: scenario.name.value, load: Self.describe(scenario), result: result, resources: samples,
                    endpoints: endpoints, since: runStart)
                phase.healthyAfterwards = healthy
                results.scenarios.append(phase)
                results.scenarioCases += Self.scenarioVerdicts(phase, scenario: scenario, spec: spec)
                for timing in timings {
                    let outcome = LoadVerdicts.faultOutcome(
                        timing, scenario: scenario.name.value, phase: phase, reconciliation: reconciliation, connections: planned.connections)
                    results.reliability.append(outcome)
                    results.reliabilityCases.append(LoadVerdicts.verdict(for: outcome, timing: timing))
                }
            }
        }
    }

    /// Capacity per endpoint with a p99 target, and for the first scenario with an uneven mix
    /// (each of its endpoints judged by its own p99 target).
    func capacity(_ specs: [SpecFile], plan runPlan: RunPlan, into results: inout Results) async {
        let searches = runPlan.phases.filter { $0.kind == .capacity }
        guard let rule = searches.first?.capacity else { return }
        var search = CapacitySearch(
            stepSeconds: rule.stepSeconds, maxSteps: rule.maxSteps, threads: threads, sources: data.sources, counter: renderer.counter)
        search.ladder = rule.bisects == false
        for spec in specs where searches.contains(where: { $0.spec == spec.path }) {
            var p99ByEndpoint: [String: Double] = [:]
            for targetSet in spec.targets {
                guard let p99 = targetSet.thresholds.first(where: { $0.metric == .p99 })?.threshold.bound,
                    let endpoint = spec.endpoints.first(where: { $0.name.value == targetSet.subject.value }),
                    let prepared = try? prepare(endpoint, in: spec)
                else { continue }
                if serverGone() || Task.isCancelled { return }
                p99ByEndpoint[endpoint.name.value] = p99
                let planned = searches.first { $0.spec == spec.path && $0.name == endpoint.name.value }
                if search.ladder {
                    // A shard's ladder: from its share of the rps target, steps at planned instants.
                    guard let planned, planned.skipped == nil, let start = planned.capacity?.startRPS else { continue }
                    search.firstStep = plannedStart(planned)
                    await waitForPlannedStart(planned)
                    let (capacity, collected) = await search.run(
                        subject: endpoint.name.value, requests: Self.planRequests([(prepared: prepared, weight: 1)]).requests,
                        groups: [.init(name: endpoint.name.value, requests: [0], p99Target: p99)], startRPS: start, measuredRPS: nil,
                        reporter: reporter)
                    results.capacity.append(capacity)
                    await reconcile(
                        "capacity \(endpoint.name.value)", collected: collected, acknowledged: collected.map(\.count), endpoints: [endpoint.name.value],
                        spec: spec, location: targetSet.subject.location, into: &results)
                    continue
                }
                let measured = results.endpoints.first { $0.name == endpoint.name.value }?.measurement.rps
                let requests = Self.planRequests([(prepared: prepared, weight: 1)]).requests
                let (capacity, collected) = await search.run(
                    subject: endpoint.name.value, requests: requests,
                    groups: [.init(name: endpoint.name.value, requests: Array(requests.indices), p99Target: p99)],
                    startRPS: Self.capacityStart(targetSet, measuredRPS: measured), measuredRPS: measured, reporter: reporter)
                results.capacity.append(capacity)
                await reconcile(
                    "capacity \(endpoint.name.value)", collected: collected, acknowledged: collected.map(\.count), endpoints: [endpoint.name.value],
                    spec: spec, location: targetSet.subject.location, into: &results)
            }
            guard !search.ladder, let mixed = spec.scenarios.first(where: { Set($0.mix.map(\.weight)).count > 1 && $0.faults.isEmpty }) else { continue }
            var entries: [(prepared: Prepared, weight: Int)] = []
            for entry in mixed.mix {
                guard let endpoint = spec.endpoints.first(where: { $0.name.value == entry.endpoint }),
                    let prepared = try? prepare(endpoint, in: spec)
                else { continue }
                entries.append((prepared: prepared, weight: entry.weight))
            }
            guard entries.count == mixed.mix.count, mixed.mix.allSatisfy({ p99ByEndpoint[$0.endpoint] != nil }), !serverGone() else { continue }
            let (requests, owner) = Self.planRequests(entries)
            let groups = entries.indices.map { index in
                CapacitySearch.Group(
                    name: entries[index].prepared.endpoint, requests: owner.indices.filter { owner[$0] == index },
                    p99Target: p99ByEndpoint[entries[index].prepared.endpoint] ?? 0)
            }
            let total = Double(mixed.mix.reduce(0) { $0 + $1.weight })
            // Where to start: each endpoint's share at its own measured speed.
            let seconds = mixed.mix.reduce(0.0) { sum, entry in
                sum + Double(entry.weight) / total / max(1, results.endpoints.first { $0.name == entry.endpoint }?.measurement.rps ?? 100)
            }
            let (capacity, collected) = await search.run(
                subject: "mix (\(mixed.name.value))", requests: requests, groups: groups, startRPS: seconds > 0 ? 1 / seconds : 100,
                measuredRPS: nil, reporter: reporter)
            results.capacity.append(capacity)
            await reconcile(
                "capacity \(capacity.subject)", collected: collected, acknowledged: collected.map(\.count), endpoints: entries.map(\.prepared.endpoint),
                spec: spec, location: mixed.location, into: &results)
        }
    }

    /// A scenario's verdicts on its phase: healthy afterwards, its targets, and each endpoint
    /// of the mix against its own targets as the scenario scales them (`accord merge` judges
    /// merged phases with it too).
    static func scenarioVerdicts(_ phase: LoadPhase, scenario: Scenario, spec: SpecFile) -> [ResultsDocument.Case] {
        var cases = [LoadVerdicts.verdict(for: phase, location: scenario.location)]
        guard let targetSet = spec.targets.first(where: { $0.subject.value == scenario.name.value }) else { return cases }
        cases += TargetEvaluation.evaluate(targetSet, measured: phase.measurement.endpointMeasurement, source: spec.source)
        guard let scaling = targetSet.endpoints else { return cases }
        for endpointPhase in phase.endpoints {
            guard let own = spec.targets.first(where: { $0.subject.value == endpointPhase.name }),
                let scaled = TargetEvaluation.scaled(own, by: scaling, scenario: scenario.name.value)
            else { continue }
            cases += TargetEvaluation.evaluate(scaled, measured: endpointPhase.measurement.endpointMeasurement, source: spec.source)
        }
        return cases
    }

    // MARK: - Scenario shape (the verdicts are AccordChecks' LoadVerdicts)

    /// The scenario's stages for the engine, time-scaled; a closed scenario's `users` is
    /// where its ramp starts (the engine starts closed ramps from 0: a 1 ms stage gets there).
    static func stages(_ scenario: Scenario, scale: Double) -> [Stage] {
        guard !scenario.stages.isEmpty else { return [] }
        var stages = scenario.stages.map {
            Stage(durationNanoseconds: UInt64(max(1, Double($0.durationMilliseconds) / scale) * 1e6), target: $0.target)
        }
        if scenario.rate == nil, let users = scenario.users, users > 0 {
            stages.insert(Stage(durationNanoseconds: 1_000_000, target: Double(users)), at: 0)
        }
        return stages
    }

    static func describe(_ scenario: Scenario) -> String {
        var words: [String] = []
        if let users = scenario.users { words.append("\(users) users") }
        if let rate = scenario.rate { words.append("\(Int(rate)) req/s") }
        if let spawn = scenario.spawnRate { words.append("spawn \(Int(spawn))/s") }
        if let think = scenario.thinkMilliseconds { words.append("think \(think.lowerBound)–\(think.upperBound) ms") }
        if !scenario.stages.isEmpty { words.append("\(scenario.stages.count) stages to \(Int(scenario.stages.last?.target ?? 0))") }
        if !scenario.faults.isEmpty { words.append(scenario.faults.map { $0.action.rawValue }.joined(separator: ", ")) }
        return words.joined(separator: ", ")
    }

    /// The health request the spec declares (or, failing that, another spec of the run).
    func health(_ spec: SpecFile) -> HealthRequest? {
        spec.data.health ?? healthRequest
    }

    /// Whether the declared health request answers as it should; nil without one.
    func healthy(_ spec: SpecFile) async -> Bool? {
        guard let health = health(spec) else { return nil }
        return await HealthProbe.status(target + health.path, timeoutMilliseconds: 5000, transport: renderer.options.transport) == health.status
    }

}

extension LoadSession {
    /// Whether anything answers HTTP at `target` (any status).
    static func reachable(_ target: String, health: HealthRequest?, transport: Transport) async -> Bool {
        await HealthProbe.status(target + (health?.path ?? "/"), timeoutMilliseconds: 5000, transport: transport) != nil
    }

    /// A skipped case per spec whose load phases create nothing it can reconcile: the report
    /// says the spec declares no `reconcile:` rather than staying silent.
    static func unreconciled(_ specs: [SpecFile]) -> [ResultsDocument.Case] {
        specs.filter { spec in spec.data.reconcile.isEmpty && (!spec.targets.isEmpty || !spec.scenarios.isEmpty) }.map { spec in
            ResultsDocument.Case(
                name: "\(spec.suite.value): load not reconciled", location: spec.suite.location, outcome: .skipped,
                reason: "the spec declares no reconcile: what its endpoints acknowledge is not looked for in PostgreSQL or Redis")
        }
    }
}
