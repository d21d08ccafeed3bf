import AccordResults

/// What limited each load phase, in words, from what was measured: the generator's and the
/// server's CPU against the machine's cores, where the server's own time went (Server-Timing),
/// PostgreSQL backends busy, and the errors seen. Derived only from the phases; says
/// nothing it cannot point to. Pure.
public enum BottleneckAnalysis {
    public static func derive(phases: [LoadPhase], cores: Int) -> [String] {
        phases.compactMap { statement(for: $0, cores: cores) }
    }

    public static func statement(for phase: LoadPhase, cores: Int) -> String? {
        var reasons: [String] = []
        let available = Double(max(1, cores)) * 100
        let server = mean(phase.resources.compactMap(\.serverCPU))
        let generator = mean(phase.resources.compactMap(\.generatorCPU))
        if phase.measurement.generatorBound {
            reasons.append("the load generator kept its core busy: \(Int(phase.measurement.rps.rounded())) req/s is a floor, not the server's ceiling")
        }
        if let server, let generator, server + generator >= 0.85 * available {
            reasons.append(
                "the machine's CPU was used up (server \(Int(server.rounded()))% + generator \(Int(generator.rounded()))% of \(Int(available))%): "
                    + "generator and server share \(cores) cores")
        } else if let server, server >= 0.85 * available {
            reasons.append("the server used \(Int(server.rounded()))% CPU of \(Int(available))%: CPU-bound")
        }
        if let share = dominantServerPhase(phase) {
            reasons.append("in the server, \(share.name) took \(Int((share.fraction * 100).rounded()))% of the time accounted (Server-Timing, at the median)")
        }
        // Every backend busy at once in some second: the connection pool was the queue.
        let saturated = phase.resources.compactMap(\.postgresConnections).filter { backends in
            let total = backends.values.reduce(0, +)
            return total >= 2 && (backends["active"] ?? 0) + (backends["idle in transaction"] ?? 0) >= total
        }
        if let busiest = saturated.map({ $0.values.reduce(0, +) }).max() {
            reasons.append("all \(busiest) PostgreSQL backends busy at once in \(saturated.count) of \(phase.resources.count) seconds")
        }
        if phase.measurement.errorRate >= 0.01 {
            let kinds = phase.errorsByKind.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            reasons.append("\(TargetEvaluation.show(phase.measurement.errorRate, .errorRate)) of requests failed (\(kinds))")
        }
        guard !reasons.isEmpty else { return nil }
        return "\(phase.name): " + reasons.joined(separator: "; ") + "."
    }

    /// The Server-Timing phase with the largest median, and its share of the sum of the
    /// phases' medians (db, redis and app each count their own time), when it is at least 40%.
    static func dominantServerPhase(_ phase: LoadPhase) -> (name: String, fraction: Double)? {
        let medians = phase.serverTiming.filter { $0.value.totalCount > 0 }.map { (name: $0.key, median: Double($0.value.value(atPercentile: 50))) }
        let total = medians.reduce(0) { $0 + $1.median }
        guard total > 0, let top = medians.max(by: { $0.median < $1.median }) else { return nil }
        let fraction = top.median / total
        return fraction >= 0.4 ? (top.name, fraction) : nil
    }

    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
