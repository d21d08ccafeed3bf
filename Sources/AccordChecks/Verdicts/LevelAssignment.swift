import AccordResults
import AccordSpec

/// Gives every case of a results document its conformance level, leaves out the levels
/// `--level` did not select, and tallies a verdict per level — after the run, from the specs
/// alone, so every producer of verdicts (checks, targets, scenarios, faults, capacity,
/// reconciliation) gets levels without knowing about them.
///
/// A case's level is found by where it was asked for: a functional case by its own `level:` or
/// its file's; a target, scenario, capacity or fault by its file's; reconciliation is always
/// `strict` (durable 201s are a rule the API implies, not one it documents).
public enum LevelAssignment {
    /// The suite whose verdicts are always `strict`.
    public static let reconciliationSuite = "reconciliation"

    public static func apply(to document: inout ResultsDocument, specs: [SpecFile], selected: Set<ConformanceLevel>?) {
        let caseLevels = Dictionary(
            specs.flatMap { spec in spec.cases.map { ($0.name.location.description, spec.level(of: $0)) } }, uniquingKeysWith: { a, _ in a })
        let fileLevels = Dictionary(specs.map { ($0.path, $0.fileLevel) }, uniquingKeysWith: { a, _ in a })
        let chosen = selected ?? Set(ConformanceLevel.allCases)
        for s in document.suites.indices {
            let suite = document.suites[s].name
            for c in document.suites[s].cases.indices {
                let location = document.suites[s].cases[c].location
                let level: ConformanceLevel =
                    suite == reconciliationSuite
                    ? .strict : caseLevels[location] ?? fileLevels[fileOf(location)] ?? fileLevels[document.suites[s].file] ?? .unstated
                document.suites[s].cases[c].level = level.rawValue
                let outcome = document.suites[s].cases[c].outcome
                if !chosen.contains(level), outcome != .skipped {
                    // It ran because what was selected needed it (a case whose captures later
                    // cases use; the reconciliation of a selected load): said, not judged.
                    document.suites[s].cases[c].outcome = .skipped
                    document.suites[s].cases[c].failures = []
                    document.suites[s].cases[c].reason =
                        notSelectedReason(level, selected: chosen) + "; it ran only because selected verdicts needed it (\(outcome.rawValue))"
                }
            }
        }
        document.levels = ResultsDocument.tally(document.suites, order: ConformanceLevel.names, selected: Set(chosen.map(\.rawValue)))
    }

    /// Why a case of `level` did not run.
    public static func notSelectedReason(_ level: ConformanceLevel, selected: Set<ConformanceLevel>) -> String {
        "level \(level.rawValue) not selected (--level \(selected.sorted().map(\.rawValue).joined(separator: ",")))"
    }

    /// `specs/load.yaml` of `specs/load.yaml:12:5`.
    public static func fileOf(_ location: String) -> String {
        CheckFailure.parse(location)?.file ?? location
    }
}
