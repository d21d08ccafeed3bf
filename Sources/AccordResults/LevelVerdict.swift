/// The verdict of one conformance level (`core`, `strict`, `extended`): its cases' counts and
/// whether it held. A level none of whose cases ran (all skipped: not selected with `--level`,
/// or nothing of that level in the specs) has not passed, and says so with `selected`.
public struct LevelVerdict: Codable, Sendable, Equatable {
    public var level: String
    /// False when `--level` left the level out.
    public var selected: Bool
    public var passed: Int
    public var failed: Int
    public var errors: Int
    public var skipped: Int

    public init(level: String, selected: Bool, passed: Int = 0, failed: Int = 0, errors: Int = 0, skipped: Int = 0) {
        self.level = level
        self.selected = selected
        self.passed = passed
        self.failed = failed
        self.errors = errors
        self.skipped = skipped
    }

    /// The one word the reports print: `PASSED`, `FAILED`, or `NOT RUN`.
    public var verdict: String {
        if !selected || passed + failed + errors == 0 { return "NOT RUN" }
        return failed == 0 && errors == 0 ? "PASSED" : "FAILED"
    }

    /// Every case ran held, and at least one ran.
    public var held: Bool { verdict == "PASSED" }
}

extension ResultsDocument {
    /// Counts every case of `suites` by its level, in the order of `order`; cases without a
    /// level count as `unlevelled` (the first of `order`).
    public static func tally(_ suites: [Suite], order: [String], selected: Set<String>) -> [LevelVerdict] {
        order.map { level in
            var verdict = LevelVerdict(level: level, selected: selected.contains(level))
            for suite in suites {
                for item in suite.cases where (item.level ?? order.first) == level {
                    switch item.outcome {
                    case .passed: verdict.passed += 1
                    case .failed: verdict.failed += 1
                    case .error: verdict.errors += 1
                    case .skipped: verdict.skipped += 1
                    }
                }
            }
            return verdict
        }
    }
}
