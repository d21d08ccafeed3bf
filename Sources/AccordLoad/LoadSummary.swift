/// The text `accord load` prints, wrk-style.
public enum LoadSummary {
    public static func render(_ result: LoadResult, url: String) -> String {
        let plan = result.plan
        var text = "Load of \(url) for \(describe(plan))\n"
        let recorder = result.recorder
        text += "  requests   \(recorder.completed) (\(format(result.rps, 1)) req/s), errors \(recorder.errorCount)"
        let kinds = LoadErrorKind.allCases.compactMap { kind in recorder.errors[kind].map { "\(kind.rawValue) \($0)" } }
        text += kinds.isEmpty ? "\n" : " (\(kinds.joined(separator: ", ")))\n"
        if case .open = plan.model {
            text += "  latency    " + percentiles(recorder.corrected) + "  (corrected: from each request's intended send time)\n"
            text += "  uncorrected " + percentiles(recorder.uncorrected) + "\n"
            if result.behind > 0 || result.maxLagMilliseconds > 100 {
                text += "  behind schedule: \(result.behind) requests never sent, a request waited up to \(format(result.maxLagMilliseconds, 1)) ms for a free connection\n"
            }
        } else {
            text += "  latency    " + percentiles(recorder.corrected) + "  (closed model, not corrected)\n"
        }
        for name in recorder.phases.keys.sorted() {
            if let histogram = recorder.phases[name] { text += "  server \(name)" + String(repeating: " ", count: max(1, 4 - name.count)) + percentiles(histogram) + "\n" }
        }
        if !result.protocols.isEmpty {
            text += "  connections \(result.connectionsOpened) opened, HTTP/" + result.protocols.joined(separator: " and HTTP/")
            if result.tlsHandshakes > 0 {
                text += ", \(result.tlsHandshakes) TLS handshakes (mean \(format(Double(result.handshakeMicroseconds) / Double(result.tlsHandshakes) / 1000, 1)) ms)"
            }
            text += "\n"
        }
        text += "  generator  \(format(result.generatorCores * 100, 0))% of a core"
        if result.generatorBound && recorder.succeeded > 0 {
            text += " — generator-bound: the server does at least \(format(result.answeredRPS, 0)) req/s\n"
        } else {
            text += "\n"
        }
        return text
    }

    /// How long and how hard: "10.0 s: 50 connections, 1 thread, closed model".
    public static func describe(_ plan: LoadPlan) -> String {
        let seconds = Double(plan.durationNanoseconds) / 1e9
        var model = "closed model"
        if case let .open(rate) = plan.model { model = "open model at \(format(rate, 0)) req/s" }
        return "\(format(seconds, 1)) s: \(plan.connections) connection\(plan.connections == 1 ? "" : "s"), \(plan.threads) thread\(plan.threads == 1 ? "" : "s"), \(model)"
    }

    static func percentiles(_ histogram: Histogram<UInt64>) -> String {
        guard histogram.totalCount > 0 else { return "no answers" }
        let points: [(String, Double)] = [("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99), ("p99.9", 99.9)]
        return points.map { "\($0.0) \(milliseconds(histogram.valueAtPercentile($0.1)))" }.joined(separator: "  ")
            + "  max \(milliseconds(histogram.max))"
    }

    static func milliseconds(_ microseconds: UInt64) -> String {
        format(Double(microseconds) / 1000, microseconds < 1_000 ? 3 : microseconds < 10_000 ? 2 : 1) + " ms"
    }

    static func format(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "-" }
        var factor = 1.0
        for _ in 0..<decimals { factor *= 10 }
        let rounded = (value * factor).rounded() / factor
        var text = String(rounded)
        if decimals == 0, text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}

import Histogram
