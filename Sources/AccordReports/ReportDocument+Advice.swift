import AccordChecks
import AccordResults

/// Recommendations (what would raise each endpoint's figures, from what limited it) and
/// Monitoring (what the server's metrics expose and what to alert on), as the vendor's report
/// has them — ours derived from the measurements.
extension ReportDocument {
    static func recommendations(_ report: ResultsDocument) -> Section {
        let advice = Recommendations.derive(report, cores: cores(report))
        return Section(id: "recommendations", title: "Performance Recommendations", blocks: [
            advice.isEmpty
                ? .text(report.endpoints.isEmpty ? "No endpoint was loaded." : "Nothing measured points to a limit: every endpoint held without exhausting a resource.")
                : .list(advice.map { [.text($0)] }),
            .text("Derived from the bottleneck analysis above; each points to a measurement in this report."),
        ])
    }

    static func monitoring(_ report: ResultsDocument) -> Section {
        let title = "Monitoring"
        guard let monitoring = report.monitoring else {
            return Section(id: "monitoring", title: title, blocks: [.text("No spec says where the server's metrics are (metrics: /metrics), so none were read.")])
        }
        guard !monitoring.families.isEmpty else {
            return Section(id: "monitoring", title: title, blocks: [.text("\(monitoring.source) exposed no metrics (\(monitoring.note ?? "empty")).")])
        }
        var blocks: [Block] = [
            .paragraph([.text("What "), .code(monitoring.source), .text(" exposed after the load:")]),
            .table(Table(header: ["Metric", "Type", "Labels", "Series", "Meaning"], rows: monitoring.families.map {
                [$0.name, $0.type, $0.labels.joined(separator: ", "), "\($0.series)", $0.help]
            })),
        ]
        let bounds = targetBounds(report)
        let alerts = MonitoringAdvice.alerts(monitoring, strictestP99Milliseconds: bounds.p99, errorRate: bounds.errorRate)
        if !alerts.isEmpty {
            blocks.append(.heading("What to alert on"))
            blocks.append(.table(Table(header: ["Metric", "Alert when (PromQL)", "Why"], rows: alerts.map { [$0.metric, $0.expression, $0.why] })))
        }
        return Section(id: "monitoring", title: title, blocks: blocks)
    }

    /// The machine's cores, from the environment facts (`CPU: …, 2 cores`); 1 when unknown.
    static func cores(_ report: ResultsDocument) -> Int {
        guard let cpu = report.environment.first(where: { $0.name == "CPU" })?.value,
            let words = cpu.components(separatedBy: ", ").last?.split(separator: " "), words.count == 2, words[1] == "cores"
        else { return 1 }
        return Int(words[0]) ?? 1
    }

    /// The strictest p99 target (ms) and error-rate target (a fraction) of the run's targets.
    static func targetBounds(_ report: ResultsDocument) -> (p99: Double?, errorRate: Double?) {
        var p99: Double?
        var errorRate: Double?
        for cell in targetCells(report) {
            guard let value = cell.bound else { continue }
            if cell.metric == "p99" { p99 = min(p99 ?? value, value) }
            if cell.metric == "error_rate" { errorRate = min(errorRate ?? value / 100, value / 100) }
        }
        return (p99, errorRate)
    }
}
