import AccordResults
import Foundation

/// The report's charts as values, from the measured phases. Pure; `SVGChart` draws them.
enum ReportCharts {
    /// Percentiles on the HdrHistogram axis: x = 1/(1-p), ten points a decade from 0% to 99.999%.
    static let spectrumPercentiles: [(percentile: Double, x: Double)] = (0...50).map { step in
        let x = pow(10, Double(step) / 10)
        return ((1 - 1 / x) * 100, x)
    }

    static let percentileTicks: [Chart.Tick] = [
        .init(value: 1, label: "0%"), .init(value: 10, label: "90%"), .init(value: 100, label: "99%"),
        .init(value: 1000, label: "99.9%"), .init(value: 10000, label: "99.99%"), .init(value: 100_000, label: "99.999%"),
    ]

    /// A stable, attribute-safe id: the prefix, the position, and the name's letters and digits.
    static func id(_ prefix: String, _ index: Int, _ name: String) -> String {
        let slug = String(name.lowercased().unicodeScalars.map { scalar -> Character in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "-"
        })
        return "\(prefix)-\(index)-\(slug)"
    }

    static func spectrumSeries(_ name: String, _ histogram: HistogramData, dashed: Bool = false) -> Chart.Series? {
        guard histogram.totalCount > 0 else { return nil }
        let points = spectrumPercentiles.map { entry in
            Chart.Point(x: entry.x, y: ReportFormat.ms(micros: histogram.value(atPercentile: entry.percentile)))
        }
        return Chart.Series(name: name, points: points, dashed: dashed)
    }

    /// Latency by percentile: corrected and uncorrected for an endpoint loaded at a rate; the
    /// one line of a closed model (its two histograms tell the same uncorrected story); the
    /// whole and each endpoint for a scenario.
    static func spectrum(of phase: LoadPhase, id: String) -> Chart {
        var series: [Chart.Series?]
        if phase.endpoints.isEmpty, phase.corrected {
            series = [
                spectrumSeries("corrected (from intended send time)", phase.latency),
                spectrumSeries("uncorrected (from actual send time)", phase.uncorrectedLatency, dashed: true),
            ]
        } else if phase.endpoints.isEmpty {
            series = [spectrumSeries(phase.latencyBasis, phase.latency)]
        } else {
            series = [spectrumSeries("all requests", phase.latency)]
            series += phase.endpoints.map { spectrumSeries($0.name, $0.latency) }
        }
        return Chart(
            id: id, kind: .latencySpectrum, title: "Latency by percentile: \(phase.name)",
            x: Chart.Axis(label: "percentile", scale: .log10, ticks: percentileTicks), y: Chart.Axis(label: "latency (ms)"),
            series: series.compactMap { $0 })
    }

    /// Requests per second (and errors, when any) on the left, p99 on the right.
    static func timeline(of phase: LoadPhase, id: String) -> Chart {
        let points = phase.series
        var series = [
            Chart.Series(name: "req/s", points: points.map { .init(x: Double($0.second), y: Double($0.requests)) }),
            Chart.Series(name: "p99 (ms)", points: points.map { .init(x: Double($0.second), y: $0.p99) }, dashed: true, onRightAxis: true),
        ]
        if points.contains(where: { $0.errors > 0 }) {
            series.append(Chart.Series(name: "errors/s", points: points.map { .init(x: Double($0.second), y: Double($0.errors)) }))
        }
        return Chart(
            id: id, kind: .timeline, title: "Throughput and p99 over time: \(phase.name)",
            x: Chart.Axis(label: "second"), y: Chart.Axis(label: "requests per second"), rightY: Chart.Axis(label: "p99 (ms)"),
            series: points.isEmpty ? [] : series)
    }

    /// Achieved throughput against p99, one line per subject, each p99 target dashed.
    static func capacity(_ subjects: [Capacity], id: String) -> Chart {
        let series = subjects.filter { !$0.steps.isEmpty }.map { c in
            Chart.Series(name: c.subject, points: c.steps.map { .init(x: $0.achievedRPS, y: max($0.p99, 0.001)) })
        }
        var rules: [Chart.Rule] = []
        for c in subjects where !rules.contains(where: { $0.y == c.p99Target }) && c.p99Target > 0 {
            let sharing = subjects.filter { $0.p99Target == c.p99Target }.map(\.subject)
            rules.append(Chart.Rule(y: c.p99Target, tag: ReportFormat.ms(c.p99Target), label: "p99 target \(ReportFormat.ms(c.p99Target)) (\(sharing.joined(separator: ", ")))"))
        }
        return Chart(
            id: id, kind: .capacity, title: "Capacity: achieved throughput against p99",
            x: Chart.Axis(label: "achieved requests per second"), y: Chart.Axis(label: "p99 (ms)", scale: .log10),
            series: series, rules: rules)
    }

    /// CPU on the left (percent of one core), memory on the right; only what was sampled.
    static func resources(of phase: LoadPhase, id: String) -> Chart {
        let samples = phase.resources
        func line(_ name: String, right: Bool = false, dashed: Bool = false, _ value: (LoadPhase.ResourceSample) -> Double?) -> Chart.Series? {
            let points = samples.compactMap { sample in value(sample).map { Chart.Point(x: Double(sample.second), y: $0) } }
            return points.isEmpty ? nil : Chart.Series(name: name, points: points, dashed: dashed, onRightAxis: right)
        }
        let series = [
            line("server CPU %") { $0.serverCPU },
            line("generator CPU %") { $0.generatorCPU },
            line("server RSS MiB", right: true, dashed: true) { $0.serverRSSMiB },
            line("Redis memory MiB", right: true, dashed: true) { $0.redisMemoryMiB },
        ].compactMap { $0 }
        return Chart(
            id: id, kind: .resources, title: "Resources over time: \(phase.name)",
            x: Chart.Axis(label: "second"), y: Chart.Axis(label: "CPU (% of one core)"),
            rightY: series.contains(where: \.onRightAxis) ? Chart.Axis(label: "memory (MiB)") : nil, series: series)
    }
}
