import AccordChecks
import AccordResults

/// The sections of both reports, in the order of the vendor's baseline: summary, environment,
/// targets, single-request performance, capacity, scenarios, resources, bottlenecks,
/// recommendations, monitoring, reconciliation, reliability, functional contract, validation status, reproduce.
extension ReportDocument {
    /// The suites that are not functional spec files (see `ResultsDocument.suites`).
    static let verdictSuites: Set<String> = ["targets", "scenarios", "capacity", "reconciliation", "reliability"]

    /// The section ids, in order; tests and `scripts/check-report-html.sh` look for each.
    static let sectionIDs = [
        "summary", "environment", "targets", "performance", "capacity", "scenarios", "resources", "bottlenecks",
        "recommendations", "monitoring", "reconciliation", "reliability", "functional", "validation", "reproduce",
    ]

    init(_ report: ResultsDocument) {
        var system = "Accord Engine Control Plane at \(report.target)"
        if report.booted { system += " (the reference server, booted for this run)" }
        self.init(
            title: "Performance Baseline Report — verified",
            header: [
                [.strong("Date:"), .text(" \(report.date)")],
                [.strong("System:"), .text(" \(system)")],
            ],
            passed: report.passed,
            sections: [
                Self.summary(report), Self.environment(report), Self.targets(report), Self.performance(report),
                Self.capacity(report), Self.scenarios(report), Self.resources(report), Self.bottlenecks(report),
                Self.recommendations(report), Self.monitoring(report), Self.reconciliation(report), Self.reliability(report), Self.functional(report), Self.validation(report),
                Self.reproduce(report),
            ])
        // Only documents with `instances` have it (ReportDocument+Scalability.swift): after capacity.
        if let scalability = Self.scalability(report) {
            let index = sections.firstIndex { $0.id == "capacity" }.map { $0 + 1 } ?? sections.endIndex
            sections.insert(scalability, at: index)
        }
    }

    static func functionalSuites(_ report: ResultsDocument) -> [ResultsDocument.Suite] {
        report.suites.filter { !verdictSuites.contains($0.name) }
    }

    static func counts(_ suites: [ResultsDocument.Suite]) -> (passed: Int, failed: Int, errors: Int, skipped: Int) {
        let cases = suites.flatMap(\.cases)
        func count(_ outcome: CaseOutcome) -> Int { cases.filter { $0.outcome == outcome }.count }
        return (count(.passed), count(.failed), count(.error), count(.skipped))
    }

    static func summary(_ report: ResultsDocument) -> Section {
        var items: [[Span]] = []
        for warning in report.warnings ?? [] { items.append([.strong("Warning:"), .text(" \(warning).")]) }
        if report.targetUnreachable {
            items.append([.strong("The target could not be reached:"), .text(" nothing below was measured against it.")])
        }
        let functional = counts(functionalSuites(report))
        items.append([.text(
            "Functional contract: \(functional.passed) passed, \(functional.failed) failed, \(functional.errors) errors, \(functional.skipped) skipped."
        )])
        if let targets = report.suite(named: "targets") {
            items.append([.text(
                "Performance targets: \(targets.count(.passed)) met, \(targets.count(.failed)) missed, \(targets.count(.error)) not measurable (generator-bound)."
            )])
        }
        for capacity in report.capacity {
            let sustained = capacity.sustainedRPS.map { "\(ReportFormat.rps($0)) req/s sustained" } ?? "no rate sustained"
            let floor = capacity.generatorBound ? " (generator-bound: at least)" : ""
            items.append([.text("Capacity of \(capacity.subject): \(sustained), \(ReportFormat.rps(capacity.peakRPS)) req/s peak\(floor).")])
        }
        if !report.scenarios.isEmpty {
            let healthy = report.scenarios.filter { $0.healthyAfterwards == true }.count
            items.append([.text("Scenarios: \(report.scenarios.count) run, the server healthy after \(healthy) of them.")])
        }
        if !report.reconciliation.isEmpty {
            let acknowledged = report.reconciliation.reduce(0) { $0 + $1.acknowledged }
            let lost = report.reconciliation.reduce(0) { $0 + $1.lost }
            let duplicated = report.reconciliation.reduce(0) { $0 + $1.duplicated }
            items.append([.text("Reconciliation: \(acknowledged) acknowledged jobs checked, \(lost) lost, \(duplicated) duplicated.")])
        }
        if !report.reliability.isEmpty {
            let recovered = report.reliability.filter { $0.recoverySeconds != nil }.count
            items.append([.text("Faults: \(report.reliability.count) injected, recovered from \(recovered).")])
        }
        if !report.profile.isEmpty { items.append([.text("Load profile "), .code(report.profile), .text(".")]) }
        return Section(id: "summary", title: "Executive Summary", blocks: [
            .paragraph([.strong("Verdict:"), .text(report.passed ? " ✅ PASSED" : report.targetUnreachable ? " ❌ FAILED (target unreachable)" : " ❌ FAILED")]),
            .list(items),
        ] + levels(report))
    }

    /// The verdict per conformance level: core (the vendor's documented API and targets),
    /// strict (rules the API implies), extended (the reference server's additions).
    static func levels(_ report: ResultsDocument) -> [Block] {
        guard let levels = report.levels, !levels.isEmpty else { return [] }
        let meaning = ["core": "the vendor's documented API and targets", "strict": "rules the API implies", "extended": "the reference server's additions"]
        return [
            .heading("Verdict by level"),
            .table(Table(header: ["Level", "What it covers", "Verdict", "Passed", "Failed", "Errors", "Skipped"], rows: levels.map { level in
                let mark = level.verdict == "NOT RUN" ? (level.selected ? "not run" : "not selected") : level.held ? "✅ PASSED" : "❌ FAILED"
                return [level.level, meaning[level.level] ?? "", mark, "\(level.passed)", "\(level.failed)", "\(level.errors)", "\(level.skipped)"]
            })),
        ]
    }

    static func environment(_ report: ResultsDocument) -> Section {
        // The seeded volume is part of what the load met, so it sits with the machine's facts.
        let seeded = (report.seeding?.lines ?? []).map { ["Seeded data", $0] }
        guard !report.environment.isEmpty || !seeded.isEmpty else {
            return Section(id: "environment", title: "Test Environment", blocks: [.text("No environment facts were recorded.")])
        }
        return Section(id: "environment", title: "Test Environment", blocks: [
            .table(Table(header: ["Fact", "Value"], rows: report.environment.map { [$0.name, $0.value] } + seeded))
        ] + shards(report))
    }

    static func targets(_ report: ResultsDocument) -> Section {
        let title = "Performance Targets vs Measured"
        guard let suite = report.suite(named: "targets"), !suite.cases.isEmpty else {
            return Section(id: "targets", title: title, blocks: [.text("No targets in the specs.")])
        }
        let rows = suite.cases.map { result -> [String] in
            // Target names read `create_job p95 < 50 ms — measured 7.1 ms` (TargetEvaluation).
            let parts = result.name.components(separatedBy: " — measured ")
            let measured = parts.count == 2 ? parts[1] : "—"
            var verdict = ReportFormat.mark(result.outcome)
            if result.outcome == .error { verdict += " \(result.reason ?? "not measurable")" }
            return [parts[0], measured, verdict]
        }
        return Section(id: "targets", title: title, blocks: targetMatrix(report) + [
            .heading("Every target"),
            .table(Table(header: ["Target", "Measured", "Verdict"], rows: rows)),
            .text("✅ met · ❌ missed · ⚠️ generator-bound: the load generator, not the server, was the limit, so the figure is a floor."),
        ] + claimsTable(report))
    }

    static func functional(_ report: ResultsDocument) -> Section {
        let suites = functionalSuites(report)
        guard !suites.isEmpty else {
            return Section(id: "functional", title: "Functional Contract", blocks: [.text("No functional checks were run.")])
        }
        var items: [[Span]] = []
        for suite in suites {
            var line = "\(suite.count(.passed)) passed"
            if suite.count(.failed) > 0 { line += ", \(suite.count(.failed)) failed" }
            if suite.count(.error) > 0 { line += ", \(suite.count(.error)) errors" }
            if suite.count(.skipped) > 0 { line += ", \(suite.count(.skipped)) skipped" }
            items.append([.strong(suite.name), .text(" ("), .code(suite.file), .text("): \(line)")])
        }
        var blocks: [Block] = [.list(items)]
        // The other suites' verdicts stand in their own sections.
        let broken = suites.flatMap { suite in
            suite.cases.filter { $0.outcome == .failed || $0.outcome == .error }.map { (suite.name, $0) }
        }
        if !broken.isEmpty {
            blocks.append(.heading("Failed cases"))
            // A level column when the document has levels (documents from before them have none).
            let levelled = broken.contains { $0.1.level != nil }
            blocks.append(.table(Table(header: (levelled ? ["Level"] : []) + ["Suite", "Case", "Where", "What"], rows: broken.map { suite, result in
                (levelled ? [result.level ?? ""] : []) + [suite, "\(ReportFormat.mark(result.outcome)) \(result.name)", result.location, why(result)]
            })))
        }
        return Section(id: "functional", title: "Functional Contract", blocks: blocks)
    }

    /// What went wrong with a verdict: the first broken expectation, or why it could not run.
    static func why(_ result: ResultsDocument.Case) -> String {
        result.failures.first.map { "\($0.message): expected \($0.expected), got \($0.actual)" } ?? result.reason ?? ""
    }

    /// A verdict suite's cases as a list under a heading; nothing when the suite is empty.
    static func verdicts(_ report: ResultsDocument, suite name: String) -> [Block] {
        guard let suite = report.suite(named: name), !suite.cases.isEmpty else { return [] }
        return [
            .heading("Verdicts"),
            .list(suite.cases.map { result in
                let detail = result.outcome == .failed || result.outcome == .error ? " — \(why(result))" : ""
                return [.text("\(ReportFormat.mark(result.outcome)) \(result.name)\(detail)")]
            }),
        ]
    }

    static func validation(_ report: ResultsDocument) -> Section {
        func status(_ suiteName: String, _ what: String, ran: Bool) -> [Span] {
            guard ran else { return [.text("⏳ Not run: \(what).")] }
            let suite = report.suite(named: suiteName)
            let broken = (suite?.count(.failed) ?? 0) + (suite?.count(.error) ?? 0)
            return [.text(broken == 0 ? "✅ \(what)." : "❌ \(what): \(plural(broken, "verdict")) did not hold.")]
        }
        let functional = counts(functionalSuites(report))
        let functionalRan = functional.passed + functional.failed + functional.errors > 0
        let functionalBroken = functional.failed + functional.errors
        let items: [[Span]] = [
            [.text(
                !functionalRan ? "⏳ Not run: the functional contract."
                    : functionalBroken == 0 ? "✅ Functional contract checked: every case of the specs, side effects verified."
                    : "❌ Functional contract checked: \(plural(functionalBroken, "case")) did not hold.")],
            status("targets", "Per-endpoint targets measured on this machine", ran: !report.endpoints.isEmpty),
            status("scenarios", "The vendor's scenarios run", ran: !report.scenarios.isEmpty),
            status("capacity", "Capacity searched (sustained and peak)", ran: !report.capacity.isEmpty),
            [.text(report.endpoints.contains { !$0.resources.isEmpty } || report.scenarios.contains { !$0.resources.isEmpty }
                ? "✅ Resource utilization sampled while loading." : "⏳ Not run: resource sampling.")],
            status("reconciliation", "Acknowledged jobs reconciled with PostgreSQL and Redis", ran: !report.reconciliation.isEmpty),
            status("reliability", "Faults injected and recovery measured", ran: !report.reliability.isEmpty),
        ]
        return Section(id: "validation", title: "Validation Status", blocks: [.list(items)])
    }

    static func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    static func reproduce(_ report: ResultsDocument) -> Section {
        var blocks: [Block] = [.code(report.command)]
        if report.specFiles.isEmpty {
            blocks.append(.text("No spec file digests were recorded."))
        } else {
            blocks.append(.text("The spec files, as run:"))
            blocks.append(.table(Table(header: ["Spec file", "SHA-256"], rows: report.specFiles.map { [$0.path, $0.sha256] })))
        }
        return Section(id: "reproduce", title: "Reproduce", blocks: blocks)
    }
}
