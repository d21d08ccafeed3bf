import AccordChecks
import AccordResults
import AccordSpec
import Testing

/// `kill_replica`: besides recovery and nothing lost, the scenario's errors must not exceed
/// its connections — only the requests in flight on the killed replica may fail. Other
/// faults carry no such bound.
struct KillReplicaVerdictTests {
    static func phase(errorsPerSecond: [Int]) -> LoadPhase {
        let series = errorsPerSecond.enumerated().map { LoadPhase.SecondPoint(second: $0.offset, requests: 200, errors: $0.element, p50: 1, p99: 2) }
        return LoadPhase(
            name: "replica-kill", load: "", seconds: Double(series.count),
            measurement: .init(requests: 200 * series.count, rps: 200, errorRate: 0, p50: 1, p90: 1, p95: 1, p99: 1, p999: 1, max: 1, generatorBound: false),
            series: series)
    }

    @Test(arguments: [
        // Errors anywhere in the scenario count, up to the connections and no further.
        (FaultAction.killReplica, [0, 0, 3, 0, 0, 0, 0, 0], 100, CaseOutcome.passed, 3 as Int?),
        (.killReplica, [0, 0, 60, 40, 0, 0, 0, 0], 100, .passed, 100),
        (.killReplica, [0, 0, 60, 40, 0, 0, 0, 1], 100, .failed, 101),
        (.killServer, [0, 0, 150, 0, 0, 0, 0, 0], 100, .passed, nil),
    ] as [(FaultAction, [Int], Int, CaseOutcome, Int?)])
    func errorsAreBoundedByTheConnections(action: FaultAction, errors: [Int], connections: Int, expected: CaseOutcome, counted: Int?) {
        let fault = FaultSpec(action: action, atMilliseconds: 2000, forMilliseconds: 3000, location: SourceLocation(file: "f.yaml", line: 9, column: 9))
        let timing = FaultTiming(fault: fault, appliedSeconds: 2.0, revertedSeconds: 5.1, recoverySeconds: 0.1)
        let reconciliation = Reconciliation(phase: "p", acknowledged: 640, lostInDatabase: 0, duplicatedInDatabase: 0, lostInStreams: 0, duplicatedInStreams: 0)
        let outcome = LoadVerdicts.faultOutcome(
            timing, scenario: "replica-kill", phase: Self.phase(errorsPerSecond: errors), reconciliation: reconciliation, connections: connections)
        #expect(outcome.errors == counted)
        #expect(outcome.errorBound == (action == .killReplica ? connections : nil))
        let verdict = LoadVerdicts.verdict(for: outcome, timing: timing)
        #expect(verdict.outcome == expected, "\(verdict.failures)")
        if expected == .failed { #expect(verdict.failures.first?.message == "errors while one replica was killed") }
    }
}
