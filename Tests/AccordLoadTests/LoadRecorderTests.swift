import AccordLoad
import Testing

@Suite("Load recorder")
struct LoadRecorderTests {
    @Test func recordsPercentilesErrorsAndSeconds() {
        var recorder = LoadRecorder()
        for value in 1...100 { recorder.record(correctedMicroseconds: UInt64(value * 1000), uncorrectedMicroseconds: 500, error: nil, second: 0) }
        recorder.record(correctedMicroseconds: 2000, uncorrectedMicroseconds: 2000, error: .status, second: 2)
        recorder.roll(to: 3)
        #expect(recorder.completed == 101)
        #expect(recorder.errors == [.status: 1])
        #expect(recorder.corrected.valueAtPercentile(50) / 1000 == 50)
        #expect(recorder.uncorrected.valueAtPercentile(50) < 1000)
        // The failed request counts, but its latency does not.
        #expect(recorder.corrected.totalCount == 100)
        #expect(recorder.succeeded == 100)
        #expect(recorder.uncorrected.max < 1000)
        #expect(recorder.seconds.map(\.requests) == [100, 0, 1])
        #expect(recorder.seconds.map(\.errors) == [0, 0, 1])
        #expect(recorder.seconds[1].p99 == 0)
    }

    @Test func mergingAddsHistogramsAndSeries() {
        var a = LoadRecorder()
        var b = LoadRecorder()
        for _ in 0..<10 { a.record(correctedMicroseconds: 1000, uncorrectedMicroseconds: 1000, error: nil, second: 0) }
        for _ in 0..<30 { b.record(correctedMicroseconds: 9000, uncorrectedMicroseconds: 9000, error: .timeout, second: 1) }
        a.roll(to: 2)
        b.roll(to: 2)
        a.merge(b)
        #expect(a.completed == 40)
        #expect(a.corrected.totalCount == 10)
        #expect(a.corrected.valueAtPercentile(99) / 1000 == 1)
        #expect(a.succeeded == 10)
        #expect(a.errors == [.timeout: 30])
        #expect(a.seconds.map(\.requests) == [10, 30])
    }

    @Test func mergingAddsServerTimingPhases() {
        var a = LoadRecorder()
        var b = LoadRecorder()
        for _ in 0..<10 { a.recordPhase("db", microseconds: 1000) }
        for _ in 0..<10 { b.recordPhase("db", microseconds: 3000) }
        b.recordPhase("redis", microseconds: 400)
        a.merge(b)
        #expect(a.phases.keys.sorted() == ["db", "redis"])
        #expect(a.phases["db"]?.totalCount == 20)
        #expect(a.phases["db"].map { $0.valueAtPercentile(25) / 100 } == 10)
        #expect(a.phases["db"].map { $0.max / 100 } == 30)
        #expect(a.phases["redis"]?.totalCount == 1)
        #expect(b.phases["db"]?.totalCount == 10)
    }

    @Test("a merged second's percentiles are those of every sample of both engines, not the worse engine's")
    func mergedSecondsAreExact() {
        var fast = LoadRecorder()
        var slow = LoadRecorder()
        var whole = LoadRecorder()
        // 990 fast answers in one engine, 10 slow ones in the other: p99 of the second is fast.
        for _ in 0..<990 {
            fast.record(correctedMicroseconds: 1000, uncorrectedMicroseconds: 1000, error: nil, second: 0)
            whole.record(correctedMicroseconds: 1000, uncorrectedMicroseconds: 1000, error: nil, second: 0)
        }
        for _ in 0..<10 {
            slow.record(correctedMicroseconds: 500_000, uncorrectedMicroseconds: 500_000, error: nil, second: 0)
            whole.record(correctedMicroseconds: 500_000, uncorrectedMicroseconds: 500_000, error: nil, second: 0)
        }
        fast.roll(to: 1)
        slow.roll(to: 1)
        whole.roll(to: 1)
        fast.merge(slow)
        #expect(fast.seconds[0].p99 == whole.seconds[0].p99)
        #expect(fast.seconds[0].p99 / 1000 == 1)
        #expect(fast.seconds[0].p50 == whole.seconds[0].p50)
        #expect(fast.seconds[0].latency.hasPrefix("HISTF"))
    }

    @Test("a recorder without a series keeps totals and histograms, and no seconds")
    func withoutASeries() {
        var a = LoadRecorder(keepsSeries: false)
        var b = LoadRecorder(keepsSeries: false)
        for second in 0..<100 { a.record(correctedMicroseconds: 1000, uncorrectedMicroseconds: 1000, error: nil, second: second) }
        b.record(correctedMicroseconds: 500_000, uncorrectedMicroseconds: 500_000, error: .status, second: 3)
        a.roll(to: 100)
        b.roll(to: 100)
        a.merge(b)
        #expect(a.seconds.isEmpty && b.seconds.isEmpty)
        #expect(a.completed == 101 && a.corrected.totalCount == 100 && a.errors == [.status: 1])
    }
}
