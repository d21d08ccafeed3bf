import AccordLoad
import AccordResults
import Foundation
import Testing

@testable import AccordRunner

/// A shard's share of the plan: pure, and the shares add up to the whole.
@Suite("Run plan shares")
struct RunPlanShardTests {
    @Test(
        "whole things split with the remainder to the first shards",
        arguments: [
            (total: 50, count: 3, shares: [17, 17, 16]),
            (total: 10, count: 4, shares: [3, 3, 2, 2]),
            (total: 2, count: 3, shares: [1, 1, 0]),
            (total: 9, count: 1, shares: [9]),
            (total: 0, count: 2, shares: [0, 0]),
        ])
    func integerShares(total: Int, count: Int, shares: [Int]) {
        let split = (0..<count).map { Shard(index: $0, count: count).share(of: total) }
        #expect(split == shares)
        #expect(split.reduce(0, +) == total)
    }

    @Test(
        "--shard I/N, or /N with the index from JOB_COMPLETION_INDEX; the flag wins",
        arguments: [
            (text: "0/3", environment: [String: String](), index: 0, count: 3),
            (text: "2/3", environment: ["JOB_COMPLETION_INDEX": "1"], index: 2, count: 3),
            (text: "/3", environment: ["JOB_COMPLETION_INDEX": "1"], index: 1, count: 3),
            (text: "0/1", environment: [:], index: 0, count: 1),
        ])
    func parses(text: String, environment: [String: String], index: Int, count: Int) throws {
        #expect(try Shard.parse(text, environment: environment) == Shard(index: index, count: count))
    }

    @Test(
        "refused: out of range, bad syntax, /N without JOB_COMPLETION_INDEX",
        arguments: [
            (text: "3/3", environment: [String: String]()), (text: "-1/3", environment: [:]), (text: "1/0", environment: [:]),
            (text: "1", environment: [:]), (text: "a/b", environment: [:]), (text: "1/2/3", environment: [:]),
            (text: "/3", environment: [:]), (text: "/3", environment: ["JOB_COMPLETION_INDEX": "3"]),
            (text: "/3", environment: ["JOB_COMPLETION_INDEX": "x"]),
        ])
    func refuses(text: String, environment: [String: String]) {
        #expect(throws: ShardError.self) { try Shard.parse(text, environment: environment) }
    }

    @Test func startInstants() throws {
        #expect(try StartInstant.parse("2026-12-08T01:00:00Z") == Date(timeIntervalSince1970: 1_796_691_600))
        #expect(try StartInstant.parse("2026-12-08T02:00:00.500+01:00") == Date(timeIntervalSince1970: 1_796_691_600.5))
        #expect(throws: ShardError.self) { try StartInstant.parse("tomorrow") }
    }

    @Test("the shares of every phase add up to the whole plan")
    func sharesAddUp() throws {
        let whole = try RunPlanTests.plan(.quick, target: "http://127.0.0.1:8080")
        for count in [1, 2, 3, 7] {
            let shares = (0..<count).map { whole.share(Shard(index: $0, count: count)) }
            for (index, phase) in whole.phases.enumerated() {
                let parts = shares.map { $0.phases[index] }
                if let connections = phase.connections, connections >= count {
                    #expect(parts.compactMap(\.connections).reduce(0, +) == connections, "\(phase.name) connections")
                }
                if let users = phase.users, users >= count { #expect(parts.compactMap(\.users).reduce(0, +) == users, "\(phase.name) users") }
                if let rate = phase.rate { #expect(abs(parts.compactMap(\.rate).reduce(0, +) - rate) < 1e-6, "\(phase.name) rate") }
                if let spawn = phase.spawnRate { #expect(abs(parts.compactMap(\.spawnRate).reduce(0, +) - spawn) < 1e-6) }
                if let start = phase.capacity?.startRPS {
                    #expect(abs(parts.compactMap { $0.capacity?.startRPS }.reduce(0, +) - start) < 1e-6)
                    #expect(parts.allSatisfy { $0.capacity?.bisects == false })
                }
                // Every shard starts the phase at the same planned instant.
                #expect(Set(parts.map(\.startsAfter)).count == 1)
            }
            for (index, pool) in whole.pools.enumerated() {
                #expect(shares.map { $0.pools[index].size }.reduce(0, +) == pool.size)
            }
            #expect(shares.filter(\.functional).count == 1 && shares[0].functional)
            #expect(shares.dropFirst().allSatisfy { $0.seeding.isEmpty })
        }
    }

    @Test("phases start one after another, a gap between; a capacity search without an rps target is skipped")
    func plannedStarts() throws {
        let share = try RunPlanTests.plan(.smoke, target: "http://127.0.0.1:8080").share(Shard(index: 1, count: 2))
        // Timed: every phase but a skipped search; a single-request phase is timed on every
        // shard, and run by shard 0 only (one connection cannot be divided).
        let running = share.phases.filter { $0.startsAfter != nil }
        #expect(running.first?.startsAfter == 0)
        let singles = share.phases.filter { $0.kind == .single }
        #expect(!singles.isEmpty && singles.allSatisfy { $0.connections == 1 && $0.skipped?.contains("shard 0 measures it") == true })
        let first = try RunPlanTests.plan(.smoke, target: "http://127.0.0.1:8080").share(Shard(index: 0, count: 2))
        #expect(first.phases.filter { $0.kind == .single }.allSatisfy { $0.skipped == nil && $0.connections == 1 })
        #expect(first.phases.map(\.startsAfter) == share.phases.map(\.startsAfter))
        for (earlier, later) in zip(running, running.dropFirst()) {
            #expect(later.startsAfter == (earlier.startsAfter ?? 0) + earlier.plannedSeconds + RunPlan.shardPhaseGap)
        }
        #expect(share.phases.first { $0.name == "mix (mixed)" }?.skipped != nil)
        #expect(share.phases.first { $0.name == "health" && $0.kind == .endpoint }?.rate == 5000)
        #expect(share.text.contains("shard 1/2"))
    }

    @Test("{{seq}} of shard i of n: i + 1, then every n-th; no two shards send the same value")
    func sequences() {
        let counters = (0..<3).map { SequenceCounter(stride: 3, offset: $0) }
        let values = counters.map { counter in (0..<5).map { _ in counter.next() } }
        #expect(values[0] == [1, 4, 7, 10, 13] && values[1] == [2, 5, 8, 11, 14])
        #expect(Set(values.joined()).count == 15)
        let one = SequenceCounter()
        let firstTwo: [Int] = [one.next(), one.next()]
        #expect(firstTwo == [1, 2])
    }
}

/// A shard's capacity ladder and unique rows, and the merge's judging of a merged ladder.
@Suite("Sharded capacity and unique rows")
struct ShardedCapacityTests {
    @Test("unique rows: shard i takes i, i+n, …; the parts are disjoint and make the whole", arguments: [1, 2, 3, 4, 10, 11])
    func uniqueRows(count: Int) {
        let rows = Array(0..<10)
        let parts = (0..<count).map { Shard(index: $0, count: count).part(rows) }
        #expect(parts.joined().sorted() == rows)
        #expect(Set(parts.joined()).count == rows.count)
        if count == 3 { #expect(parts[1] == [1, 4, 7]) }
    }

    static func step(_ offered: Double, held: Bool) -> Capacity.Step {
        Capacity.Step(offeredRPS: offered, achievedRPS: offered, p50: 1, p99: held ? 10 : 500, errorRate: 0, held: held)
    }

    @Test("a ladder runs every planned step, broken or not, with no bisection")
    func ladder() {
        var search = CapacitySearch(stepSeconds: 1, maxSteps: 4)
        search.ladder = true
        #expect(search.nextRate(after: [], startRPS: 1000) == 500)
        #expect(search.nextRate(after: [Self.step(500, held: true), Self.step(750, held: false)], startRPS: 1000) == 1000)
        let four = [500.0, 750, 1000, 1250].map { Self.step($0, held: false) }
        #expect(search.nextRate(after: four, startRPS: 1000) == nil)
        // Not a ladder: bisection after the first break.
        search.ladder = false
        #expect(search.nextRate(after: [Self.step(500, held: true), Self.step(750, held: false)], startRPS: 1000) == 625)
    }

    @Test("the merged ladder is judged step by step: held below the p99 target, sustained the highest held below a break")
    func mergedLadderJudged() {
        let merged = Capacity(
            subject: "create_job", p99Target: 100, sustainedRPS: nil, peakRPS: 0, generatorBound: false,
            steps: [Self.step(500, held: false), Self.step(750, held: false), Self.step(1000, held: true), Self.step(1250, held: true)]
                .enumerated().map { index, step in
                    var step = step
                    step.p99 = [20, 40, 150, 300][index]
                    return step
                })
        let judged = MergeJudgement.judged(merged)
        #expect(judged.steps.map(\.held) == [true, true, false, false])
        #expect(judged.sustainedRPS == 750 && judged.peakRPS == 1250)
    }
}
