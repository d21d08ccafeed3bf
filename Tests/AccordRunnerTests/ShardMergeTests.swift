import AccordJSON
import AccordLoad
import AccordResults
import AccordTestSupport
import Foundation
import Testing

@testable import AccordRunner

/// `accord merge`'s addition: shards' phases added exactly, and documents that are not the
/// shards of one load refused, naming the file.
@Suite("Shard merge")
struct ShardMergeTests {
    /// One sample: latency (µs), failed or not, and the second it finished in.
    typealias Sample = (micros: UInt64, failed: Bool, second: Int)

    static func samples(_ count: Int, seconds: Int, random: inout SeededRandom) -> [Sample] {
        (0..<count).map { _ in
            // Mostly fast, a long tail: spread over the histogram's buckets.
            let tail = Int.random(in: 0..<100, using: &random) < 3
            let micros = tail ? UInt64.random(in: 50_000...2_000_000, using: &random) : UInt64.random(in: 200...20_000, using: &random)
            return (micros, Int.random(in: 0..<100, using: &random) < 2, Int.random(in: 0..<seconds, using: &random))
        }.sorted { $0.second < $1.second }
    }

    static func recorder(_ samples: [Sample], seconds: Int) -> LoadRecorder {
        var recorder = LoadRecorder()
        for sample in samples {
            recorder.record(
                correctedMicroseconds: sample.micros, uncorrectedMicroseconds: sample.micros / 2, error: sample.failed ? .status : nil, second: sample.second)
        }
        recorder.roll(to: seconds)
        return recorder
    }

    static func phase(_ recorder: LoadRecorder, seconds: Int) -> LoadPhase {
        var phase = LoadPhase(
            name: "create_job", load: "constant 100 req/s (shard 0/2: 1 of 2 shares)", seconds: Double(seconds),
            measurement: .init(recorder, seconds: Double(seconds), generatorBound: false), latency: HistogramData(recorder.corrected),
            uncorrectedLatency: HistogramData(recorder.uncorrected), errorsByKind: Dictionary(uniqueKeysWithValues: recorder.errors.map { ($0.key.rawValue, $0.value) }),
            series: LoadPhase.points(recorder.seconds))
        phase.startOffset = 0
        phase.model = "open"
        return phase
    }

    @Test("merged percentiles, histograms and seconds equal those of one recorder fed every sample", arguments: [1, 2, 3, 5])
    func mergedEqualsOneHistogram(shards: Int) {
        var random = SeededRandom(state: UInt64(shards) * 7919)
        for _ in 0..<5 {
            let seconds = 4
            // Shard i starts i seconds after the first, on the wall clock: its second k is the merged second k + i.
            let parts = (0..<shards).map { _ in Self.samples(Int.random(in: 1...3000, using: &random), seconds: seconds, random: &random) }
            let merged = ShardMerge.mergePhase(parts.enumerated().map { index, samples in
                (phase: Self.phase(Self.recorder(samples, seconds: seconds), seconds: seconds), start: Double(index))
            })
            let everything = parts.enumerated().flatMap { index, samples in samples.map { ($0.micros, $0.failed, $0.second + index) } }
                .sorted { $0.2 < $1.2 }
            let whole = Self.phase(Self.recorder(everything.map { (micros: $0.0, failed: $0.1, second: $0.2) }, seconds: seconds + shards - 1), seconds: seconds)
            // The histograms are the same, bucket by bucket, whole and per second.
            #expect(merged.latency == whole.latency)
            #expect(merged.uncorrectedLatency == whole.uncorrectedLatency)
            #expect(merged.series.map(\.latency) == whole.series.map(\.latency))
            #expect(merged.errorsByKind == whole.errorsByKind)
            #expect(merged.series.map(\.requests) == whole.series.map(\.requests))
            // Every percentile is the one histogram's, read from its document as the merge reads
            // the shards'. (A live histogram also knows its exact maximum, which no stored
            // histogram keeps: a percentile in the top bucket differs from the live one's within
            // that bucket, 3 significant digits.)
            let read = ShardMerge.mergePhase([(phase: whole, start: 0)])
            #expect(merged.measurement == read.measurement)
            #expect(merged.series.map(\.p50) == read.series.map(\.p50))
            #expect(merged.series.map(\.p99) == read.series.map(\.p99))
            let pairs = [(merged.measurement.p50, whole.measurement.p50), (merged.measurement.p99, whole.measurement.p99),
                         (merged.measurement.p999, whole.measurement.p999), (merged.measurement.max, whole.measurement.max)]
            for (mergedValue, live) in pairs { #expect(abs(mergedValue - live) <= live * 0.001 + 0.001) }
            #expect(merged.load.hasSuffix("over \(shards) shard\(shards == 1 ? "" : "s")") && !merged.load.contains("(shard"))
        }
    }

    @Test func usersPerSecondAddOnTheSameWallClockSecond() {
        var phases = (0..<2).map { _ in Self.phase(Self.recorder([(micros: 1000, failed: false, second: 0)], seconds: 3), seconds: 3) }
        for index in phases.indices {
            for second in phases[index].series.indices { phases[index].series[second].users = 10 * (index + 1) + second }
        }
        // Shard 1 began a second after shard 0.
        let merged = ShardMerge.mergePhase([(phase: phases[0], start: 0.2), (phase: phases[1], start: 1.1)])
        #expect(merged.series.map(\.users) == [10, 11 + 20, 12 + 21, 22])
    }

    static func document(index: Int?, count: Int = 2, sha: String = "abc", profile: String = "smoke") -> ResultsDocument {
        var document = ResultsDocument(
            kind: .load, date: "", startedAt: "2026-12-08T01:00:00.000Z", command: "accord load", target: "http://127.0.0.1:8080", booted: false,
            profile: profile, specFiles: [.init(path: "specs/load.yaml", sha256: sha)])
        document.shard = index.map { ShardInfo(index: $0, count: count, startAt: "2026-12-08T01:00:00.000Z", lateBy: 0) }
        let plan = RunPlan(
            profile: profile, target: "http://127.0.0.1:8080", functional: false, threads: 1, seeding: [], pools: [], feeders: [], phases: [])
        document.plan = plan.json
        return document
    }

    @Test(
        "documents that are not the shards of one load are refused, naming the file",
        arguments: [
            (documents: [(file: "a.json", index: Optional(0), count: 2, sha: "abc"), (file: "b.json", index: nil, count: 2, sha: "abc")],
             expected: "b.json is not a shard's document"),
            (documents: [(file: "a.json", index: 0, count: 2, sha: "abc"), (file: "b.json", index: 0, count: 2, sha: "abc")],
             expected: "b.json and a.json are both shard 0"),
            (documents: [(file: "a.json", index: 0, count: 2, sha: "abc"), (file: "b.json", index: 1, count: 3, sha: "abc")],
             expected: "b.json is shard 1 of 3, but a.json is one of 2"),
            (documents: [(file: "a.json", index: 0, count: 3, sha: "abc"), (file: "b.json", index: 1, count: 3, sha: "abc")],
             expected: "shard 2 of 3 is missing"),
            (documents: [(file: "a.json", index: 0, count: 2, sha: "abc"), (file: "b.json", index: 1, count: 2, sha: "def")],
             expected: "b.json ran other spec files than a.json"),
        ])
    func refusals(documents: [(file: String, index: Int?, count: Int, sha: String)], expected: String) {
        let inputs = documents.map { ShardMerge.Input(file: $0.file, document: Self.document(index: $0.index, count: $0.count, sha: $0.sha)) }
        let problems = ShardMerge.problems(inputs)
        #expect(problems.contains { $0.contains(expected) }, "\(problems)")
    }

    @Test func anotherPlanIsRefusedAndTheShardsOfOneLoadAreNot() {
        let good = [ShardMerge.Input(file: "a.json", document: Self.document(index: 0)), ShardMerge.Input(file: "b.json", document: Self.document(index: 1))]
        #expect(ShardMerge.problems(good).isEmpty)
        let other = [good[0], ShardMerge.Input(file: "b.json", document: Self.document(index: 1, profile: "quick"))]
        #expect(ShardMerge.problems(other).contains { $0.hasPrefix("b.json ran another plan than a.json") })
        #expect(ShardMerge.problems([]) == ["no shard documents given"])
    }

    @Test("the shares of one plan with single-request phases (run by shard 0 alone) are the shards of one load")
    func sharesOfOnePlanWithSingleRequestPhasesMerge() throws {
        let whole = try RunPlanTests.plan(.smoke, target: "http://127.0.0.1:8080")
        #expect(whole.phases.contains { $0.kind == .single })
        let inputs = (0..<3).map { index in
            var document = Self.document(index: index, count: 3)
            document.plan = whole.share(Shard(index: index, count: 3)).json
            return ShardMerge.Input(file: "shard-\(index).json", document: document)
        }
        #expect(ShardMerge.problems(inputs).isEmpty, "\(ShardMerge.problems(inputs))")
    }

    @Test func acknowledgedIDsAreUnitedPerPhase() {
        let merged = ShardMerge.mergeReconciliation([
            [Reconciliation(phase: "create_job", acknowledged: 2, lostInDatabase: 0, duplicatedInDatabase: 0, lostInStreams: 0, duplicatedInStreams: 0, acknowledgedIDs: ["a", "b"], endpoint: "create_job")],
            [Reconciliation(phase: "create_job", acknowledged: 1, lostInDatabase: 0, duplicatedInDatabase: 0, lostInStreams: 0, duplicatedInStreams: 0, acknowledgedIDs: ["c"], endpoint: "create_job")],
        ])
        #expect(merged.count == 1 && merged[0].acknowledgedIDs == ["a", "b", "c"] && merged[0].acknowledged == 3)
    }
}
