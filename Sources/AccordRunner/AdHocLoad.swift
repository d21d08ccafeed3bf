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
    public static func report(method: String, url: String, result: LoadResult, date: String, command: String) async -> ResultsDocument {
        let facts = await EnvironmentFacts.gather(probe: nil, serverPID: nil)
        let load = LoadSummary.describe(result.plan)
        let phase = LoadPhase(name: "\(method) \(url)", load: load, result: result, since: result.started)
        let environment = facts.machine + [
            .init(name: "Server", value: url),
            .init(name: "Load generator", value: "accord load engine (libcurl multi), on the same machine"),
            .init(name: "Load profile", value: "ad hoc, \(load)"),
        ]
        let suite = ResultsDocument.Suite(name: "load", file: "", cases: [LoadVerdicts.adHoc(phase)])
        return ResultsDocument(
            kind: .load, date: date, startedAt: ResultsDocument.timestamp(result.started), command: command, target: url, booted: false, profile: "ad hoc", environment: environment,
            suites: [suite], endpoints: [phase],
            bottlenecks: BottleneckAnalysis.derive(phases: [phase], cores: facts.cores),
            targetUnreachable: phase.measurement.requests > 0 && phase.errorsByKind["connect", default: 0] == phase.measurement.requests)
    }
}
