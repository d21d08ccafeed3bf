import Foundation
import AccordHTTP

/// A finished load run: the merged measurements of every engine and how honest they are.
public struct LoadResult: Sendable {
    public var plan: LoadPlan
    public var recorder: LoadRecorder
    /// The measurements per request of the plan, in plan order.
    public var perRequest: [LoadRecorder]
    /// The measurements per group of `plan.groups` (per endpoint of a mix), by group number;
    /// empty without groups.
    public var perGroup: [LoadRecorder]
    public var sent: Int
    public var wallSeconds: Double
    /// CPU the generator's engines used, in cores (1.0 = one core fully busy).
    public var generatorCores: Double
    /// Open model: requests the schedule wanted that never went out.
    public var behind: Int
    /// Open model: the longest a request waited for a free connection (ms).
    public var maxLagMilliseconds: Double
    public var setupError: String?
    /// Per plan request, in plan order: the values of its `collect` field in accepted 2xx
    /// answers, from every engine (empty for requests that collect nothing).
    public var collected: [[String]]
    /// When the engines started (wall clock): phases of a run are placed on one time line by it.
    public var started = Date()
    /// Per second: how many connections (users) sent at least one request in it, over every
    /// engine. In the closed model without think time every user that is on sends each
    /// second, so this is the number of active users as the run really had them.
    public var usersPerSecond: [Int] = []
    /// Connections the engines opened, the TLS handshakes among them and their time (µs), and
    /// the HTTP versions answers came in ("1.1", "2").
    public var connectionsOpened = 0
    public var tlsHandshakes = 0
    public var handshakeMicroseconds: Int64 = 0
    public var handshakeMaxMicroseconds: Int64 = 0
    public var protocols: [String] = []

    /// Completed requests per second over the run.
    public var rps: Double { measuredSeconds > 0 ? Double(recorder.completed) / measuredSeconds : 0 }

    /// Requests answered as expected per second over the run: what the server is known to
    /// have done (failures, refused connections above all, say nothing of its speed).
    public var answeredRPS: Double { measuredSeconds > 0 ? Double(recorder.succeeded) / measuredSeconds : 0 }

    /// The seconds the rates are over: the planned duration, or less when the run ended early.
    public var measuredSeconds: Double { min(wallSeconds, Double(plan.durationNanoseconds) / 1e9) }

    /// True when the generator, not the server, limited the run: its engines kept their
    /// cores (near) fully busy. The measured throughput is then a floor for the server's.
    public var generatorBound: Bool {
        generatorCores >= 0.9 * Double(plan.threads)
    }
}

/// Runs a plan on `plan.threads` engines (threads of their own), each with its share of the
/// connections and of the rate, and merges what they measured.
public enum LoadRun {
    public static func run(_ plan: LoadPlan) async -> LoadResult {
        // An open model that can never send (a rate of 0 without stages, or not finite) is
        // refused rather than run as the closed model, which has no pacer either.
        if case let .open(rate) = plan.model, (plan.stages.isEmpty ? Pacer(rate: rate) : Pacer(stages: plan.stages, from: rate)) == nil {
            return LoadResult(
                plan: plan, recorder: LoadRecorder(), perRequest: plan.requests.map { _ in LoadRecorder() }, perGroup: [], sent: 0,
                wallSeconds: 0, generatorCores: 0, behind: 0, maxLagMilliseconds: 0,
                setupError: "an open model needs a positive rate, or stages that send requests (rate \(rate))",
                collected: plan.requests.map { _ in [] })
        }
        let threads = max(1, min(plan.threads, plan.connections))
        let started = Date()
        let outcomes: [LoadEngine.Outcome] = await withTaskGroup(of: LoadEngine.Outcome.self) { group in
            for thread in 0..<threads {
                let connections = plan.connections / threads + (thread < plan.connections % threads ? 1 : 0)
                let pacer: Pacer?
                var users: StageProfile?
                if case let .open(rate) = plan.model {
                    pacer = plan.stages.isEmpty
                        ? Pacer(rate: rate / Double(threads))
                        : Pacer(stages: Self.scaled(plan.stages, by: 1 / Double(threads)), from: rate / Double(threads))
                } else {
                    pacer = nil
                    // Each engine ramps its share of the users.
                    let share = Double(connections) / Double(max(1, plan.connections))
                    users = plan.stages.isEmpty ? nil : StageProfile(start: 0, stages: Self.scaled(plan.stages, by: share))
                }
                var share = plan
                // Each engine ramps up its own users at its share of the spawn rate.
                share.spawnRate = plan.spawnRate.map { $0 / Double(threads) }
                share.requestLimit = plan.requestLimit.map { $0 / threads + (thread < $0 % threads ? 1 : 0) }
                let engine = LoadEngine(plan: share, connections: connections, pacer: pacer, users: users)
                group.addTask { await BlockingHTTP.onThread { engine.run() } }
            }
            var all: [LoadEngine.Outcome] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        var recorder = LoadRecorder()
        var perRequest = plan.requests.map { _ in LoadRecorder(keepsSeries: false) }
        var perGroup = [LoadRecorder](repeating: LoadRecorder(), count: outcomes.map(\.perGroup.count).max() ?? 0)
        var collected = plan.requests.map { _ in CollectedValues() }
        for outcome in outcomes {
            for (index, values) in outcome.collected.enumerated() where collected.indices.contains(index) { collected[index].append(contentsOf: values) }
            recorder.merge(outcome.recorder)
            for (index, part) in outcome.perRequest.enumerated() where perRequest.indices.contains(index) { perRequest[index].merge(part) }
            for (index, part) in outcome.perGroup.enumerated() { perGroup[index].merge(part) }
        }
        let wall = outcomes.map(\.wallNanoseconds).max() ?? 0
        var result = LoadResult(
            plan: plan, recorder: recorder, perRequest: perRequest, perGroup: perGroup, sent: outcomes.reduce(0) { $0 + $1.sent },
            wallSeconds: Double(wall) / 1e9,
            generatorCores: wall > 0 ? Double(outcomes.reduce(0) { $0 + $1.cpuNanoseconds }) / Double(wall) : 0,
            behind: outcomes.reduce(0) { $0 + $1.behind },
            maxLagMilliseconds: Double(outcomes.map(\.maxLag).max() ?? 0) / 1e6,
            setupError: outcomes.compactMap(\.setupError).first, collected: collected.map(\.strings), started: started,
            usersPerSecond: outcomes.reduce(into: [Int]()) { sum, outcome in
                // Engines drive disjoint connections: their counts add up.
                for (second, users) in outcome.usersPerSecond.enumerated() {
                    if sum.count <= second { sum.append(contentsOf: [Int](repeating: 0, count: second + 1 - sum.count)) }
                    sum[second] += users
                }
            })
        result.connectionsOpened = outcomes.reduce(0) { $0 + $1.connectionsOpened }
        result.tlsHandshakes = outcomes.reduce(0) { $0 + $1.handshakes }
        result.handshakeMicroseconds = outcomes.reduce(0) { $0 + $1.handshakeMicroseconds }
        result.handshakeMaxMicroseconds = outcomes.map(\.handshakeMaxMicroseconds).max() ?? 0
        // CURLINFO_HTTP_VERSION: 2 is HTTP/1.1, 3 HTTP/2, 30 HTTP/3, 1 HTTP/1.0.
        let names = [1: "1.0", 2: "1.1", 3: "2", 30: "3"]
        result.protocols = Set(outcomes.flatMap(\.httpVersions)).sorted().compactMap { names[$0] }
        return result
    }

    static func scaled(_ stages: [Stage], by factor: Double) -> [Stage] {
        stages.map { Stage(durationNanoseconds: $0.durationNanoseconds, target: $0.target * factor) }
    }
}
