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
import Synchronization

/// Runs the cases of spec files against a target, in order, chaining captures within a file;
/// the execute stage of `accord check`. Only this type (with the probe) touches the network;
/// what each answer means is decided by the pure evaluators of AccordChecks.
public final class CheckRunner: Sendable {
    public let options: CheckOptions
    let probe: SideEffectProbe
    /// The run's `{{seq}}` counter, shared with the load phases (values stay unique across both).
    let counter: SequenceCounter
    /// Set when the target refused the first connection: the rest is not attempted.
    private let unreachable = Mutex<String?>(nil)
    /// Set once any answer arrived: a server that dies later fails cases (exit 1), it does
    /// not make the target "unreachable" (exit 3).
    private let contacted = Mutex(false)
    /// The first cases' answers while every one was refused (401/403 where the spec expected
    /// otherwise); nil once any other answer came. At ``refusalsToStop`` the run stops.
    private let refusals = Mutex<(count: Int, statuses: Set<Int>)?>((0, []))
    /// Leading sends that failed at the TLS layer (while nothing has answered yet).
    private let tlsFailures = Mutex(0)
    /// Why the run stopped early, with the option that fixes it.
    private let stopped = Mutex<String?>(nil)
    /// How many leading refusals mean the deployment wants credentials, not that its API is broken.
    static let refusalsToStop = 5

    /// The `--header` names, whose values every transcript shows as `***`.
    let secretHeaders: Set<String>

    public init(options: CheckOptions) throws {
        self.options = options
        counter = SequenceCounter(stride: options.sequenceStride, offset: options.sequenceOffset)
        self.secretHeaders = Set(options.headers.map { $0.name.lowercased() })
        self.probe = try SideEffectProbe(databaseURL: options.databaseURL, redisURL: options.redisURL)
    }

    /// Runs every file into a results document of kind `check`; `report` sees each case as it
    /// finishes (for the console). `date` and `command` say when and how it was asked for.
    public func run(
        _ specs: [SpecFile], date: String = "", command: String = "", report: @Sendable (SpecFile, ResultsDocument.Case) -> Void = { _, _ in }
    ) async -> ResultsDocument {
        let startedAt = ResultsDocument.timestamp(Date())
        var suites: [ResultsDocument.Suite] = []
        for spec in specs {
            var results: [ResultsDocument.Case] = []
            var variables = renderVariables(of: spec)
            for specCase in spec.cases where stopReason == nil {
                let result = await run(specCase, in: spec, variables: &variables)
                report(spec, result)
                results.append(result)
            }
            suites.append(ResultsDocument.Suite(name: spec.suite.value, file: spec.path, cases: results))
            if stopReason != nil { break }
        }
        await probe.close()
        var document = ResultsDocument(
            kind: .check, date: date, startedAt: startedAt, command: command, target: options.target, booted: false, profile: "",
            suites: suites, targetUnreachable: unreachable.withLock { $0 } != nil)
        let warnings = options.transport.warnings
        document.warnings = warnings.isEmpty ? nil : warnings
        LevelAssignment.apply(to: &document, specs: specs, selected: options.levels)
        return document
    }

    /// Why the run stopped before its end, when it did: the first cases were all refused
    /// (401/403 where the spec expected otherwise), which says the deployment wants
    /// credentials, not that every rule is broken.
    public var stopReason: String? { stopped.withLock { $0 } }

    /// Counts a case's answers toward the early stop: refused (every answer 401 or 403, and
    /// the spec expected another status) or answered otherwise (which ends the count for good).
    func observe(_ responses: [ClientResponse], expected: StatusExpectation?) {
        guard let first = responses.first else { return }
        let refused = responses.allSatisfy { [401, 403].contains($0.status) } && !(expected?.accepts(first.status) ?? false)
        let reason: String? = refusals.withLock { state in
            guard var current = state else { return nil }
            guard refused else {
                state = nil
                return nil
            }
            current.count += 1
            current.statuses.insert(first.status)
            state = current
            guard current.count >= Self.refusalsToStop else { return nil }
            let statuses = current.statuses.sorted().map(String.init).joined(separator: " or ")
            return "the first \(current.count) requests were all answered \(statuses) where the specs expected otherwise: "
                + "does the deployment need credentials? Pass them with --header 'Name: value', --user NAME:PASSWORD or --bearer TOKEN"
        }
        if let reason { stopped.withLock { $0 = $0 ?? reason } }
    }

    /// The file's variables rendered once, then `--var` values on top.
    func renderVariables(of spec: SpecFile) -> [String: String] {
        var values: [String: String] = [:]
        for variable in spec.variables {
            var context = renderContext(values)
            context.variables = values.merging(options.variables) { $1 }
            values[variable.name] = (try? variable.value.render(context)) ?? variable.value.description
        }
        return values.merging(options.variables) { $1 }
    }

    func renderContext(_ variables: [String: String]) -> RenderContext {
        RenderContext(
            variables: variables, environment: options.environment, uuid: { UUID().uuidString.lowercased() },
            randomInt: { Int.random(in: $0) }, nextSequence: { [self] in nextSequence() })
    }

    /// Whether the case runs, and if not, why.
    func skipReason(_ specCase: Case, in spec: SpecFile) -> String? {
        // A case that captures values runs whatever its level: later cases of the chosen levels
        // may use them (it is reported as not selected, LevelAssignment).
        if let levels = options.levels, !levels.contains(spec.level(of: specCase)), specCase.captures.isEmpty {
            return LevelAssignment.notSelectedReason(spec.level(of: specCase), selected: levels)
        }
        let tags = Set(specCase.tags + spec.tags)
        if !options.tags.isEmpty, tags.isDisjoint(with: options.tags) {
            return "not selected by --tags \(options.tags.sorted().joined(separator: ","))"
        }
        if specCase.optIn, tags.isDisjoint(with: options.tags) {
            return "opt-in: run with --tags \(tags.sorted().joined(separator: ","))"
        }
        if specCase.verifications.contains(where: \.needsDatabase), !probe.hasDatabase {
            return "side effects in PostgreSQL not verified: no --database-url"
        }
        if specCase.verifications.contains(where: { !$0.needsDatabase }), !probe.hasRedis {
            return "side effects in Redis not verified: no --redis-url"
        }
        return nil
    }

    func run(_ specCase: Case, in spec: SpecFile, variables: inout [String: String]) async -> ResultsDocument.Case {
        let name = specCase.name.value
        let location = specCase.name.location
        if let reason = skipReason(specCase, in: spec) {
            return ResultsDocument.Case(name: name, location: location, outcome: .skipped, reason: reason)
        }
        if let refused = unreachable.withLock({ $0 }) {
            return ResultsDocument.Case(name: name, location: location, outcome: .error, reason: "target unreachable: \(refused)")
        }
        let clock = ContinuousClock()
        let started = clock.now
        var execution = CaseExecution(
            specCase: specCase, runner: self, variables: variables, specDefaults: spec.defaultHeaders, specHTTP: spec.defaultHTTP)
        let result = await execution.run()
        variables = execution.variables
        var finished = result
        finished.name = name
        finished.location = location.description
        finished.failures = finished.failures.map { $0.quoting(spec.source) }
        let elapsed = clock.now - started
        finished.seconds = elapsed.seconds
        return finished
    }

    /// Sends `requests` (one, or N identical for a parallel case) and records an unreachable
    /// target on the first refused connection.
    func send(_ requests: [ClientRequest]) async -> [Result<ClientResponse, HTTPClientError>] {
        let results = requests.count == 1 ? [await BlockingHTTP.perform(requests[0])] : await BlockingHTTP.performAll(requests)
        if results.contains(where: { (try? $0.get()) != nil }) { contacted.withLock { $0 = true } }
        if !contacted.withLock({ $0 }) {
            for case let .failure(.connect(message)) in results {
                unreachable.withLock { current in
                    if current == nil { current = "\(options.target): \(message)" }
                }
            }
            // The first sends all failing at the TLS layer: one message naming the option
            // that fixes it, not a failed case per rule.
            let advice = results.compactMap { result -> String? in
                guard case let .failure(.transfer(code, message)) = result, let advice = TransportSetup.advice(code: code) else { return nil }
                return "\(advice) (curl \(code): \(message))"
            }
            if advice.count == results.count, let reason = advice.first {
                let count = tlsFailures.withLock { value in
                    value += 1
                    return value
                }
                if count >= Self.refusalsToStop { stopped.withLock { $0 = $0 ?? reason } }
            }
        }
        return results
    }

    func nextSequence() -> Int { counter.next() }
}
