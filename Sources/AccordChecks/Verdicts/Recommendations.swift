import AccordResults

/// What would raise each endpoint's figures, from what limited it (the vendor's report has a
/// "Performance Recommendations" section; ours says only what the measurements point to): a
/// generator-bound figure asks for more generators, a CPU shared by server and generator for
/// separate machines, a CPU-bound server for replicas or cores, a dominant Server-Timing phase
/// for work on that store, a saturated PostgreSQL pool for a bigger pool, a missed rps target
/// for the instances it would take. Pure: a function of the results document.
public enum Recommendations {
    public static func derive(_ report: ResultsDocument, cores: Int) -> [String] {
        var advice: [String] = []
        for phase in report.endpoints {
            advice += forPhase(phase, capacity: report.capacity.first { $0.subject == phase.name }, cores: cores, targets: report.suite(named: "targets"))
        }
        return advice
    }

    static func forPhase(_ phase: LoadPhase, capacity: Capacity?, cores: Int, targets: ResultsDocument.Suite?) -> [String] {
        var advice: [String] = []
        let name = phase.name
        let available = Double(max(1, cores)) * 100
        let server = BottleneckAnalysis.mean(phase.resources.compactMap(\.serverCPU))
        let generator = BottleneckAnalysis.mean(phase.resources.compactMap(\.generatorCPU))
        if phase.measurement.generatorBound || capacity?.generatorBound == true {
            advice.append("\(name): the load generator was the limit — add engines (--threads) or shards on other machines (accord load --shard, docs/distributed.md) to find the server's ceiling.")
        } else if let server, let generator, server + generator >= 0.85 * available {
            advice.append("\(name): server and generator shared \(cores) cores and used them up — run the generator on another machine (accord run --target) before reading the figures as the server's.")
        } else if let server, server >= 0.85 * available {
            advice.append("\(name): the server was CPU-bound — more cores, or more instances behind a load balancer (accord run --replicas N measures what one more adds).")
        }
        // Where the server's time went matters only where a target was missed.
        let missed = targets?.cases.contains { $0.name.hasPrefix("\(name) ") && $0.outcome == .failed } ?? false
        switch missed ? BottleneckAnalysis.dominantServerPhase(phase)?.name : nil {
        case "db": advice.append("\(name): most of the server's time went to PostgreSQL — for reads, a read replica or a cache in front of the row; for writes, batching commits; check the plan of its query under the seeded volume.")
        case "redis": advice.append("\(name): most of the server's time went to Redis — pipeline its commands, and keep streams trimmed of delivered entries.")
        case "app": advice.append("\(name): most of the server's time was its own (neither store) — profile the handler (serialisation, validation, locks).")
        default: break
        }
        let saturated = phase.resources.compactMap(\.postgresConnections).contains { backends in
            let total = backends.values.reduce(0, +)
            return total >= 2 && (backends["active"] ?? 0) + (backends["idle in transaction"] ?? 0) >= total
        }
        if saturated { advice.append("\(name): every PostgreSQL backend was busy at once — a larger pool (or PgBouncer) before more instances.") }
        if let capacity, let sustained = capacity.sustainedRPS, !capacity.generatorBound,
            let rps = targets?.cases.first(where: { $0.name.hasPrefix("\(name) rps ") && $0.outcome == .failed }),
            let bound = rps.name.split(separator: " ").dropFirst(3).first.flatMap({ Double($0.filter { $0 != "," }) }), sustained > 0
        {
            let instances = Int((bound / sustained).rounded(.up))
            advice.append("\(name): sustains \(TargetEvaluation.show(sustained, .rps)) req/s of the \(TargetEvaluation.show(bound, .rps)) targeted — about \(instances) instances of this one, if it scales linearly (the Scalability section measures whether it does).")
        }
        if phase.measurement.errorRate >= 0.01 {
            advice.append("\(name): \(TargetEvaluation.show(phase.measurement.errorRate, .errorRate)) of requests failed — fix the errors (by kind in Single-Request Performance) before tuning speed.")
        }
        return advice
    }
}
