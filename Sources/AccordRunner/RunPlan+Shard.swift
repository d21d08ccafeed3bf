import AccordChecks
import Foundation

/// One of `count` generators that load the same deployment together (`--shard index/count`,
/// numbered as Kubernetes' `JOB_COMPLETION_INDEX`: 0 to count-1). Each runs its share of the
/// plan (``RunPlan/share(_:)``); `accord merge` adds their documents up.
public struct Shard: Codable, Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// The most shards a plan is split into.
    public static let maximumCount = 1000

    /// `I/N`, or `/N` with the index from `JOB_COMPLETION_INDEX` (the flag's own index wins
    /// when both are given). Throws a message naming what is wrong.
    public static func parse(_ text: String, environment: [String: String]) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = Int(parts[1]), (1...maximumCount).contains(count) else {
            throw ShardError(message: "--shard takes I/N (0 ≤ I < N ≤ \(maximumCount)), or /N with I from JOB_COMPLETION_INDEX, not '\(text)'")
        }
        let indexText: String
        if parts[0].isEmpty {
            guard let fromEnvironment = environment["JOB_COMPLETION_INDEX"], !fromEnvironment.isEmpty else {
                throw ShardError(message: "--shard \(text) takes its index from JOB_COMPLETION_INDEX, which is not set: give --shard I/\(count)")
            }
            indexText = fromEnvironment
        } else {
            indexText = String(parts[0])
        }
        guard let index = Int(indexText), (0..<count).contains(index) else {
            throw ShardError(message: "shard index '\(indexText)' must be from 0 to \(count - 1) (--shard \(text))")
        }
        return Shard(index: index, count: count)
    }

    /// This shard's part of `total` whole things (connections, users, pool items): the
    /// remainder goes one each to the first shards, so the parts add up to `total` exactly.
    public func share(of total: Int) -> Int {
        guard count > 1 else { return total }
        return total / count + (index < total % count ? 1 : 0)
    }

    /// Whole things, but at least one: a shard with no connection sends nothing.
    func atLeastOne(of total: Int) -> Int { max(1, share(of: total)) }

    /// This shard's part of a rate (requests or users per second): an even split.
    public func share(of rate: Double) -> Double { count > 1 ? rate / Double(count) : rate }

    /// This shard's part of a list drawn without repetition (a `unique` feeder's rows): items
    /// index, index + count, index + 2·count, …; the parts of all shards are disjoint and
    /// together are the list.
    public func part<Item>(_ items: [Item]) -> [Item] {
        guard count > 1 else { return items }
        return Swift.stride(from: index, to: items.count, by: count).map { items[$0] }
    }

    /// The `{{seq}}` values of this shard: index + 1, then every `count`-th, so no two
    /// shards send the same one and one shard of one counts 1, 2, 3 as before.
    public var sequenceOffset: Int { index }
}

/// A `--shard` or `--start-at` that cannot be used, in words.
public struct ShardError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension RunPlan {
    /// Seconds between one phase's planned end and the next one's planned start: the drain of
    /// its last requests (and a step's) fits in it, so every shard starts each phase at the
    /// same planned instant.
    public static let shardPhaseGap = 2.0

    /// Shard `shard`'s part of this plan, pure: connections, users, pool sizes divided with
    /// the remainder to the first shards (they add up exactly); rates, spawn rates and stage
    /// targets divided evenly; each phase given its planned start (seconds after the start
    /// instant), the same on every shard. Capacity runs the planned ladder of steps without
    /// bisection (bisection follows local verdicts), from the rps target's share; a search
    /// without an rps target to start from is skipped. Functional cases and seeding stay on
    /// shard 0 only.
    public func share(_ shard: Shard) -> RunPlan {
        var plan = self
        plan.shard = shard
        plan.functional = functional && shard.index == 0
        if shard.index != 0 {
            plan.seeding = []
            if seedingNote == nil, !seeding.isEmpty { plan.seedingNote = "seeded by shard 0" }
        }
        plan.pools = pools.map { pool in
            var pool = pool
            pool.size = shard.atLeastOne(of: pool.size)
            return pool
        }
        var offset = 0.0
        plan.phases = phases.map { phase in
            var phase = phase
            // One connection, one request at a time cannot be divided: shard 0 measures it, the
            // others wait for its planned end (the offsets stay the same on every shard).
            let single = phase.kind == .single
            phase.connections = single ? phase.connections : phase.connections.map(shard.atLeastOne)
            phase.users = phase.users.map(shard.atLeastOne)
            phase.rate = phase.rate.map(shard.share)
            phase.spawnRate = phase.spawnRate.map(shard.share)
            phase.stages = phase.stages.map { stages in
                stages.map { stage in
                    var stage = stage
                    // Users are whole; an arrival rate divides evenly.
                    stage.target = phase.model == "users" ? Double(shard.share(of: Int(stage.target.rounded()))) : shard.share(of: stage.target)
                    return stage
                }
            }
            if var rule = phase.capacity {
                rule.startRPS = rule.startRPS.map(shard.share)
                rule.bisects = false
                if rule.startRPS == nil, phase.skipped == nil {
                    phase.skipped = "a sharded capacity search starts from an rps target; \(phase.name) has none"
                }
                phase.capacity = rule
            }
            if phase.skipped == nil {
                phase.startsAfter = offset
                offset += phase.plannedSeconds + Self.shardPhaseGap
            }
            if single, shard.index != 0 { phase.skipped = "one connection, one request at a time: shard 0 measures it" }
            phase.load += " (shard \(shard): " + Self.shareWords(phase) + ")"
            return phase
        }
        return plan
    }
}

extension RunPlan {
    /// What a shard's phase runs, in words: `3333.3 req/s, 134 in flight`.
    static func shareWords(_ phase: Phase) -> String {
        var words: [String] = []
        if let rate = phase.rate { words.append("\(TargetEvaluation.trimmed(rate, 1)) req/s") }
        if let users = phase.users { words.append("\(users) users") } else if let connections = phase.connections {
            words.append(phase.model == "open" ? "\(connections) in flight at most" : "\(connections) connections")
        }
        if let spawn = phase.spawnRate { words.append("spawn \(TargetEvaluation.trimmed(spawn, 1))/s") }
        if let start = phase.capacity?.startRPS { words.append("ladder from \(TargetEvaluation.trimmed(start, 1)) req/s, no bisection") }
        return words.isEmpty ? "its share" : words.joined(separator: ", ")
    }
}

extension RunPlan.Phase {
    /// How long the phase loads as planned: its seconds, or a capacity ladder's steps with a
    /// gap after each.
    public var plannedSeconds: Double {
        if let rule = capacity { return Double(rule.maxSteps) * (rule.stepSeconds + RunPlan.shardPhaseGap) }
        return seconds ?? 0
    }
}

/// The `--start-at` instant: RFC 3339 (`2026-12-08T01:00:00Z`, fractions of a second and
/// offsets allowed).
public enum StartInstant {
    public static func parse(_ text: String) throws -> Date {
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        throw ShardError(message: "--start-at takes an RFC 3339 instant such as 2026-12-08T01:00:00Z, not '\(text)'")
    }
}
