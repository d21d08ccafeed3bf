import AccordChecks
import AccordResults

/// Two runs side by side, figure by figure: latency percentiles, throughput and error rate
/// per endpoint and scenario, sustained and peak capacity per subject, and verdicts. A figure
/// regresses when it moves the wrong way by more than `maxRegression` (relative); an error
/// rate regresses when it rises by more than that and by at least 0.1 percentage point, so
/// one stray timeout is not a regression; a verdict regresses when it stops holding. Pure.
///
/// ```
/// Subject               Figure      Base        New         Change
/// endpoint create_job   p99         8.4 ms      9.6 ms      +14.3%  REGRESSION
/// capacity get_job      sustained   6000 req/s  6000 req/s  0.0%
/// ```
public struct RunComparison: Sendable, Equatable {
    public var maxRegression: Double
    public var figures: [Figure]

    public struct Figure: Sendable, Equatable {
        public enum Verdict: String, Sendable {
            case unchanged, improved, worse, regression
            /// In one run only: nothing to compare.
            case added, removed
        }

        /// `endpoint create_job`, `scenario stress`, `capacity mix`, `verdict targets`.
        public var subject: String
        /// `p50`, `p95`, `p99`, `rps`, `error rate`, `sustained`, `peak`, or a verdict's name.
        public var figure: String
        public var base: String
        public var new: String
        /// (new − base) / base; nil when either side is missing or base is zero.
        public var change: Double?
        public var verdict: Verdict

        public var isRegression: Bool { verdict == .regression }
    }

    public var regressions: [Figure] { figures.filter(\.isRegression) }
    public var hasRegression: Bool { figures.contains(where: \.isRegression) }

    /// Which way is worse for a figure.
    enum Direction {
        case higherIsWorse, lowerIsWorse
    }

    public static func compare(_ base: ResultsDocument, _ new: ResultsDocument, maxRegression: Double) -> RunComparison {
        var figures: [Figure] = []
        figures += phases(base.endpoints, new.endpoints, kind: "endpoint", maxRegression)
        figures += phases(base.scenarios, new.scenarios, kind: "scenario", maxRegression)
        figures += capacities(base.capacity, new.capacity, maxRegression)
        figures += verdicts(base, new)
        return RunComparison(maxRegression: maxRegression, figures: figures)
    }

    /// Parses `10%`, `10` (percent) or `0.1%`; nil for anything else or a negative value.
    public static func threshold(_ text: String) -> Double? {
        let trimmed = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let percent = Double(trimmed), percent.isFinite, percent >= 0, percent <= 10_000 else { return nil }
        return percent / 100
    }

    static func phases(_ base: [LoadPhase], _ new: [LoadPhase], kind: String, _ limit: Double) -> [Figure] {
        var figures: [Figure] = []
        for old in base {
            let subject = "\(kind) \(old.name)"
            guard let now = new.first(where: { $0.name == old.name }) else {
                figures.append(Figure(subject: subject, figure: "all", base: "measured", new: "—", change: nil, verdict: .removed))
                continue
            }
            let (b, n) = (old.measurement, now.measurement)
            for (name, bv, nv) in [("p50", b.p50, n.p50), ("p95", b.p95, n.p95), ("p99", b.p99, n.p99)] {
                figures.append(figure(subject, name, bv, nv, .higherIsWorse, limit, show: ReportFormat.ms))
            }
            figures.append(figure(subject, "rps", b.rps, n.rps, .lowerIsWorse, limit, show: { "\(ReportFormat.rps($0)) req/s" }))
            var errors = figure(subject, "error rate", b.errorRate, n.errorRate, .higherIsWorse, limit, show: ReportFormat.rate)
            if errors.verdict == .regression && n.errorRate - b.errorRate < 0.001 { errors.verdict = .worse }
            figures.append(errors)
        }
        for now in new where !base.contains(where: { $0.name == now.name }) {
            figures.append(Figure(subject: "\(kind) \(now.name)", figure: "all", base: "—", new: "measured", change: nil, verdict: .added))
        }
        return figures
    }

    static func capacities(_ base: [Capacity], _ new: [Capacity], _ limit: Double) -> [Figure] {
        var figures: [Figure] = []
        let show = { (value: Double) in "\(ReportFormat.rps(value)) req/s" }
        for old in base {
            let subject = "capacity \(old.subject)"
            guard let now = new.first(where: { $0.subject == old.subject }) else {
                figures.append(Figure(subject: subject, figure: "all", base: "measured", new: "—", change: nil, verdict: .removed))
                continue
            }
            switch (old.sustainedRPS, now.sustainedRPS) {
            case (let b?, let n?):
                figures.append(figure(subject, "sustained", b, n, .lowerIsWorse, limit, show: show))
            case (let b?, nil):
                figures.append(Figure(subject: subject, figure: "sustained", base: show(b), new: "none held", change: nil, verdict: .regression))
            case (nil, let n?):
                figures.append(Figure(subject: subject, figure: "sustained", base: "none held", new: show(n), change: nil, verdict: .improved))
            case (nil, nil):
                figures.append(Figure(subject: subject, figure: "sustained", base: "none held", new: "none held", change: nil, verdict: .unchanged))
            }
            figures.append(figure(subject, "peak", old.peakRPS, now.peakRPS, .lowerIsWorse, limit, show: show))
        }
        for now in new where !base.contains(where: { $0.subject == now.subject }) {
            figures.append(Figure(subject: "capacity \(now.subject)", figure: "all", base: "—", new: "measured", change: nil, verdict: .added))
        }
        return figures
    }

    /// The overall verdict always; a single verdict only when it changed. Target names carry
    /// their measurement (`… — measured 7.1 ms`), which is cut off to match them across runs.
    static func verdicts(_ base: ResultsDocument, _ new: ResultsDocument) -> [Figure] {
        func word(_ passed: Bool) -> String { passed ? "passed" : "failed" }
        let overall = base.passed == new.passed ? Figure.Verdict.unchanged : new.passed ? .improved : .regression
        var figures = [Figure(subject: "verdict", figure: "run", base: word(base.passed), new: word(new.passed), change: nil, verdict: overall)]
        func key(_ suite: ResultsDocument.Suite, _ result: ResultsDocument.Case) -> String {
            "\(suite.name)\u{0}\(result.name.components(separatedBy: " — measured ")[0])"
        }
        var before: [String: CaseOutcome] = [:]
        for suite in base.suites {
            for result in suite.cases { before[key(suite, result)] = result.outcome }
        }
        for suite in new.suites {
            for result in suite.cases {
                guard let old = before[key(suite, result)], old != result.outcome else { continue }
                let held = { (outcome: CaseOutcome) in outcome == .passed || outcome == .skipped }
                let verdict: Figure.Verdict = held(old) && !held(result.outcome) ? .regression : held(result.outcome) && !held(old) ? .improved : .worse
                let name = result.name.components(separatedBy: " — measured ")[0]
                figures.append(Figure(
                    subject: "verdict \(suite.name)", figure: name, base: old.rawValue, new: result.outcome.rawValue, change: nil, verdict: verdict))
            }
        }
        return figures
    }

    static func figure(
        _ subject: String, _ name: String, _ base: Double, _ new: Double, _ direction: Direction, _ limit: Double, show: (Double) -> String
    ) -> Figure {
        let change: Double? = base != 0 && base.isFinite && new.isFinite ? (new - base) / base : nil
        let worse = direction == .higherIsWorse ? new > base : new < base
        let better = direction == .higherIsWorse ? new < base : new > base
        let beyond: Bool
        if let change {
            beyond = abs(change) > limit
        } else {
            // From zero: any rise is beyond every relative threshold.
            beyond = new != base
        }
        let verdict: Figure.Verdict = worse ? (beyond ? .regression : .worse) : better ? .improved : .unchanged
        return Figure(subject: subject, figure: name, base: show(base), new: show(new), change: change, verdict: verdict)
    }
}
