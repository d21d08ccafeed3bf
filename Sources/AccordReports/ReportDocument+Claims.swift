import AccordChecks
import AccordResults

/// The targets in the vendor's matrix layout (endpoint × p50/p95/p99/RPS) with the vendor's
/// claimed figures beside ours, and the claims one by one with whether each held.
extension ReportDocument {
    static let matrixMetrics = ["p50", "p95", "p99", "rps"]

    /// One verdict of the targets suite, read back from its name
    /// (`create_job p95 < 50 ms at 1,000 req/s — measured 7.1 ms …`).
    struct TargetCell {
        var subject: String
        var metric: String
        var target: String
        /// The target's bound as a number (ms, req/s, or percent for error_rate).
        var bound: Double?
        var measured: String
        var outcome: CaseOutcome
    }

    static func targetCells(_ report: ResultsDocument) -> [TargetCell] {
        (report.suite(named: "targets")?.cases ?? []).compactMap { result in
            let parts = result.name.components(separatedBy: " — measured ")
            let words = parts[0].split(separator: " ").map(String.init)
            guard words.count >= 4 else { return nil }
            let target = words[2...].joined(separator: " ").components(separatedBy: " at ")[0]
            let measured = parts.count == 2 ? parts[1].components(separatedBy: " (")[0] : "—"
            return TargetCell(
                subject: words[0], metric: words[1], target: target, bound: Double(words[3].filter { $0 != "," && $0 != "%" }), measured: measured,
                outcome: result.outcome)
        }
    }

    /// How a claim's figures read: milliseconds or requests per second.
    static func figure(_ claim: ClaimOutcome) -> (Double) -> String {
        claim.isLatency ? { ReportFormat.ms($0) } : { ReportFormat.rps($0) }
    }

    /// `~25 ms: 3.1 ms held ✅`, for one claim.
    static func claimText(_ claim: ClaimOutcome, withMetric: Bool = false) -> String {
        let show = figure(claim)
        let name = withMetric ? "\(claim.metric) " : ""
        let measured = claim.measured.map(show) ?? "—"
        let verdict = claim.held.map { $0 ? "held ✅" : "did not hold ❌" } ?? "not measured"
        return "\(name)~\(show(claim.claimed)): \(measured) \(verdict)"
    }

    /// Rows of target, measured and claimed per endpoint, as the vendor laid its targets out.
    static func targetMatrix(_ report: ResultsDocument) -> [Block] {
        let cells = targetCells(report).filter { matrixMetrics.contains($0.metric) }
        let claims = report.claims ?? []
        var subjects: [String] = []
        for cell in cells where !subjects.contains(cell.subject) { subjects.append(cell.subject) }
        guard !subjects.isEmpty else { return [] }
        var rows: [[String]] = []
        for subject in subjects {
            func cell(_ metric: String) -> TargetCell? { cells.first { $0.subject == subject && $0.metric == metric } }
            rows.append([subject, "target"] + matrixMetrics.map { cell($0)?.target ?? "—" })
            rows.append(["", "measured"] + matrixMetrics.map { metric in
                cell(metric).map { "\($0.measured) \(ReportFormat.mark($0.outcome))" } ?? "—"
            })
            let own = claims.filter { $0.subject == subject }
            if !own.isEmpty {
                rows.append(["", "claimed"] + matrixMetrics.map { metric in
                    let matching = own.filter { metric == "rps" ? !$0.isLatency : $0.metric == metric }
                    return matching.isEmpty ? "—" : matching.map { claimText($0, withMetric: metric == "rps") }.joined(separator: "; ")
                })
            }
        }
        return [
            .heading("Targets, measured and claimed"),
            .table(Table(header: ["Endpoint", "", "p50", "p95", "p99", "RPS"], rows: rows)),
            .text("Target: what the vendor promises (judged at the rate it states). Measured: ours, under that load; RPS by sustained capacity. Claimed: what the vendor says it measured (its Baseline Metrics) — latencies with one connection, one request at a time, capacities by our capacity search — and whether that held here. Claims are shown, not judged: only targets decide the verdict."),
        ]
    }

    /// Every claim, with where it was measured.
    static func claimsTable(_ report: ResultsDocument) -> [Block] {
        guard let claims = report.claims, !claims.isEmpty else { return [] }
        return [
            .heading("The vendor's claims"),
            .table(Table(header: ["Subject", "Metric", "Claimed", "Measured", "Where", "Held"], rows: claims.map { claim in
                let show = figure(claim)
                return [
                    claim.subject, claim.metric, "~" + show(claim.claimed), claim.measured.map(show) ?? "—", claim.basis,
                    claim.held.map { $0 ? "✅ held" : "❌ did not hold" } ?? "not measured: \(claim.note ?? "")",
                ]
            })),
        ]
    }

    /// The one-connection phases: the vendor's single-request figures measured as it states them.
    static func singleRequests(_ report: ResultsDocument) -> [Block] {
        guard let singles = report.singleRequest, !singles.isEmpty else { return [] }
        return [
            .heading("One request at a time (the vendor's single-request figures)"),
            .text("Each endpoint with latency claims alone, one connection sending its next request when the last is answered, before any other load."),
            .table(Table(header: ["Endpoint"] + measurementHeader, rows: singles.map { phase in
                [phase.name] + measurementCells(phase.measurement)
            })),
        ]
    }
}
