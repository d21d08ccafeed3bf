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

    // MARK: - Stages (ramping arrival rate)

    static func ramp(_ stages: [(seconds: UInt64, target: Double)], from start: Double = 0) -> Pacer? {
        Pacer(stages: stages.map { Stage(durationNanoseconds: $0.seconds * 1_000_000_000, target: $0.target) }, from: start)
    }

    /// 0 → 100 req/s over 10 s: request n is due when 5t² = n.
    /// (elapsed ns, sent) → due
    @Test(arguments: [
        (0 as UInt64, 0, 1),  // request 0 goes at once
        (0, 1, 0),
        (999_999_999, 1, 4),  // 5·1² = 5 arrivals by 1 s: requests 1…4 due before it
        (1_000_000_000, 1, 5),
        (5_000_000_000, 0, 126),
        (5_000_000_000, 126, 0),
        (10_000_000_000, 0, 501),
        (60_000_000_000, 501, 0),  // the stages are over: nothing more
        (2_000_000_000, 100, 0),  // ahead of schedule: never negative
    ])
    func rampDueRequests(elapsed: UInt64, sent: Int, due: Int) throws {
        let pacer = try #require(Self.ramp([(10, 100)]))
        #expect(pacer.due(elapsed: elapsed, sent: sent) == due)
    }

    @Test func rampIntendedTimesFollowTheInverseOfTheArrivals() throws {
        let pacer = try #require(Self.ramp([(10, 100)]))
        // t = sqrt(n / 5) s
        #expect([0, 5, 20, 125, 500].map(pacer.intendedTime(of:)) == [0, 1_000_000_000, 2_000_000_000, 5_000_000_000, 10_000_000_000])
        #expect(pacer.intendedTime(of: 501) == .max)
        #expect(pacer.wait(elapsed: 10_000_000_000, sent: 501) == .max)
        #expect(pacer.wait(elapsed: 1_500_000_000, sent: 20) == 500_000_000)
        #expect(pacer.rate == 100)
    }

    @Test func rampDownFromAConstantRate() throws {
        // 100 → 0 req/s over 10 s: 100t − 5t² arrivals, 500 in all.
        let pacer = try #require(Self.ramp([(10, 0)], from: 100))
        #expect(pacer.intendedTime(of: 375) == 5_000_000_000)
        #expect(pacer.due(elapsed: 10_000_000_000, sent: 0) == 501)
        #expect(pacer.intendedTime(of: 501) == .max)
    }

    @Test func aFlatStageIsTheConstantRate() throws {
        let staged = try #require(Self.ramp([(10, 1000)], from: 1000))
        let constant = try #require(Pacer(rate: 1000))
        for elapsed in stride(from: UInt64(0), through: 10_000_000_000, by: 7_777_777) {
            #expect(staged.due(elapsed: elapsed, sent: 0) == constant.due(elapsed: elapsed, sent: 0))
        }
        for index in stride(from: 0, through: 10_000, by: 37) {
            let difference = Int64(bitPattern: staged.intendedTime(of: index) &- constant.intendedTime(of: index))
            #expect(abs(difference) <= 1)  // float rounding of the last nanosecond
        }
    }

    @Test func stagesThatNeverSendAreRefused() {
        #expect(Self.ramp([(10, 0)]) == nil)
        #expect(Self.ramp([]) == nil)
        #expect(Self.ramp([(10, -1)]) == nil)
    }

    @Test func stagesSetTheDurationAndInTheClosedModelTheConnections() {
        var plan = LoadPlan(requests: [(request: .init(url: "http://127.0.0.1/"), weight: 1)], connections: 1, durationNanoseconds: 1)
        plan.stages = [Stage(durationNanoseconds: 2_000_000_000, target: 10), Stage(durationNanoseconds: 3_000_000_000, target: 30.5)]
        #expect(plan.durationNanoseconds == 5_000_000_000)
        #expect(plan.connections == 31)
        var open = LoadPlan(
            requests: [(request: .init(url: "http://127.0.0.1/"), weight: 1)], connections: 8, durationNanoseconds: 1, model: .open(rate: 5))
        open.stages = [Stage(durationNanoseconds: 1_000_000_000, target: 500)]
        #expect(open.durationNanoseconds == 1_000_000_000)
        #expect(open.connections == 8)
    }

    /// An open model that can never send is refused before anything connects, not run as the
    /// closed model (which would send as fast as answers come). Port 9 (discard) is never
    /// reached: nothing is sent.
    @Test(arguments: [0.0, -5, Double.nan, Double.infinity])
    func anOpenModelWithoutAUsableRateIsRefused(rate: Double) async {
        let plan = LoadPlan(
            requests: [(request: .init(url: "http://127.0.0.1:9/"), weight: 1)], connections: 2, durationNanoseconds: 100_000_000,
            model: .open(rate: rate))
        let result = await LoadRun.run(plan)
        #expect(result.sent == 0)
        #expect(result.setupError?.contains("open model needs a positive rate") == true)
    }
}
