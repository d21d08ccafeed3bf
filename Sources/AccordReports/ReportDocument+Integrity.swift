import AccordResults

/// What the latency tables cannot show: bottlenecks, lost or duplicated jobs, faults.
extension ReportDocument {
    static func bottlenecks(_ report: ResultsDocument) -> Section {
        // Only what the runner derived from the measurements; the report adds no guesses.
        Section(id: "bottlenecks", title: "Bottleneck Analysis", blocks: [
            report.bottlenecks.isEmpty
                ? .text("None identified from the measurements.")
                : .list(report.bottlenecks.map { [.text($0)] })
        ])
    }

    static func reconciliation(_ report: ResultsDocument) -> Section {
        let title = "Reconciliation"
        guard !report.reconciliation.isEmpty else {
            return Section(id: "reconciliation", title: title, blocks: [.text("No acknowledged jobs were reconciled.")] + verdicts(report, suite: "reconciliation"))
        }
        return Section(id: "reconciliation", title: title, blocks: [
            .text("Every job acknowledged with 201, looked up afterwards: a row in PostgreSQL and one entry in a Redis stream."),
            .table(Table(
                header: ["Phase", "Acknowledged", "Lost (database)", "Lost (streams)", "Duplicated (database)", "Duplicated (streams)", "Verdict", "Note"],
                rows: report.reconciliation.map { r in
                    [
                        r.phase, String(r.acknowledged), String(r.lostInDatabase), String(r.lostInStreams), String(r.duplicatedInDatabase),
                        String(r.duplicatedInStreams), r.lost + r.duplicated == 0 ? "✅" : "❌", r.note ?? "",
                    ]
                })),
        ] + verdicts(report, suite: "reconciliation"))
    }

    static func reliability(_ report: ResultsDocument) -> Section {
        let title = "Reliability"
        guard !report.reliability.isEmpty else {
            return Section(id: "reliability", title: title, blocks: [.text("No faults were injected.")] + verdicts(report, suite: "reliability"))
        }
        return Section(id: "reliability", title: title, blocks: [
            .text("Faults applied during a scenario: recovery is from the fault's end until /health answered 200 again."),
            .table(Table(
                header: ["Scenario", "Fault", "At", "Recovery", "Requests during", "Error rate during", "Acknowledged", "Lost", "Duplicated"],
                rows: report.reliability.map { f in
                    [
                        f.scenario, f.fault, ReportFormat.seconds(f.atSecond), f.recoverySeconds.map(ReportFormat.seconds) ?? "❌ never",
                        String(f.requestsDuring), ReportFormat.rate(f.errorRateDuring), String(f.acknowledged),
                        f.lost == 0 ? "0" : "❌ \(f.lost)", f.duplicated == 0 ? "0" : "❌ \(f.duplicated)",
                    ]
                })),
        ] + verdicts(report, suite: "reliability"))
    }
}
