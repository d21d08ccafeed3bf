import AccordLoad
import Testing

@Suite("Pacer")
struct PacerTests {
    @Test(arguments: [0.0, -5, .infinity, .nan])
    func rejectsRatesThatAreNotPositive(rate: Double) {
        #expect(Pacer(rate: rate) == nil)
    }

    /// (rate, elapsed ns, sent) → due
    @Test(arguments: [
        (1000.0, 0 as UInt64, 0, 1),  // the first request is due at once
        (1000.0, 0, 1, 0),
        (1000.0, 999_999, 1, 0),  // the second is due at 1 ms
        (1000.0, 1_000_000, 1, 1),
        (1000.0, 10_000_000, 1, 10),  // 10 ms late: ten due at once
        (1000.0, 10_000_000, 11, 0),
        (1000.0, 10_000_000, 50, 0),  // ahead of schedule: nothing, never negative
        (3.0, 1_000_000_000, 0, 4),
        (0.5, 1_999_999_999, 1, 0),
        (0.5, 2_000_000_000, 1, 1),
    ])
    func dueRequests(rate: Double, elapsed: UInt64, sent: Int, due: Int) throws {
        let pacer = try #require(Pacer(rate: rate))
        #expect(pacer.due(elapsed: elapsed, sent: sent) == due)
    }

    @Test func intendedTimesAreEvenlySpaced() throws {
        let pacer = try #require(Pacer(rate: 4))
        #expect((0..<5).map(pacer.intendedTime(of:)) == [0, 250_000_000, 500_000_000, 750_000_000, 1_000_000_000])
    }

    @Test func waitIsTheTimeToTheNextIntendedSend() throws {
        let pacer = try #require(Pacer(rate: 100))
        #expect(pacer.wait(elapsed: 0, sent: 1) == 10_000_000)
        #expect(pacer.wait(elapsed: 25_000_000, sent: 1) == 0)
        #expect(pacer.wait(elapsed: 15_000_000, sent: 2) == 5_000_000)
    }

    @Test(arguments: [
        ([7, 2, 1], [0, 0, 1, 0, 0, 2, 0, 0, 1, 0]),
        ([1, 1], [0, 1]),
        ([3], [0, 0, 0]),
        ([0, 2], [1, 1]),
    ])
    func weightedScheduleKeepsTheMix(weights: [Int], expected: [Int]) {
        let plan = LoadPlan(
            requests: weights.map { (request: .init(url: "http://127.0.0.1/"), weight: $0) }, connections: 1, durationNanoseconds: 1)
        let schedule = plan.schedule
        #expect(schedule.count == weights.reduce(0, +))
        for (index, weight) in weights.enumerated() { #expect(schedule.filter { $0 == index }.count == weight) }
        #expect(schedule == expected)
    }
}
