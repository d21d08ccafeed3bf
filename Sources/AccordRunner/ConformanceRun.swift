import AccordChecks
import AccordHTTP
import AccordJSON
import AccordLoad
import AccordProbes
import AccordSpec
import Foundation
import Logging

/// `accord run`: from nothing to a verdict. Boot throwaway PostgreSQL and Redis and the
/// reference server (or use `--target`), run every functional case with the side-effect
/// probes, load each endpoint that has targets and evaluate them, and always tear down.
/// Scenario execution, capacity search and reconciliation come with the load issue.
public enum ConformanceRun {
    public enum Profile: String, Sendable, CaseIterable {
        /// Short load phases: the whole set in about a minute.
        case quick
        /// The vendor's durations.
        case baseline

        var endpointSeconds: UInt64 { self == .quick ? 3 : 60 }

        /// Quick runs a scenario for 1/60 of its duration (at least 3 s) and ramps users up
        /// 60 times faster; think time is kept, so each user behaves as the vendor's does.
        var timeScale: Double { self == .quick ? 60 : 1 }
    }

    public struct Options: Sendable {
        public var specs: [SpecFile]
        public var profile: Profile
        /// The `accord` executable that serves (`accord serve`), when booting.
        public var serverExecutable: String
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
        public var loadSeconds: UInt64?

        public init(
            specs: [SpecFile], profile: Profile, serverExecutable: String, workDirectory: String, target: String? = nil,
            databaseURL: String? = nil, redisURL: String? = nil, variables: [String: String] = [:],
            environment: [String: String] = [:], connections: Int = 50, loadSeconds: UInt64? = nil
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
        }
    }

    /// What one scenario measured.
    public struct ScenarioOutcome: Sendable {
        public var name: String
        public var users: Int?
        public var rate: Double?
        public var seconds: Double
        public var overall: EndpointMeasurement
        public var perEndpoint: [(endpoint: String, measurement: EndpointMeasurement)]
        public var serverAlive: Bool
    }

    public struct Outcome: Sendable {
        public var target: String
        public var booted: Bool
        public var functional: CheckRunResult
        public var targets: SuiteResult
        public var scenarios: [ScenarioOutcome]
        public var scenarioResults: SuiteResult
        public var measurements: [(endpoint: String, measurement: EndpointMeasurement)]
        public var environment: EnvironmentFacts
        public var serverLog: String?
        /// Everything that passed: functional cases and targets.
        public var passed: Bool {
            functional.passed && [targets, scenarioResults].allSatisfy { $0.count(.failed) == 0 && $0.count(.error) == 0 }
        }
    }

    public static func run(_ options: Options, logger: Logger, progress: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        var postgres: ThrowawayPostgres?
        var redis: ThrowawayRedis?
        var server: ServerProcess?
        func teardown() async {
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
                progress("booting PostgreSQL, Redis and the reference server")
                let pg = try await ThrowawayPostgres.start(logger: logger)
                postgres = pg
                let rd = try await ThrowawayRedis.start(logger: logger)
                redis = rd
                let started = try await ServerProcess.start(
                    executable: options.serverExecutable,
                    arguments: ["serve", "--port", "0", "--database-url", pg.url, "--redis-url", rd.url, "--log-level", "warning"],
                    logFile: options.workDirectory + "/server.log")
                server = started
                target = started.url
                databaseURL = pg.url
                redisURL = rd.url
            }
            guard let target else { throw EnvironmentError(.invalidState, doing: "to choose", subject: "a target", cause: "none") }

            // 2. Functional checks, with the probes.
            progress("functional checks against \(target)")
            let checkOptions = CheckOptions(
                target: target, variables: options.variables, environment: options.environment, databaseURL: databaseURL, redisURL: redisURL)
            let checker = try CheckRunner(options: checkOptions)
            let functional = await checker.run(options.specs)

            // 3. Load each endpoint that has targets, and judge them.
            var targetResults: [CaseResult] = []
            var measurements: [(endpoint: String, measurement: EndpointMeasurement)] = []
            if !functional.targetUnreachable {
                let renderer = try CheckRunner(options: checkOptions)
                var variables = options.variables
                for spec in options.specs {
                    for targetSet in spec.targets {
                        guard let endpoint = spec.endpoints.first(where: { $0.name.value == targetSet.subject.value }) else { continue }
                        if let missing = endpoint.request.path.variables.first(where: { variables[$0] == nil }), missing == "job_id" {
                            variables["job_id"] = await setupJobID(spec: spec, target: target, renderer: renderer, variables: variables)
                        }
                        let seconds = options.loadSeconds ?? options.profile.endpointSeconds
                        progress("loading \(endpoint.name.value) for \(seconds) s with \(options.connections) connections")
                        let request: HTTPRequestSpec
                        do {
                            request = try RequestRendering.render(endpoint.request, target: target, context: renderer.renderContext(variables))
                        } catch {
                            targetResults.append(CaseResult(
                                name: "\(endpoint.name.value) targets", location: targetSet.subject.location, outcome: .error,
                                reason: "could not render the endpoint's request: \(error)"))
                            continue
                        }
                        let measurement = await measure(request, connections: options.connections, seconds: seconds)
                        measurements.append((endpoint: endpoint.name.value, measurement: measurement))
                        targetResults += TargetEvaluation.evaluate(targetSet, measured: measurement)
                    }
                }
            }
            // 4. The vendor's scenarios: users with think time and ramp-up, or a constant rate.
            var scenarios: [ScenarioOutcome] = []
            var scenarioResults: [CaseResult] = []
            if !functional.targetUnreachable {
                let renderer = try CheckRunner(options: checkOptions)
                var variables = options.variables
                for spec in options.specs {
                    for scenario in spec.scenarios {
                        if variables["job_id"] == nil {
                            variables["job_id"] = await setupJobID(spec: spec, target: target, renderer: renderer, variables: variables)
                        }
                        let seconds = max(3, Double(scenario.durationMilliseconds) / 1000 / options.profile.timeScale)
                        progress("scenario \(scenario.name.value): \(scenario.users.map { "\($0) users" } ?? "\(scenario.rate ?? 0) req/s") for \(Int(seconds)) s")
                        let outcome = await runScenario(
                            scenario, spec: spec, target: target, seconds: seconds, timeScale: options.profile.timeScale,
                            context: renderer.renderContext(variables), server: server)
                        scenarios.append(outcome)
                        scenarioResults.append(verdict(for: outcome, location: scenario.location))
                        if let targetSet = spec.targets.first(where: { $0.subject.value == scenario.name.value }) {
                            scenarioResults += TargetEvaluation.evaluate(targetSet, measured: outcome.overall)
                        }
                    }
                }
            }
            let facts = await EnvironmentFacts.gather(probe: try? SideEffectProbe(databaseURL: databaseURL, redisURL: redisURL), serverPID: server?.pid)
            let log = server?.logFile
            await teardown()
            return Outcome(
                target: target, booted: options.target == nil, functional: functional,
                targets: SuiteResult(name: "targets", file: options.specs.first(where: { !$0.targets.isEmpty })?.path ?? "", cases: targetResults),
                scenarios: scenarios,
                scenarioResults: SuiteResult(
                    name: "scenarios", file: options.specs.first(where: { !$0.scenarios.isEmpty })?.path ?? "", cases: scenarioResults),
                measurements: measurements, environment: facts, serverLog: log)
        } catch {
            await teardown()
            throw error
        }
    }

    static func runScenario(
        _ scenario: Scenario, spec: SpecFile, target: String, seconds: Double, timeScale: Double, context: RenderContext,
        server: ServerProcess?
    ) async -> ScenarioOutcome {
        var requests: [(request: HTTPRequestSpec, weight: Int)] = []
        var names: [String] = []
        for entry in scenario.mix {
            guard let endpoint = spec.endpoints.first(where: { $0.name.value == entry.endpoint }),
                let request = try? RequestRendering.render(endpoint.request, target: target, context: context)
            else { continue }
            requests.append((request: request, weight: entry.weight))
            names.append(entry.endpoint)
        }
        let think = scenario.thinkMilliseconds.map { UInt64($0.lowerBound) * 1_000_000...UInt64($0.upperBound) * 1_000_000 }
        let plan = LoadPlan(
            requests: requests, connections: scenario.users ?? 100, durationNanoseconds: UInt64(seconds * 1e9),
            model: scenario.rate.map { .open(rate: $0) } ?? .closed, threads: 1, thinkNanoseconds: think,
            spawnRate: scenario.spawnRate.map { $0 * timeScale })
        let result = await LoadRun.run(plan)
        var alive = server?.isRunning ?? true
        if alive, case let .success(response) = await BlockingHTTP.perform(HTTPRequestSpec(url: target + "/health", timeoutMilliseconds: 5000)) {
            alive = response.status == 200
        } else {
            alive = false
        }
        return ScenarioOutcome(
            name: scenario.name.value, users: scenario.users, rate: scenario.rate, seconds: seconds,
            overall: measurement(result.recorder, result: result),
            perEndpoint: zip(names, result.perRequest).map { (endpoint: $0, measurement: measurement($1, result: result)) },
            serverAlive: alive)
    }

    /// A scenario passes when the server is still up and healthy afterwards ("no crash");
    /// its numbers are reported, and judged only where the specs give it targets.
    static func verdict(for outcome: ScenarioOutcome, location: SourceLocation) -> CaseResult {
        let load = outcome.users.map { "\($0) users" } ?? "\(Int(outcome.rate ?? 0)) req/s"
        let name = "\(outcome.name) (\(load), \(Int(outcome.seconds)) s): server healthy afterwards — "
            + "\(outcome.overall.requests) requests, \(TargetEvaluation.show(outcome.overall.errorRate, .errorRate)) errors, "
            + "p99 \(TargetEvaluation.show(outcome.overall.p99, .p99))"
        if outcome.serverAlive { return CaseResult(name: name, location: location, outcome: .passed) }
        return CaseResult(
            name: name, location: location, outcome: .failed,
            failures: [AssertionFailure(message: "the server after \(outcome.name)", expected: "alive, /health 200", actual: "down or unhealthy", location: location)])
    }

    static func measurement(_ recorder: LoadRecorder, result: LoadResult) -> EndpointMeasurement {
        let histogram = recorder.corrected
        func ms(_ percentile: Double) -> Double { histogram.totalCount > 0 ? Double(histogram.valueAtPercentile(percentile)) / 1000 : 0 }
        let completed = recorder.completed
        let seconds = min(result.wallSeconds, Double(result.plan.durationNanoseconds) / 1e9)
        return EndpointMeasurement(
            p50: ms(50), p90: ms(90), p95: ms(95), p99: ms(99), max: Double(histogram.totalCount > 0 ? histogram.max : 0) / 1000,
            rps: seconds > 0 ? Double(completed) / seconds : 0,
            errorRate: completed > 0 ? Double(recorder.errorCount) / Double(completed) : 1, requests: completed,
            generatorBound: result.generatorBound)
    }

    /// Closed-model load on one request; latencies in ms.
    static func measure(_ request: HTTPRequestSpec, connections: Int, seconds: UInt64) async -> EndpointMeasurement {
        let plan = LoadPlan(requests: [(request: request, weight: 1)], connections: connections, durationNanoseconds: seconds * 1_000_000_000)
        let result = await LoadRun.run(plan)
        return measurement(result.recorder, result: result)
    }

    /// A job to read under load: created through the spec's `create_job` endpoint.
    static func setupJobID(spec: SpecFile, target: String, renderer: CheckRunner, variables: [String: String]) async -> String? {
        guard let create = spec.endpoints.first(where: { $0.request.method == "POST" && $0.request.path.literalValue == "/api/v1/jobs" }),
            let request = try? RequestRendering.render(create.request, target: target, context: renderer.renderContext(variables)),
            case let .success(response) = await BlockingHTTP.perform(request),
            let document = try? JSON.parse(bytes: response.body)
        else { return nil }
        return document["job_id"]?.stringValue
    }
}
