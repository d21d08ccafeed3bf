import AccordResults

/// The Scalability section: what each server instance of a booted run did (`instances`), and
/// with `--replicas N` one instance against N behind the same nginx (`scaling`). Documents
/// without `instances` (a `--target` run, or written before the field) have no such section.
///
/// ```
/// ## Scalability
/// 2 replicas of accord serve on one PostgreSQL and one Redis, behind one nginx.
/// | Instance | Requests | RPS over the load | Share | CPU | Peak RSS |
/// | job_status | one instance: 1,210 req/s | 2 replicas: 1,650 req/s | ×1.36 |
/// ```
extension ReportDocument {
    static func scalability(_ report: ResultsDocument) -> Section? {
        guard let instances = report.instances, !instances.isEmpty else { return nil }
        var blocks: [Block] = []
        if instances.count == 1 {
            blocks.append(.text(
                "One instance measured: one accord serve, reached directly (no proxy). Run with --replicas N to boot N behind nginx "
                    + "and measure one instance against N."))
        } else {
            blocks.append(.text(
                "\(instances.count) replicas of accord serve on one PostgreSQL and one Redis, behind one nginx (round robin, keep-alive "
                    + "to each); every request of the run went through nginx."))
        }
        blocks.append(.table(instanceTable(instances)))
        if instances.count > 1 { blocks += comparison(report, replicas: instances.count) }
        return Section(id: "scalability", title: "Scalability", blocks: blocks)
    }

    /// One row per instance: its figures over the load session.
    static func instanceTable(_ instances: [ResultsDocument.Instance]) -> Table {
        let total = instances.compactMap(\.requests).reduce(0, +)
        let rows = instances.map { instance -> [String] in
            let share = instance.requests.map { total > 0 ? ReportFormat.fixed(Double($0) / Double(total) * 100, 1) + "%" : "—" } ?? "—"
            return [
                "\(instance.index)\(instance.restarted ? " (restarted: since then)" : "")", instance.url, String(instance.pid),
                instance.requests.map(String.init) ?? "not read", instance.rps.map(ReportFormat.rps) ?? "—", share,
                instance.cpuSeconds.map { ReportFormat.fixed($0, 1) + " s" } ?? "—",
                instance.peakRSSMiB.map { ReportFormat.fixed($0, 1) + " MiB" } ?? "—",
            ]
        }
        return Table(
            header: ["Instance", "URL", "PID", "Requests", "RPS over the load", "Share", "CPU", "Peak RSS"], rows: rows)
    }

    /// One instance against N: the same capacity search, through the same nginx.
    static func comparison(_ report: ResultsDocument, replicas: Int) -> [Block] {
        guard let scaling = report.scaling else {
            return [.text(
                "One instance against \(replicas) was not measured: it is an endpoint's capacity search run again with one replica, "
                    + "and this run searched no endpoint's capacity (--no-capacity, or no p99 target).")]
        }
        let many = report.capacity.first { $0.subject == scaling.subject }
        func sustained(_ capacity: Capacity?) -> String {
            guard let capacity else { return "—" }
            let figure = capacity.sustainedRPS.map { ReportFormat.rps($0) + " req/s" } ?? "none sustained"
            return capacity.generatorBound ? figure + " (generator-bound: at least)" : figure
        }
        func ratio(_ one: Double?, _ all: Double?) -> String {
            guard let one, let all, one > 0 else { return "—" }
            return "×" + ReportFormat.fixed(all / one, 2)
        }
        let one = scaling.oneInstance
        let rows = [
            ["sustained", sustained(one), sustained(many), ratio(one.sustainedRPS, many?.sustainedRPS)],
            ["peak", ReportFormat.rps(one.peakRPS) + " req/s", many.map { ReportFormat.rps($0.peakRPS) + " req/s" } ?? "—",
             ratio(one.peakRPS, many?.peakRPS)],
        ]
        return [
            .heading("One instance against \(replicas): capacity of \(scaling.subject)"),
            .table(Table(header: ["Capacity", "1 instance (behind the same nginx)", "\(replicas) replicas", "\(replicas) ÷ 1"], rows: rows)),
            .text(
                "Both searches ran the same steps from the same start, through the same nginx and load generator on this machine; the "
                    + "subject is the endpoint with the lowest sustained capacity (the lowest peak when none sustained a rate). The servers, nginx, PostgreSQL, Redis and the load "
                    + "generator share this machine's cores: the ratio says what more replicas bought here, not how they scale on "
                    + "machines of their own."),
        ]
    }
}
