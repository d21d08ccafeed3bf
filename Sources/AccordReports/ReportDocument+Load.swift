import AccordResults

/// The measured sections: single-request performance, capacity, scenarios, resources.
extension ReportDocument {
    static let measurementHeader = ["Requests", "RPS", "p50", "p90", "p95", "p99", "p99.9", "max", "Errors"]

    static func measurementCells(_ m: LoadPhase.Measurement) -> [String] {
        [String(m.requests), ReportFormat.throughput(m)] + ReportFormat.latencies(m) + [ReportFormat.rate(m.errorRate)]
    }

    static func performance(_ report: ResultsDocument) -> Section {
        let title = "Single-Request Performance"
        guard !report.endpoints.isEmpty else {
            return Section(id: "performance", title: title, blocks: [.text("No endpoint was loaded.")])
        }
        var blocks: [Block] = [
            .text(
                "Each endpoint with targets under its own load. Latency of a closed model is not corrected: each connection sends again when answered, so a server stall delays the next sends instead of showing in the figures (coordinated omission); only an open model (a stated arrival rate) counts from each request's intended send time."),
            .table(Table(
                header: ["Endpoint", "Load", "Latency"] + measurementHeader,
                rows: report.endpoints.map { [$0.name, $0.loadAndConnections, $0.latencyBasis] + measurementCells($0.measurement) })),
            .heading("Server-Timing breakdown"),
        ]
        let timing = report.endpoints.flatMap { phase in
            timingOrder(phase.serverTiming.keys).compactMap { key -> [String]? in
                guard let histogram = phase.serverTiming[key], histogram.totalCount > 0 else { return nil }
                let cells = [50.0, 95, 99].map { ReportFormat.ms(ReportFormat.ms(micros: histogram.value(atPercentile: $0))) }
                return [phase.name, key] + cells
            }
        }
        blocks.append(timing.isEmpty
            ? .text("The server reported no Server-Timing phases.")
            : .table(Table(header: ["Endpoint", "Phase", "p50", "p95", "p99"], rows: timing)))
        let errors = report.endpoints.flatMap { phase in
            phase.errorsByKind.keys.sorted().map { [phase.name, $0, String(phase.errorsByKind[$0] ?? 0)] }
        }
        if !errors.isEmpty {
            blocks.append(.heading("Errors by kind"))
            blocks.append(.table(Table(header: ["Endpoint", "Kind", "Count"], rows: errors)))
        }
        blocks += withoutAnswer(report.endpoints)
        blocks += singleRequests(report)
        for (index, phase) in report.endpoints.enumerated() {
            blocks.append(.chart(ReportCharts.spectrum(of: phase, id: ReportCharts.id("spectrum-endpoint", index, phase.name))))
        }
        for (index, phase) in report.endpoints.enumerated() {
            blocks.append(.chart(ReportCharts.timeline(of: phase, id: ReportCharts.id("timeline-endpoint", index, phase.name))))
        }
        return Section(id: "performance", title: title, blocks: blocks)
    }

    /// Requests that never got an answer, per phase that had any: timed out, still in flight
    /// when the phase's drain ended, and — where a schedule said when to send — due but never
    /// sent because the generator fell behind. Above 5% never sent, the phase's figures are
    /// a floor, and the report says so.
    static func withoutAnswer(_ phases: [LoadPhase]) -> [Block] {
        let rows = phases.filter { $0.unanswered > 0 || ($0.behind ?? 0) > 0 }.map { phase in
            [
                phase.name, String(phase.errorsByKind["timeout", default: 0]), String(phase.errorsByKind["unanswered", default: 0]),
                phase.behind.map { "\($0) of \(phase.planned) (\(ReportFormat.rate(phase.behindShare)))" } ?? "— (closed model)",
            ]
        }
        guard !rows.isEmpty else { return [] }
        var blocks: [Block] = [
            .heading("Requests without an answer"),
            .table(Table(header: ["Phase", "Timed out", "In flight at the end", "Due, never sent"], rows: rows)),
        ]
        for phase in phases where phase.behindShare > floorShare {
            blocks.append(.text(
                "⚠️ \(phase.name): the generator fell behind, \(ReportFormat.rate(phase.behindShare)) of the planned requests were never sent: its figures are a floor, measured under less load than was asked for."))
        }
        return blocks
    }

    /// Beyond this share of planned requests never sent, figures are a floor.
    static let floorShare = 0.05

    /// A step's requests due but never sent (a step that lost more than 5% of its schedule
    /// cannot hold: it did not achieve 95% of the offered rate).
    static func neverSent(_ step: Capacity.Step) -> String { step.behind.map(String.init) ?? "—" }

    /// db, redis, app first (the vendor's breakdown), then anything else the server sent.
    static func timingOrder(_ keys: some Collection<String>) -> [String] {
        let known = ["db", "redis", "app"]
        return known.filter(keys.contains) + keys.filter { !known.contains($0) }.sorted()
    }

    static func capacity(_ report: ResultsDocument) -> Section {
        let title = "Throughput Capacity"
        guard !report.capacity.isEmpty else {
            return Section(id: "capacity", title: title, blocks: [.text("No capacity search was run.")] + verdicts(report, suite: "capacity"))
        }
        var blocks: [Block] = [
            .text("Constant arrival rates stepped up until p99 or the error budget broke. Sustained: the highest rate held for a whole step with p99 within target and under 1% errors; peak: the highest throughput reached."),
            .table(Table(
                header: ["Subject", "Sustained", "Peak", "p99 target", "Note"],
                rows: report.capacity.map { c in
                    [
                        c.subject, c.sustainedRPS.map { "\(ReportFormat.rps($0)) req/s" } ?? "none held",
                        "\(ReportFormat.rps(c.peakRPS)) req/s", ReportFormat.ms(c.p99Target),
                        c.generatorBound ? "⚠️ generator-bound: the figures are floors"
                            : !c.steps.isEmpty && c.steps.allSatisfy(\.held) ? "every step held: capacity is at least this" : "",
                    ]
                })),
            .chart(ReportCharts.capacity(report.capacity, id: "capacity-curve")),
        ]
        blocks += verdicts(report, suite: "capacity")
        for c in report.capacity {
            blocks.append(.heading("Steps: \(c.subject)"))
            blocks.append(c.steps.isEmpty ? .text("No steps recorded.") : .table(Table(
                header: ["Offered", "Achieved", "p50", "p99", "Errors", "No answer", "Never sent", "Held"],
                rows: c.steps.map { s in
                    [
                        ReportFormat.rps(s.offeredRPS), ReportFormat.rps(s.achievedRPS), ReportFormat.ms(s.p50), ReportFormat.ms(s.p99),
                        ReportFormat.rate(s.errorRate), s.unanswered.map(String.init) ?? "—", neverSent(s), s.held ? "✅" : "❌",
                    ]
                })))
        }
        return Section(id: "capacity", title: title, blocks: blocks)
    }

    static func scenarios(_ report: ResultsDocument) -> Section {
        let title = "Scenario Results"
        guard !report.scenarios.isEmpty else {
            return Section(id: "scenarios", title: title, blocks: [.text("No scenarios were run.")] + verdicts(report, suite: "scenarios"))
        }
        var blocks: [Block] = [
            .table(Table(
                header: ["Scenario", "Load", "Seconds", "Latency"] + measurementHeader + ["Server afterwards"],
                rows: report.scenarios.map { s in
                    let health = s.healthyAfterwards.map { $0 ? "✅ healthy" : "❌ down" } ?? "not checked"
                    return [s.name, s.loadAndConnections, ReportFormat.short(s.seconds), s.latencyBasis] + measurementCells(s.measurement) + [health]
                }))
        ]
        blocks += withoutAnswer(report.scenarios)
        blocks += verdicts(report, suite: "scenarios")
        for (index, scenario) in report.scenarios.enumerated() {
            blocks.append(.heading("Scenario \(scenario.name): per endpoint"))
            blocks.append(scenario.endpoints.isEmpty ? .text("No per-endpoint figures.") : .table(Table(
                header: ["Endpoint"] + measurementHeader,
                rows: scenario.endpoints.map { [$0.name] + measurementCells($0.measurement) })))
            blocks.append(.chart(ReportCharts.spectrum(of: scenario, id: ReportCharts.id("spectrum-scenario", index, scenario.name))))
            blocks.append(.chart(ReportCharts.timeline(of: scenario, id: ReportCharts.id("timeline-scenario", index, scenario.name))))
        }
        return Section(id: "scenarios", title: title, blocks: blocks)
    }

    static func resources(_ report: ResultsDocument) -> Section {
        let title = "Resource Utilization"
        let phases = (report.endpoints.map { ("endpoint", $0) } + report.scenarios.map { ("scenario", $0) })
            .filter { !$1.resources.isEmpty }
        guard !phases.isEmpty else {
            return Section(id: "resources", title: title, blocks: [.text("No resource samples were taken.")])
        }
        var blocks: [Block] = [
            .text("Sampled every second while loading; each cell is mean / max over the phase. CPU in percent of one core."),
            .table(Table(
                header: ["Phase", "Load", "Samples", "Server CPU %", "Server RSS MiB", "Generator CPU %", "Redis clients", "Redis memory MiB"],
                rows: phases.map { _, phase in
                    let r = phase.resources
                    return [
                        phase.name, phase.load, String(r.count), ReportFormat.meanMax(r.compactMap(\.serverCPU)),
                        ReportFormat.meanMax(r.compactMap(\.serverRSSMiB)), ReportFormat.meanMax(r.compactMap(\.generatorCPU)),
                        ReportFormat.meanMax(r.compactMap { $0.redisClients.map(Double.init) }),
                        ReportFormat.meanMax(r.compactMap(\.redisMemoryMiB)),
                    ]
                })),
            .heading("PostgreSQL connections by state"),
        ]
        let states = Set(phases.flatMap { $1.resources.flatMap { $0.postgresConnections?.keys.map { $0 } ?? [] } }).sorted()
        if states.isEmpty {
            blocks.append(.text("PostgreSQL connections were not sampled."))
        } else {
            blocks.append(.table(Table(
                header: ["Phase"] + states,
                rows: phases.map { _, phase in
                    let sampled = phase.resources.compactMap(\.postgresConnections)
                    // A state absent from a sample had no connections in it.
                    return [phase.name] + states.map { state in
                        ReportFormat.meanMax(sampled.map { Double($0[state] ?? 0) })
                    }
                })))
        }
        for (index, (kind, phase)) in phases.enumerated() {
            blocks.append(.chart(ReportCharts.resources(of: phase, id: ReportCharts.id("resources-\(kind)", index, phase.name))))
        }
        return Section(id: "resources", title: title, blocks: blocks)
    }
}

extension LoadPhase {
    /// How the phase was driven and how it reached the server: "50 connections, closed model;
    /// HTTP/2, 5 connections opened, 5 TLS handshakes (mean 3.1 ms, max 4.0 ms)".
    var loadAndConnections: String {
        guard let connections else { return load }
        return load + "; " + connections.description
    }
}
