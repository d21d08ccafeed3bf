import AccordChecks
import AccordProbes
import AccordResults
import AccordSpec
import Foundation

/// `accord merge`'s verdicts: the merged document judged as `accord run` judges its own —
/// endpoint targets, scenarios, capacity (the ladder's steps held or not, then sustained and
/// peak), rps targets — with the same pure functions, and the united acknowledged ids
/// reconciled against PostgreSQL and Redis when their URLs are given.
public enum MergeJudgement {
    /// The specs the shards ran, read from the paths their documents name and refused when a
    /// file's SHA-256 is not the one the shards recorded (the verdicts would judge other targets).
    public static func specs(of document: ResultsDocument, variables: [String: String]) -> (specs: [SpecFile], problems: [String]) {
        var specs: [SpecFile] = []
        var problems: [String] = []
        for digest in document.specFiles {
            guard let data = FileManager.default.contents(atPath: digest.path) else {
                problems.append("\(digest.path): the shards ran it, but it cannot be read here (run accord merge where the specs are)")
                continue
            }
            guard SHA256.hex(Array(data)) == digest.sha256 else {
                problems.append("\(digest.path) is not the file the shards ran (its SHA-256 differs)")
                continue
            }
            // Loaded as the shards loaded it: a schema document a spec names (schema: {file:})
            // is read from beside it.
            switch SpecLoader.load(
                String(decoding: data, as: UTF8.self), path: digest.path, externalVariables: Set(variables.keys),
                readFile: { FileManager.default.contents(atPath: $0).map(Array.init) })
            {
            case let .success(spec): specs.append(spec)
            case let .failure(problem):
                let first = problem.diagnostics.first.map { ": \($0.location): \($0.message)" } ?? ""
                problems.append("\(digest.path) does not load as a spec\(first)")
            }
        }
        return (specs, problems)
    }

    /// The merged document with its suites: shard 0's functional suites, then targets,
    /// scenarios and reconciliation judged on the merged data.
    public static func judge(_ merged: ResultsDocument, specs: [SpecFile], databaseURL: String?, redisURL: String?) async throws -> ResultsDocument {
        var document = merged
        var results = LoadSession.Results()
        results.endpoints = merged.endpoints
        results.scenarios = merged.scenarios
        for spec in specs {
            for targetSet in spec.targets {
                guard let phase = merged.endpoints.first(where: { $0.name == targetSet.subject.value }) else { continue }
                results.targetCases += TargetEvaluation.evaluate(
                    targetSet, measured: phase.measurement.endpointMeasurement,
                    load: TargetLoad(rate: targetSet.judgingRate, behindShare: phase.behindShare), source: spec.source)
            }
            for scenario in spec.scenarios {
                guard let phase = merged.scenarios.first(where: { $0.name == scenario.name.value }) else { continue }
                results.scenarioCases += LoadSession.scenarioVerdicts(phase, scenario: scenario, spec: spec)
            }
        }
        results.capacity = merged.capacity.map { judged($0) }
        LoadSession.rpsVerdicts(specs, into: &results)
        results.reconciliationCases += LoadSession.unreconciled(specs)
        let probe = try SideEffectProbe(databaseURL: databaseURL, redisURL: redisURL)
        let reconciles = probe.hasDatabase || probe.hasRedis
        var reconciliations: [Reconciliation] = []
        for united in merged.reconciliation {
            let ids = united.acknowledgedIDs ?? []
            guard let endpoint = united.endpoint, let spec = specs.first(where: { $0.data.rule(for: endpoint) != nil }),
                let rule = spec.data.rule(for: endpoint)
            else {
                reconciliations.append(united)
                continue
            }
            guard reconciles else {
                results.reconciliationCases.append(ResultsDocument.Case(
                    name: "\(united.phase): \(Set(ids).count) acknowledged", location: rule.location, outcome: .skipped,
                    reason: "not reconciled: give accord merge --database-url and --redis-url"))
                reconciliations.append(united)
                continue
            }
            // A reconciler of its own per phase: a run's reads each stream on from where the last
            // phase's reading ended (its phases' entries come one after another), but every
            // shard's phases are over by now, their entries interleaved: each phase reads from the start.
            let checked = await Reconciler(probe: probe).reconcile(phase: united.phase, acknowledged: ids, rule: rule)
            reconciliations.append(checked)
            results.reconciliationCases.append(LoadVerdicts.verdict(for: checked, location: rule.location))
        }
        func suite(_ name: String, _ cases: [ResultsDocument.Case], where predicate: (SpecFile) -> Bool) -> ResultsDocument.Suite? {
            cases.isEmpty ? nil : ResultsDocument.Suite(name: name, file: specs.first(where: predicate)?.path ?? "", cases: cases)
        }
        document.suites += [
            suite("targets", results.targetCases) { !$0.targets.isEmpty },
            suite("scenarios", results.scenarioCases) { !$0.scenarios.isEmpty },
            suite("reconciliation", results.reconciliationCases) { !$0.scenarios.isEmpty || !$0.targets.isEmpty },
        ].compactMap { $0 }
        document.capacity = results.capacity
        document.reconciliation = reconciliations
        let claims = ClaimEvaluation.evaluate(specs, singles: document.singleRequest ?? [], capacity: results.capacity)
        document.claims = claims.isEmpty ? nil : claims
        LevelAssignment.apply(to: &document, specs: specs, selected: nil)
        return document
    }

    /// A merged ladder judged step by step by the capacity rule, then summarized.
    static func judged(_ capacity: Capacity) -> Capacity {
        let steps = capacity.steps.map { step in
            var step = step
            let measurement = LoadPhase.Measurement(
                requests: step.requests ?? 0, rps: step.achievedRPS, errorRate: step.errorRate, p50: step.p50, p90: 0, p95: 0, p99: step.p99,
                p999: 0, max: 0, generatorBound: false)
            step.held = CapacityRule.held(measurement, offered: step.offeredRPS, groupP99s: [(p99: step.p99, target: capacity.p99Target)])
            return step
        }
        return CapacityRule.summarize(subject: capacity.subject, p99Target: capacity.p99Target, measuredRPS: nil, steps: steps, generatorBound: capacity.generatorBound)
    }
}
