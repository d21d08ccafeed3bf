/// How far a case or target reaches beyond the vendor's published API, so a reader can tell
/// "the vendor's own API is broken" from "this build lacks the reference server's additions".
///
/// ```yaml
/// suite: job-status
/// level: core            # every case of the file…
/// cases:
///   - name: an unknown job id answers 404
///     level: strict      # …unless it says otherwise
/// ```
public enum ConformanceLevel: String, CaseIterable, Sendable, Hashable, Comparable {
    /// What the vendor's API documents: routes, methods, status codes, fields and types of its
    /// OpenAPI document and its published performance targets.
    case core
    /// Rules a correct control plane keeps that the API implies: 404 for unknown ids,
    /// exactly-once idempotency, 422 validation, no 5xx for client input, no internals in
    /// error bodies, durable 201s, reconciliation.
    case strict
    /// The reference server's additions: cancel, Server-Timing, X-Request-Id, /metrics, API
    /// keys, rate limits.
    case extended

    /// The level of a file or case that names none.
    public static let unstated = ConformanceLevel.core

    /// Every level, in order, as the reports list them.
    public static let names = allCases.map(\.rawValue)

    public static func < (a: ConformanceLevel, b: ConformanceLevel) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }

    /// Parses `core,strict` (as `--level` takes it): the levels, or the first unknown name with
    /// a suggestion.
    public static func parseList(_ text: String) -> Result<Set<ConformanceLevel>, LevelListError> {
        var levels: Set<ConformanceLevel> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(part.filter { $0 != " " }).lowercased()
            guard let level = ConformanceLevel(rawValue: name) else {
                return .failure(LevelListError(name: name, suggestion: Suggestion.closest(to: name, among: names)))
            }
            levels.insert(level)
        }
        return .success(levels)
    }
}

/// An unknown name in a `--level` list.
public struct LevelListError: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var suggestion: String?
    public var description: String {
        let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
        return "unknown level '\(name)'\(hint); levels: \(ConformanceLevel.names.joined(separator: ", "))"
    }
}

extension SpecFile {
    /// The level of one of the file's cases: its own, else the file's, else core.
    public func level(of specCase: Case) -> ConformanceLevel { specCase.level?.value ?? fileLevel }

    /// The file's level (its targets, scenarios and faults have it): `level:` or core.
    public var fileLevel: ConformanceLevel { level?.value ?? .unstated }
}

extension SpecFile {
    /// The file with no targets, scenarios or claims when its level is not among `levels`: its load
    /// is neither planned nor run; its endpoints stay (pools, health and other files use them).
    public func keepingLoad(of levels: Set<ConformanceLevel>) -> SpecFile {
        guard !levels.contains(fileLevel) else { return self }
        var kept = self
        kept.targets = []
        kept.scenarios = []
        kept.claims = []
        return kept
    }
}
