import AccordResults
import AccordSpec

/// The verdicts of a load run that are not targets, as pure functions of what was measured:
/// a scenario (the server healthy afterwards), a fault (recovered, nothing lost), a
/// reconciliation (every acknowledged id exactly once), a phase not run, an ad-hoc load.
public enum LoadVerdicts {
    /// What one fault did: requests and errors in the seconds it was on (from its start to
    /// health again), and the scenario's reconciliation.
    /// `connections`: the phase's; for `kill_replica`, the bound on its errors (only the
    /// requests in flight on the killed replica may fail, and there are at most that many).
    public static func faultOutcome(
        _ timing: FaultTiming, scenario: String, phase: LoadPhase, reconciliation: Reconciliation?, connections: Int? = nil
    ) -> FaultOutcome {
        let applied = timing.appliedSeconds ?? Double(timing.fault.atMilliseconds) / 1000
        let from = Int(applied)
        // Recovery counts from when bringing the dependency back began: the end of its `for`.
        let until = applied + Double(timing.fault.forMilliseconds) / 1000 + (timing.recoverySeconds ?? 0)
        let during = phase.series.filter { $0.second >= from && Double($0.second) <= until }
        let requests = during.reduce(0) { $0 + $1.requests }
        let errors = during.reduce(0) { $0 + $1.errors }
        var outcome = FaultOutcome(
            scenario: scenario, fault: timing.action, atSecond: timing.appliedSeconds ?? Double(timing.fault.atMilliseconds) / 1000,
            recoverySeconds: timing.recoverySeconds, requestsDuring: requests,
            errorRateDuring: requests > 0 ? Double(errors) / Double(requests) : 0, acknowledged: reconciliation?.acknowledged ?? 0,
            lost: reconciliation?.lost ?? 0, duplicated: reconciliation?.duplicated ?? 0)
        if timing.fault.action == .killReplica {
            // The whole scenario's errors, not only the window's: none may come from elsewhere.
            outcome.errors = phase.series.reduce(0) { $0 + $1.errors }
            outcome.errorBound = connections
        }
        return outcome
    }

    /// A fault passes when it was applied and undone, the spec's health request answered
    /// again, and nothing acknowledged was lost or duplicated.
    public static func verdict(for outcome: FaultOutcome, timing: FaultTiming) -> ResultsDocument.Case {
        let recovery = outcome.recoverySeconds.map { "healthy again after \(TargetEvaluation.trimmed($0, 2)) s" } ?? "never healthy again"
        let name = "\(outcome.scenario): \(outcome.fault) — \(recovery); \(TargetEvaluation.show(outcome.errorRateDuring, .errorRate)) "
            + "errors during; \(outcome.lost) of \(outcome.acknowledged) acknowledged lost, \(outcome.duplicated) duplicated"
        var failures: [CheckFailure] = []
        if let error = timing.error {
            return ResultsDocument.Case(name: name, location: timing.fault.location, outcome: .error, reason: "the fault itself failed: \(error)")
        }
        if outcome.recoverySeconds == nil {
            failures.append(CheckFailure(message: "recovery", expected: "the health request answering after the fault", actual: "not healthy within the bound", location: timing.fault.location))
        }
        if let errors = outcome.errors, let bound = outcome.errorBound, errors > bound {
            failures.append(CheckFailure(
                message: "errors while one replica was killed",
                expected: "at most \(bound) (only the requests in flight on the killed replica: at most the scenario's connections)",
                actual: "\(errors) failed requests", location: timing.fault.location))
        }
        if outcome.lost > 0 || outcome.duplicated > 0 {
            failures.append(CheckFailure(
                message: "acknowledged items", expected: "0 lost, 0 duplicated", actual: "\(outcome.lost) lost, \(outcome.duplicated) duplicated",
                location: timing.fault.location))
        }
        return ResultsDocument.Case(name: name, location: timing.fault.location, outcome: failures.isEmpty ? .passed : .failed, failures: failures)
    }

    /// A reconciliation passes when every acknowledged id is in each store exactly once; one
    /// that could not read a store (its note says why) is an error, never a pass.
    public static func verdict(for reconciliation: Reconciliation, location: SourceLocation) -> ResultsDocument.Case {
        let r = reconciliation
        let name = "\(r.phase): \(r.acknowledged) acknowledged jobs — \(r.lost) lost, \(r.duplicated) duplicated"
        if let note = r.note, r.lost == 0, r.duplicated == 0 {
            return ResultsDocument.Case(name: name, location: location, outcome: .error, reason: note)
        }
        guard r.lost > 0 || r.duplicated > 0 else { return ResultsDocument.Case(name: name, location: location, outcome: .passed) }
        return ResultsDocument.Case(
            name: name, location: location, outcome: .failed,
            failures: [CheckFailure(
                message: "acknowledged jobs in PostgreSQL and Redis", expected: "each exactly once",
                actual: "PostgreSQL: \(r.lostInDatabase) missing, \(r.duplicatedInDatabase) twice; streams: \(r.lostInStreams) missing, \(r.duplicatedInStreams) twice",
                location: location)])
    }

    /// A phase skipped because the booted server died earlier in the run.
    public static func notRun(_ name: String, location: SourceLocation) -> ResultsDocument.Case {
        ResultsDocument.Case(name: name, location: location, outcome: .error, reason: "not run: the server this run booted is no longer running (see server.log)")
    }

    /// A scenario passes when the server is still up and healthy afterwards ("no crash");
    /// its numbers are reported, and judged only where the specs give it targets.
    public static func verdict(for phase: LoadPhase, location: SourceLocation) -> ResultsDocument.Case {
        let m = phase.measurement
        let name = "\(phase.name) (\(phase.load), \(Int(phase.seconds)) s): server healthy afterwards — "
            + "\(m.requests) requests, \(TargetEvaluation.show(m.errorRate, .errorRate)) errors, p99 \(TargetEvaluation.show(m.p99, .p99))"
        guard let healthy = phase.healthyAfterwards else {
            return ResultsDocument.Case(
                name: name, location: location, outcome: .skipped, reason: "not checked: no spec of the run declares health: (the request that says the server is up)")
        }
        if healthy { return ResultsDocument.Case(name: name, location: location, outcome: .passed) }
        return ResultsDocument.Case(
            name: name, location: location, outcome: .failed,
            failures: [CheckFailure(message: "the server after \(phase.name)", expected: "alive, its health request answering", actual: "down or unhealthy", location: location)])
    }

    /// Lost and duplicated counts from what each store holds per id; a store that could
    /// not be read counts nothing (its note says why).
    public static func tally(phase: String, acknowledged: Set<String>, database: [String: Int]?, streams: [String: Int]?, note: String?) -> Reconciliation {
        func lost(_ counts: [String: Int]?) -> Int { counts.map { c in acknowledged.filter { (c[$0] ?? 0) == 0 }.count } ?? 0 }
        func duplicated(_ counts: [String: Int]?) -> Int { counts.map { c in acknowledged.filter { (c[$0] ?? 0) > 1 }.count } ?? 0 }
        return Reconciliation(
            phase: phase, acknowledged: acknowledged.count, lostInDatabase: lost(database), duplicatedInDatabase: duplicated(database),
            lostInStreams: lost(streams), duplicatedInStreams: duplicated(streams), note: note)
    }

    /// Passed when every request sent was answered as expected.
    public static func adHoc(_ phase: LoadPhase) -> ResultsDocument.Case {
        let failed = phase.errorsByKind.values.reduce(0, +)
        let sent = phase.measurement.requests
        let name = "\(phase.name): \(sent) requests, \(failed) not answered as expected"
        let location = SourceLocation(file: "", line: 0, column: 0)
        guard failed > 0 else { return ResultsDocument.Case(name: name, location: location, outcome: .passed) }
        let kinds = phase.errorsByKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return ResultsDocument.Case(
            name: name, location: location, outcome: .failed,
            failures: [CheckFailure(message: "answers", expected: "every request answered with 2xx or 3xx", actual: kinds, location: location)])
    }
}
