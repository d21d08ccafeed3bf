import AccordChecks
import AccordResults

/// How the reports write numbers: the same units as the target names (`TargetEvaluation.show`),
/// and digits computed by hand so the output never depends on a locale.
enum ReportFormat {
    static func ms(_ value: Double) -> String { TargetEvaluation.show(value, .p50) }
    static func rps(_ value: Double) -> String { TargetEvaluation.show(value, .rps) }
    static func rate(_ value: Double) -> String { TargetEvaluation.show(value, .errorRate) }

    /// A histogram value (µs) in milliseconds.
    static func ms(micros: UInt64) -> Double { Double(micros) / 1000 }

    /// `value` with exactly `decimals` digits after the point (`-` when not finite).
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "-" }
        var factor = 1.0
        for _ in 0..<decimals { factor *= 10 }
        let bounded = min(max(value, -9e15 / factor), 9e15 / factor)
        let scaled = Int64((bounded * factor).rounded())
        let negative = scaled < 0
        let digits = String(negative ? -scaled : scaled)
        guard decimals > 0 else { return (negative ? "-" : "") + digits }
        let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
        let point = padded.index(padded.endIndex, offsetBy: -decimals)
        return (negative ? "-" : "") + padded[..<point] + "." + padded[point...]
    }

    /// Short and readable: `12`, `3.5`, `0.25` — for axis ticks and table cells.
    static func short(_ value: Double) -> String {
        let magnitude = abs(value)
        let text = fixed(value, magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3)
        guard text.contains(".") else { return text }
        var trimmed = Substring(text)
        while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        return trimmed == "-0" ? "0" : String(trimmed)
    }

    static func seconds(_ value: Double) -> String { short(value) + " s" }

    /// `mean / max` of the present values, or `—` when none was sampled.
    static func meanMax(_ values: [Double], unit: String = "") -> String {
        guard let maximum = values.max() else { return "—" }
        let mean = values.reduce(0, +) / Double(values.count)
        return "\(short(mean)) / \(short(maximum))\(unit)"
    }

    static func mark(_ outcome: CaseOutcome) -> String {
        switch outcome {
        case .passed: return "✅"
        case .failed: return "❌"
        case .error: return "⚠️"
        case .skipped: return "➖"
        }
    }

    /// The latency figures a phase is judged on, in table order.
    static func latencies(_ m: LoadPhase.Measurement) -> [String] {
        [m.p50, m.p90, m.p95, m.p99, m.p999, m.max].map(ms)
    }

    /// Throughput, with the generator-bound warning the targets table also uses.
    static func throughput(_ m: LoadPhase.Measurement) -> String {
        m.generatorBound ? "⚠️ ≥ \(rps(m.rps)) (generator-bound)" : rps(m.rps)
    }
}
