import AccordEnvironment
import AccordChecks
import AccordLoad
import AccordResults
import AccordSpec

/// `accord load --url … --json FILE`: one load of one URL as a run's results document, so that
/// `accord report` renders it and `accord compare` sets two of them side by side (phases are
/// matched by name: the method and URL). Without a spec there are no targets; the document's
/// one verdict is whether every request was answered as expected (2xx or 3xx).
public enum AdHocLoad {
    public static func report(method: String, url: String, result: LoadResult, date: String, command: String) async -> RunReport {
        let facts = await EnvironmentFacts.gather(probe: nil, serverPID: nil)
        let load = LoadSummary.describe(result.plan)
        let phase = LoadPhase(name: "\(method) \(url)", load: load, result: result)
        let environment = facts.machine + [
            .init(name: "Server", value: url),
            .init(name: "Load generator", value: "accord load engine (libcurl multi), on the same machine"),
            .init(name: "Load profile", value: "ad hoc, \(load)"),
        ]
        let suite = SuiteResult(name: "load", file: "", cases: [verdict(for: phase)])
        return RunReport(
            date: date, command: command, target: url, booted: false, profile: "ad hoc", environment: environment,
            suites: [RunReport.Suite(suite)], endpoints: [phase],
            bottlenecks: BottleneckAnalysis.derive(phases: [phase], cores: facts.cores),
            targetUnreachable: phase.measurement.requests > 0 && phase.errorsByKind["connect", default: 0] == phase.measurement.requests)
    }

    /// Passed when every request sent was answered as expected. Pure.
    static func verdict(for phase: LoadPhase) -> CaseResult {
        let failed = phase.errorsByKind.values.reduce(0, +)
        let sent = phase.measurement.requests
        let name = "\(phase.name): \(sent) requests, \(failed) not answered as expected"
        let location = SourceLocation(file: "", line: 0, column: 0)
        guard failed > 0 else { return CaseResult(name: name, location: location, outcome: .passed) }
        let kinds = phase.errorsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return CaseResult(
            name: name, location: location, outcome: .failed,
            failures: [AssertionFailure(message: "answers", expected: "every request answered with 2xx or 3xx", actual: kinds, location: location)])
    }
}
