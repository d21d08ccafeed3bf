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
    let target: String
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
    /// Job ids to read under load when the spec leaves `job_id` to the run.
    var poolSize = 20

    /// The results so far, appended to by each phase.
    struct Results {
        var endpoints: [LoadPhase] = []
        var scenarios: [LoadPhase] = []
        var capacity: [Capacity] = []
        var reconciliation: [Reconciliation] = []
        var targetCases: [ResultsDocument.Case] = []
        var scenarioCases: [ResultsDocument.Case] = []
        var reconciliationCases: [ResultsDocument.Case] = []
        var reliability: [FaultOutcome] = []
        var reliabilityCases: [ResultsDocument.Case] = []
    }

    /// One endpoint's requests, ready for a plan: one, or one per pooled job id.
    struct Prepared {
        var endpoint: String
        var requests: [ClientRequest]
        var accepts: @Sendable (Int) -> Bool
        var createsJobs: Bool
    }

    // MARK: - Requests

    /// Renders an endpoint's request; a path that reads `job_id` the user did not give gets
    /// one request per job of a pool created first through the spec's create endpoint.
    func prepare(_ endpoint: Endpoint, in spec: SpecFile, pool: inout [String]?) async throws -> Prepared {
        var variables = renderer.renderVariables(of: spec)
        let expectation = endpoint.expectStatus
        let accepts: @Sendable (Int) -> Bool = { status in expectation?.accepts(status) ?? (200..<400).contains(status) }
        let createsJobs = endpoint.request.method == "POST" && endpoint.request.path.literalValue == "/api/v1/jobs"
        if endpoint.request.path.variables.contains("job_id"), renderer.options.variables["job_id"] == nil {
            if pool == nil { pool = await createJobs(spec: spec, count: poolSize) }
            let ids = pool ?? []
            if !ids.isEmpty {
                let requests = try ids.map { id -> ClientRequest in
                    variables["job_id"] = id
                    return try RequestRendering.render(
                        endpoint.request, target: target, context: renderer.renderContext(variables), defaults: renderer.options.headers)
                }
                return Prepared(endpoint: endpoint.name.value, requests: requests, accepts: accepts, createsJobs: createsJobs)
            }
        }
        let request = try RequestRendering.render(
            endpoint.request, target: target, context: renderer.renderContext(variables), defaults: renderer.options.headers)
        return Prepared(endpoint: endpoint.name.value, requests: [request], accepts: accepts, createsJobs: createsJobs)
    }

    /// Jobs to read under load, created through the spec's create endpoint before loading.
    func createJobs(spec: SpecFile, count: Int) async -> [String] {
        guard let create = spec.endpoints.first(where: { $0.request.method == "POST" && $0.request.path.literalValue == "/api/v1/jobs" }) else {
            return []
        }
        var ids: [String] = []
        for _ in 0..<count {
            guard let request = try? RequestRendering.render(
                create.request, target: target, context: renderer.renderContext(renderer.renderVariables(of: spec)),
                defaults: renderer.options.headers),
                case let .success(response) = await BlockingHTTP.perform(request),
                let document = try? JSON.parse(bytes: response.body), let id = document["job_id"]?.stringValue
            else { continue }
            ids.append(id)
        }
        return ids
    }

    /// A mix as plan requests: every endpoint's weight spread over its pooled variants, each
    /// checking the endpoint's status expectation and collecting the ids of the jobs it
    /// creates; and which endpoint each plan request belongs to.
    static func planRequests(_ mix: [(prepared: Prepared, weight: Int)]) -> (requests: [LoadRequest], owner: [Int]) {
        let scale = mix.map(\.prepared.requests.count).reduce(1) { lcm($0, $1) }
        var requests: [LoadRequest] = []
        var owner: [Int] = []
        for (index, entry) in mix.enumerated() {
            let each = entry.weight * scale / max(1, entry.prepared.requests.count)
            for request in entry.prepared.requests {
                requests.append(LoadRequest(
                    request: request, weight: each, accepts: entry.prepared.accepts, collect: entry.prepared.createsJobs ? "job_id" : nil))
                owner.append(index)
            }
        }
        return (requests, owner)
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

    /// Runs a plan with the resource sampler and the live progress line.
    func load(_ phase: String, _ plan: LoadPlan) async -> (value: LoadResult, samples: [LoadPhase.ResourceSample]) {
        var plan = plan
        let feed = LiveFeed()
        plan.feed = feed
        let planned = plan
        return await sampler.around {
            await LiveTicker.around(phase: phase, totalSeconds: Double(planned.durationNanoseconds) / 1e9, reporter: reporter, feed: feed) {
                await LoadRun.run(planned)
            }
        }
    }

    /// Reconciles the jobs a run's create requests were acknowledged, when it made any. When
    /// creates succeeded but fewer ids could be read from their answers, that is an error:
    /// a reconciliation that checked less than was acknowledged must not pass.
    @discardableResult
    func reconcile(_ phase: String, _ result: LoadResult, location: SourceLocation, into results: inout Results) async -> Reconciliation? {
        let creates = result.plan.requests.indices.filter { result.plan.requests[$0].collect != nil }
        let ids = creates.flatMap { result.collected.indices.contains($0) ? result.collected[$0] : [] }
        let acknowledged = creates.reduce(0) { $0 + (result.perRequest.indices.contains($1) ? result.perRequest[$1].succeeded : 0) }
        if acknowledged > ids.count {
            results.reconciliationCases.append(ResultsDocument.Case(
                name: "\(phase): \(acknowledged) jobs acknowledged, \(ids.count) with a readable job_id", location: location, outcome: .error,
                reason: "\(acknowledged - ids.count) successful creates answered without a job_id string: they cannot be reconciled"))
        }
        return await reconcile(phase, ids: ids, location: location, into: &results)
    }

    @discardableResult
    func reconcile(_ phase: String, ids: [String], location: SourceLocation, into results: inout Results) async -> Reconciliation? {
        guard !ids.isEmpty else { return nil }
        guard let reconciler else {
            results.reconciliationCases.append(ResultsDocument.Case(
                name: "\(phase): \(Set(ids).count) acknowledged jobs", location: location, outcome: .skipped,
                reason: "not reconciled: give --database-url and --redis-url with --target"))
            return nil
        }
        progress("reconciling \(ids.count) acknowledged jobs of \(phase)")
        let reconciliation = await reconciler.reconcile(phase: phase, acknowledged: ids)
        results.reconciliation.append(reconciliation)
        results.reconciliationCases.append(LoadVerdicts.verdict(for: reconciliation, location: location))
        return reconciliation
    }

    static func lcm(_ a: Int, _ b: Int) -> Int {
        func gcd(_ x: Int, _ y: Int) -> Int { y == 0 ? x : gcd(y, x % y) }
        return a / gcd(a, b) * b
    }

    // MARK: - Phases

    /// Loads every endpoint that has targets and judges its latency and error-rate targets:
    /// at a constant arrival rate (open model) when the spec states one (`at`, else the rps
    /// target's bound), else closed model at `connections`. Rps targets are judged later, by
    /// capacity (``rpsVerdicts(_:into:)``).
    func endpointPhases(_ specs: [SpecFile], seconds: Double, into results: inout Results) async {
        var pool: [String]?
        for spec in specs {
            for targetSet in spec.targets {
                guard let endpoint = spec.endpoints.first(where: { $0.name.value == targetSet.subject.value }) else { continue }
                if Task.isCancelled { return }
                if serverGone() {
                    results.targetCases.append(LoadVerdicts.notRun("\(endpoint.name.value) targets", location: targetSet.subject.location))
                    continue
                }
                let prepared: Prepared
                do {
                    prepared = try await prepare(endpoint, in: spec, pool: &pool)
                } catch {
                    results.targetCases.append(ResultsDocument.Case(
                        name: "\(endpoint.name.value) targets", location: targetSet.subject.location, outcome: .error,
                        reason: "could not render the endpoint's request: \(error)"))
                    continue
                }
                let shape = Self.targetShape(targetSet, connections: connections)
                // A closed model's figures say so wherever they appear, the live line included.
                let basis = shape.model == .closed ? " (closed model, not corrected)" : ""
                progress("loading \(endpoint.name.value) for \(Int(seconds)) s: \(shape.load)\(basis.isEmpty ? "" : ", not corrected")")
                let plan = Self.plan(
                    Self.planRequests([(prepared: prepared, weight: 1)]).requests, connections: shape.connections, seconds: seconds,
                    model: shape.model, threads: threads)
                let (result, samples) = await load("load \(endpoint.name.value)\(basis)", plan)
                await reconcile(endpoint.name.value, result, location: targetSet.subject.location, into: &results)
                let phase = LoadPhase(name: endpoint.name.value, load: shape.load, result: result, resources: samples, since: runStart)
                results.endpoints.append(phase)
                results.targetCases += TargetEvaluation.evaluate(
                    targetSet, measured: phase.measurement.endpointMeasurement,
                    load: TargetLoad(rate: targetSet.judgingRate, behindShare: phase.behindShare), source: spec.source)
            }
        }
    }

    /// Runs every scenario of the specs (time-scaled by `timeScale` unless it injects faults).
    func scenarios(_ specs: [SpecFile], timeScale: Double, into results: inout Results) async {
        for spec in specs {
            var pool: [String]?
            for scenario in spec.scenarios {
                if Task.isCancelled { return }
                if serverGone() {
                    results.scenarioCases.append(LoadVerdicts.notRun(scenario.name.value, location: scenario.location))
                    continue
                }
                if !scenario.faults.isEmpty && injector == nil {
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
                    do { mix.append((prepared: try await prepare(endpoint, in: spec, pool: &pool), weight: entry.weight)) } catch {
                        problems.append("\(entry.endpoint): \(error)")
                    }
                }
                guard problems.isEmpty, !mix.isEmpty else {
                    results.scenarioCases.append(ResultsDocument.Case(
                        name: scenario.name.value, location: scenario.location, outcome: .error,
                        reason: "could not prepare the scenario's requests: \(problems.joined(separator: "; "))"))
                    continue
                }
                if let users = scenario.users, let warning = FileDescriptorBudget.check(connections: users) { progress(warning) }
                let scale = scenario.faults.isEmpty ? timeScale : 1
                let seconds = max(minimumScenarioSeconds, Double(scenario.durationMilliseconds) / 1000 / scale)
                progress("scenario \(scenario.name.value): \(Self.describe(scenario)) for \(Int(seconds)) s")
                let (requests, owner) = Self.planRequests(mix)
                let think = scenario.thinkMilliseconds.map { UInt64($0.lowerBound) * 1_000_000...UInt64($0.upperBound) * 1_000_000 }
                var plan = Self.plan(
                    requests, connections: scenario.users ?? max(connections, 100), seconds: seconds,
                    model: scenario.rate.map { .open(rate: $0) } ?? .closed, think: think, spawnRate: scenario.spawnRate.map { $0 * scale },
                    threads: threads)
                plan.stages = Self.stages(scenario, scale: scale)
                plan.groups = owner
                let planned = plan
                let start = FaultInjector.now()
                async let faulted = injector?.run(scenario.faults, healthURL: target + "/health", scenarioStart: start) ?? []
                let (result, samples) = await load("scenario \(scenario.name.value)", planned)
                let timings = await faulted
                let healthy = await Self.healthy(target)
                let reconciliation = await reconcile("scenario \(scenario.name.value)", result, location: scenario.location, into: &results)
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
                results.scenarioCases.append(LoadVerdicts.verdict(for: phase, location: scenario.location))
                if let targetSet = spec.targets.first(where: { $0.subject.value == scenario.name.value }) {
                    results.scenarioCases += TargetEvaluation.evaluate(targetSet, measured: phase.measurement.endpointMeasurement, source: spec.source)
                }
                for timing in timings {
                    let outcome = LoadVerdicts.faultOutcome(timing, scenario: scenario.name.value, phase: phase, reconciliation: reconciliation)
                    results.reliability.append(outcome)
                    results.reliabilityCases.append(LoadVerdicts.verdict(for: outcome, timing: timing))
                }
            }
        }
    }

    /// Capacity per endpoint with a p99 target, and for the first scenario with an uneven mix
    /// (each of its endpoints judged by its own p99 target).
    func capacity(_ specs: [SpecFile], stepSeconds: Double, steps: Int, into results: inout Results) async {
        let search = CapacitySearch(stepSeconds: stepSeconds, maxSteps: steps, threads: threads)
        for spec in specs {
            var pool: [String]?
            var p99ByEndpoint: [String: Double] = [:]
            for targetSet in spec.targets {
                guard let p99 = targetSet.thresholds.first(where: { $0.metric == .p99 })?.threshold.bound,
                    let endpoint = spec.endpoints.first(where: { $0.name.value == targetSet.subject.value }),
                    let prepared = try? await prepare(endpoint, in: spec, pool: &pool)
                else { continue }
                if serverGone() || Task.isCancelled { return }
                p99ByEndpoint[endpoint.name.value] = p99
                let measured = results.endpoints.first { $0.name == endpoint.name.value }?.measurement.rps
                let requests = Self.planRequests([(prepared: prepared, weight: 1)]).requests
                let (capacity, ids) = await search.run(
                    subject: endpoint.name.value, requests: requests,
                    groups: [.init(name: endpoint.name.value, requests: Array(requests.indices), p99Target: p99)],
                    startRPS: Self.capacityStart(targetSet, measuredRPS: measured), measuredRPS: measured, reporter: reporter)
                results.capacity.append(capacity)
                await reconcile("capacity \(endpoint.name.value)", ids: ids, location: targetSet.subject.location, into: &results)
            }
            guard let mixed = spec.scenarios.first(where: { Set($0.mix.map(\.weight)).count > 1 && $0.faults.isEmpty }) else { continue }
            var entries: [(prepared: Prepared, weight: Int)] = []
            for entry in mixed.mix {
                guard let endpoint = spec.endpoints.first(where: { $0.name.value == entry.endpoint }),
                    let prepared = try? await prepare(endpoint, in: spec, pool: &pool)
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
            let (capacity, ids) = await search.run(
                subject: "mix (\(mixed.name.value))", requests: requests, groups: groups, startRPS: seconds > 0 ? 1 / seconds : 100,
                measuredRPS: nil, reporter: reporter)
            results.capacity.append(capacity)
            await reconcile("capacity \(capacity.subject)", ids: ids, location: mixed.location, into: &results)
        }
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

    static func healthy(_ target: String) async -> Bool {
        await HealthProbe.status(target + "/health", timeoutMilliseconds: 5000) == 200
    }

}

extension LoadSession {
    /// Whether anything answers HTTP at `target` (any status).
    static func reachable(_ target: String) async -> Bool {
        await HealthProbe.status(target + "/health", timeoutMilliseconds: 5000) != nil
    }
}
