import AccordHTTP
import AccordHTTPTypes
import AccordTestSupport
import AccordLoad
import Testing

private let ms: UInt64 = 1_000_000
private let s: UInt64 = 1_000_000_000

/// The arrival models alone, driven with made-up times as the engine drives them: each turn
/// `release` (which idle connections send now, meant to go when), `finished` (a request
/// ended), `wait` (how long the engine may sleep).
@Suite("Arrival models")
struct ArrivalModelTests {
    /// One turn: what `model` releases from `idle` at `elapsed`, and what stays idle.
    static func release<Model: ArrivalModel>(_ model: inout Model, at elapsed: UInt64, sent: Int = 0, idle: [Int]) -> (
        launched: [Arrival], idle: [Int]
    ) {
        var idle = idle
        var launches: [Arrival] = []
        model.release(elapsed: elapsed, sent: sent, idle: &idle, into: &launches)
        return (launches, idle)
    }

    static func users(
        _ count: Int, think: ClosedRange<UInt64>? = nil, spawnRate: Double? = nil, stages: StageProfile? = nil, seed: UInt64 = 1
    ) -> UserArrivals<SeededRandom> {
        UserArrivals(users: count, think: think, spawnRate: spawnRate, stages: stages, random: SeededRandom(state: seed))
    }

    /// From `start` users (or requests per second) through (seconds, target) stages.
    static func profile(_ start: Double, _ stages: [(seconds: UInt64, target: Double)]) -> StageProfile? {
        StageProfile(start: start, stages: stages.map { Stage(durationNanoseconds: $0.seconds * s, target: $0.target) })
    }

    // MARK: - Closed

    /// Idle connections (freed last at the end) → all of them go now, the last freed first,
    /// each meant to go now; none left, so nothing to wake for.
    @Test(arguments: [[], [0], [3, 1, 2], Array((0..<8).reversed())])
    func closedReleasesEveryIdleConnection(idle: [Int]) {
        var model = ClosedArrivals()
        let turn = Self.release(&model, at: 5 * ms, sent: 17, idle: idle)
        #expect(turn.launched.map(\.connection) == idle.reversed())
        #expect(turn.launched.allSatisfy { $0.intended == 5 * ms })
        #expect(turn.idle.isEmpty)
        #expect(model.wait(elapsed: 5 * ms, sent: 17, idle: turn.idle) == .max)
    }

    @Test func closedSendsAgainAsSoonAsARequestEnds() {
        var model = ClosedArrivals()
        #expect(model.wait(elapsed: 0, sent: 0, idle: [2]) == 0)
        model.finished(2, at: 7 * ms)
        let turn = Self.release(&model, at: 7 * ms, idle: [2])
        #expect(turn.launched == [Arrival(connection: 2, intended: 7 * ms)])
    }

    @Test func releaseAppendsToWhatTheTurnHasAlready() {
        var model = ClosedArrivals()
        var idle = [1]
        var launches = [Arrival(connection: 0, intended: 0)]
        model.release(elapsed: 3, sent: 1, idle: &idle, into: &launches)
        #expect(launches == [Arrival(connection: 0, intended: 0), Arrival(connection: 1, intended: 3)])
    }

    // MARK: - Users: ramp-up

    /// (spawn rate, elapsed ns) → the users of four (all idle, never sent) that go: user i
    /// starts i / rate seconds in; a rate that is not positive starts everyone at once.
    @Test(arguments: [
        (2.0 as Double?, 0 as UInt64, [0]),
        (2, 499_999_999, [0]),
        (2, 500_000_000, [0, 1]),
        (2, 1_499_999_999, [0, 1, 2]),
        (2, 1_500_000_000, [0, 1, 2, 3]),
        (0.5, 1_999_999_999, [0]),
        (0.5, 2_000_000_000, [0, 1]),
        (nil, 0, [0, 1, 2, 3]),  // no ramp-up
        (0, 0, [0, 1, 2, 3]),  // not positive: as without one
        (-3, 0, [0, 1, 2, 3]),
        (.nan, 0, [0, 1, 2, 3]),
        (.infinity, 0, [0, 1, 2, 3]),
        (1e-30, 60_000_000_000, [0]),  // the others would start past the clock's range: never, no trap
    ] as [(Double?, UInt64, [Int])])
    func rampUpReleasesUsersAtTheirSpawnTime(spawnRate: Double?, elapsed: UInt64, goes: [Int]) {
        var model = Self.users(4, spawnRate: spawnRate)
        let turn = Self.release(&model, at: elapsed, idle: [3, 2, 1, 0])
        #expect(turn.launched.map(\.connection) == goes)
        #expect(turn.launched.allSatisfy { $0.intended == elapsed })
        #expect(Set(turn.idle) == Set(0..<4).subtracting(goes))
    }

    /// (spawn rate) → each user's start: index / rate seconds, truncated to the nanosecond.
    @Test(arguments: [
        (4.0, [0, 250 * ms, 500 * ms, 750 * ms]),
        (3, [0, 333_333_333, 666_666_666, s]),
        (1000, [0, ms, 2 * ms, 3 * ms]),
    ] as [(Double, [UInt64])])
    func spawnTimesAreIndexOverRate(spawnRate: Double, readyAt: [UInt64]) {
        #expect(Self.users(4, spawnRate: spawnRate).readyAt == readyAt)
    }

    @Test func stagesRampUpThemselvesSoTheSpawnRateIsIgnored() throws {
        let stages = try #require(Self.profile(4, [(10, 4)]))
        let model = Self.users(4, spawnRate: 1, stages: stages)
        #expect(model.readyAt == [0, 0, 0, 0])
    }

    // MARK: - Users: think time

    /// (think range, elapsed of the next turn) → whether user 1, answered at 10 ms, sends again
    /// then: not before its think time is over.
    @Test(arguments: [
        (nil as ClosedRange<UInt64>?, 10 * ms, true),  // no think time: at once
        (0...0, 10 * ms, true),
        (5 * ms...5 * ms, 10 * ms, false),
        (5 * ms...5 * ms, 15 * ms - 1, false),
        (5 * ms...5 * ms, 15 * ms, true),
        (5 * ms...5 * ms, 16 * ms, true),
        (1 * s...1 * s, 500 * ms, false),
    ] as [(ClosedRange<UInt64>?, UInt64, Bool)])
    func thinkTimeDelaysTheNextRequest(think: ClosedRange<UInt64>?, elapsed: UInt64, goes: Bool) {
        var model = Self.users(2, think: think)
        let first = Self.release(&model, at: 0, idle: [1, 0])
        #expect(first.launched.map(\.connection) == [0, 1])
        model.finished(1, at: 10 * ms)
        let turn = Self.release(&model, at: elapsed, idle: [1])
        #expect(turn.launched == (goes ? [Arrival(connection: 1, intended: elapsed)] : []))
        #expect(turn.idle == (goes ? [] : [1]))
    }

    @Test func thinkTimesAreDrawnFromTheRangeByTheGivenGenerator() {
        let think = 2 * ms...8 * ms
        func draws(seed: UInt64) -> [UInt64] {
            var model = Self.users(1, think: think, seed: seed)
            return (0..<200).map { turn in
                let answered = UInt64(turn) * s
                model.finished(0, at: answered)
                // A ready time before the answer (never drawn) shows as out of range, not a trap.
                return model.readyAt[0] >= answered ? model.readyAt[0] - answered : .max
            }
        }
        let first = draws(seed: 42)
        #expect(first.allSatisfy(think.contains))
        // Spread over the range, not one value.
        #expect(Set(first).count > 100)
        #expect((first.min() ?? 0) < 3 * ms && (first.max() ?? 0) > 7 * ms)
        // The generator decides: the same seed draws the same times, another seed others.
        #expect(draws(seed: 42) == first)
        #expect(draws(seed: 43) != first)
    }

    @Test func aThinkTimePastTheClocksRangeIsNeverNotATrap() {
        var model = Self.users(1, think: 10 * s...10 * s)
        model.finished(0, at: .max - s)
        #expect(model.readyAt == [.max])
        #expect(Self.release(&model, at: .max - 1, idle: [0]).launched.isEmpty)
    }

    @Test func anUnknownConnectionIsLeftIdleAndIgnored() {
        var model = Self.users(2, think: 5 * ms...5 * ms)
        model.finished(7, at: 0)
        #expect(model.readyAt == [0, 0])
        let turn = Self.release(&model, at: 0, idle: [7, 1])
        #expect(turn.launched.map(\.connection) == [1])
        #expect(turn.idle == [7])
    }

    // MARK: - Users: stages

    /// (start, stages, elapsed) → which of four ready users are on: the first round(target).
    @Test(arguments: [
        (0.0, [(UInt64(4), 4.0)], 0 as UInt64, [Int]()),  // ramp 0 → 4 users over 4 s: t users at t s
        (0, [(4, 4)], 499_999_999, []),  // 0.5 users round to 0 below half
        (0, [(4, 4)], 500_000_000, [0]),  // and to 1 from half
        (0, [(4, 4)], 1_600_000_000, [0, 1]),
        (0, [(4, 4)], 3 * s, [0, 1, 2]),
        (0, [(4, 4)], 4 * s, [0, 1, 2, 3]),
        (0, [(4, 4)], 60 * s, [0, 1, 2, 3]),  // after the last stage its target holds
        (4, [(4, 0)], 0, [0, 1, 2, 3]),  // ramp down 4 → 0
        (4, [(4, 0)], 2 * s, [0, 1]),
        (4, [(4, 0)], 3_600_000_000, []),
        (2, [(10, 2)], 5 * s, [0, 1]),  // flat: the first two only, whatever the time
        (1e300, [(1, 1e300)], 0, [0, 1, 2, 3]),  // past Int's range: everyone, no trap
    ] as [(Double, [(UInt64, Double)], UInt64, [Int])])
    func stagesSwitchUsersOnAndOffByTheActiveCount(start: Double, stages: [(UInt64, Double)], elapsed: UInt64, on: [Int]) throws {
        let profile = try #require(Self.profile(start, stages.map { (seconds: $0.0, target: $0.1) }))
        var model = Self.users(4, stages: profile)
        let turn = Self.release(&model, at: elapsed, idle: [3, 2, 1, 0])
        #expect(turn.launched.map(\.connection) == on)
        #expect(Set(turn.idle) == Set(0..<4).subtracting(on))
    }

    @Test func aUserSwitchedOnStillWaitsForItsThinkTime() throws {
        let profile = try #require(Self.profile(2, [(10, 2)]))
        var model = Self.users(2, think: 50 * ms...50 * ms, stages: profile)
        model.finished(0, at: 0)
        let turn = Self.release(&model, at: 10 * ms, idle: [1, 0])
        #expect(turn.launched.map(\.connection) == [1])
        #expect(turn.idle == [0])
    }

    // MARK: - Users: when to wake

    /// (idle users, elapsed) → wait, for four users spawning at 1 per second (ready at 0, 1,
    /// 2, 3 s): until the earliest of the idle ones is ready.
    @Test(arguments: [
        ([3, 2], 500 * ms, 1_500 * ms),
        ([3], 0 as UInt64, 3 * s),
        ([2, 3], 1_999 * ms, 1 * ms),  // the order of the idle list does not matter
        ([3, 2, 1, 0], 0, 0),  // user 0 is ready: at once
        ([3, 2], 2_500 * ms, 0),  // user 2 is past due: at once
        ([], 0, .max),  // nothing idle: nothing to wake for
    ] as [([Int], UInt64, UInt64)])
    func wakeAtTheEarliestReadyTime(idle: [Int], elapsed: UInt64, wait: UInt64) {
        let model = Self.users(4, spawnRate: 1)
        #expect(model.wait(elapsed: elapsed, sent: 0, idle: idle) == wait)
    }

    /// (think time, stages?) → wait at 1 ms for user 0 answered at 0: its think time's end,
    /// at most 10 ms with stages (a stage may switch users on any time).
    @Test(arguments: [
        (5 * ms, false, 4 * ms),
        (5 * ms, true, 4 * ms),
        (50 * ms, false, 49 * ms),
        (50 * ms, true, 10 * ms),
        (5 * s, true, 10 * ms),
        (1 * ms, true, 0),
    ])
    func wakeIsCappedWithStages(think: UInt64, staged: Bool, wait: UInt64) throws {
        let profile = try #require(Self.profile(1, [(10, 1)]))
        var model = Self.users(1, think: think...think, stages: staged ? profile : nil)
        model.finished(0, at: 0)
        #expect(model.wait(elapsed: 1 * ms, sent: 0, idle: [0]) == wait)
        #expect(UserArrivals<SeededRandom>.stagePoll == 10 * ms)
    }

    @Test("users a stage keeps off do not wake the engine: it sleeps until the next poll")
    func usersSwitchedOffDoNotSpin() throws {
        // One user on (target 1 of 3) for 10 s; users 1 and 2 idle with ready times long past.
        let profile = try #require(Self.profile(3, [(10, 1)]))
        var model = Self.users(3, think: nil, stages: profile)
        var idle = [2, 1, 0]
        var launches: [Arrival] = []
        model.release(elapsed: 9 * s, sent: 0, idle: &idle, into: &launches)
        #expect(launches.map(\.connection) == [0])
        #expect(idle.sorted() == [1, 2])
        #expect(model.wait(elapsed: 9 * s, sent: 1, idle: idle) == UserArrivals<SeededRandom>.stagePoll)
    }

    // MARK: - Open

    /// (elapsed, sent, idle connections) → the intended times of the requests released (at
    /// 1000 per second, request n at n ms) and the lag: one per idle connection at most, the
    /// rest wait.
    @Test(arguments: [
        (0 as UInt64, 0, 4, [0 as UInt64], 0 as UInt64),  // request 0 goes at once
        (999_999, 1, 4, [], 0),  // request 1 is due at 1 ms
        (1 * ms, 1, 4, [1 * ms], 0),
        (10 * ms, 1, 4, [1 * ms, 2 * ms, 3 * ms, 4 * ms], 9 * ms),  // ten due, four free: the oldest go
        (10_500_000, 10, 2, [10 * ms], 500_000),
        (10 * ms, 11, 4, [], 0),  // none due
        (10 * ms, 50, 4, [], 0),  // ahead of the schedule: nothing, never negative
        (10 * ms, 1, 0, [], 0),  // due, but nothing free
    ] as [(UInt64, Int, Int, [UInt64], UInt64)])
    func openReleasesTheDueRequestsOnFreeConnections(elapsed: UInt64, sent: Int, free: Int, intended: [UInt64], lag: UInt64) throws {
        var model = OpenArrivals(pacer: try #require(Pacer(rate: 1000)))
        let idle = Array((0..<free).reversed())
        let turn = Self.release(&model, at: elapsed, sent: sent, idle: idle)
        #expect(turn.launched.map(\.intended) == intended)
        #expect(turn.launched.map(\.connection) == Array(0..<intended.count))
        #expect(turn.idle.count == free - intended.count)
        #expect(model.maxLag == lag)
    }

    /// (elapsed, sent, idle connections) → whether the turn counts as saturated: a request
    /// due and not one connection free.
    @Test(arguments: [
        (10 * ms, 1, 0, 1),
        (0 as UInt64, 0, 0, 1),
        (10 * ms, 11, 0, 0),  // nothing due: not saturated, however busy
        (10 * ms, 1, 2, 0),  // due and some free: the rest wait, but the turn was not saturated
    ] as [(UInt64, Int, Int, Int)])
    func saturationIsADueRequestWithNothingFree(elapsed: UInt64, sent: Int, free: Int, ticks: Int) throws {
        var model = OpenArrivals(pacer: try #require(Pacer(rate: 1000)))
        _ = Self.release(&model, at: elapsed, sent: sent, idle: Array(0..<free))
        #expect(model.saturatedTicks == ticks)
    }

    @Test func lagAndSaturationAreKeptOverTurns() throws {
        var model = OpenArrivals(pacer: try #require(Pacer(rate: 1000)))
        _ = Self.release(&model, at: 9 * ms, sent: 0, idle: [])
        _ = Self.release(&model, at: 10 * ms, sent: 0, idle: [])
        #expect(model.saturatedTicks == 2)
        // Request 0, meant for 0, goes 10 ms late; request 12 goes on time later: the most stays.
        _ = Self.release(&model, at: 10 * ms, sent: 0, idle: [0])
        _ = Self.release(&model, at: 12 * ms, sent: 12, idle: [0])
        #expect(model.maxLag == 10 * ms)
        #expect(model.saturatedTicks == 2)
    }

    /// Along a ramp, turn after turn with connections to spare: every request released is
    /// meant for no later than its release, in order, and all the schedule wanted go.
    @Test func openIntendedTimesNeverLieAheadOfTheRelease() throws {
        let pacer = try #require(Pacer(stages: [Stage(durationNanoseconds: 2 * s, target: 500)]))
        var model = OpenArrivals(pacer: pacer)
        var sent = 0
        var last: UInt64 = 0
        for elapsed in stride(from: UInt64(0), through: 2 * s, by: 4_000_000) {
            let turn = Self.release(&model, at: elapsed, sent: sent, idle: Array(0..<64))
            for arrival in turn.launched {
                #expect(arrival.intended <= elapsed && arrival.intended >= last)
                last = arrival.intended
            }
            sent += turn.launched.count
        }
        #expect(sent == pacer.scheduled(by: 2 * s))
        #expect(sent == 501)
        #expect(model.saturatedTicks == 0)
    }

    /// (rate, sent in a 1 s run) → requests behind: those the schedule wanted before the end
    /// that never went.
    @Test(arguments: [
        (1000.0, 1000, 0),
        (1000, 990, 10),
        (1000, 1200, 0),  // never negative
        (10, 0, 10),
        (10, 9, 1),
        (10, 10, 0),
    ])
    func behindIsWhatTheScheduleWantedAndNeverWent(rate: Double, sent: Int, behind: Int) throws {
        let model = OpenArrivals(pacer: try #require(Pacer(rate: rate)))
        #expect(model.behind(duration: s, sent: sent) == behind)
    }

    @Test func behindAlongAStagedSchedule() throws {
        // 0 → 100 per second over 10 s: 500 arrivals after request 0.
        let model = OpenArrivals(pacer: try #require(Pacer(stages: [Stage(durationNanoseconds: 10 * s, target: 100)])))
        #expect(model.behind(duration: 10 * s, sent: 0) == 500)
        #expect(model.behind(duration: 10 * s, sent: 450) == 50)
    }

    /// (elapsed, sent) → wait at 100 per second: until the next request on the schedule.
    @Test(arguments: [
        (0 as UInt64, 1, 10 * ms),
        (25 * ms, 1, 0),
        (15 * ms, 2, 5 * ms),
    ])
    func openWakesForTheNextIntendedSend(elapsed: UInt64, sent: Int, wait: UInt64) throws {
        let model = OpenArrivals(pacer: try #require(Pacer(rate: 100)))
        #expect(model.wait(elapsed: elapsed, sent: sent, idle: [0]) == wait)
        model.finished(0, at: elapsed)
        #expect(model.wait(elapsed: elapsed, sent: sent, idle: [0]) == wait)
    }

    @Test func openWaitsForeverOnceTheStagesAreOver() throws {
        let model = OpenArrivals(pacer: try #require(Pacer(stages: [Stage(durationNanoseconds: 10 * s, target: 100)])))
        #expect(model.wait(elapsed: 10 * s, sent: 501, idle: [0]) == .max)
    }

    // MARK: - Through the engine

    /// The open model's account reaches the result: one connection, never answered (the
    /// listener never accepts, no time limit), holds request 0; the other 29 of 100 per second
    /// over 0.3 s never go.
    @Test func openModelBehindReachesTheResult() async throws {
        let listener = try LoopbackListener()
        let request = ClientRequest(url: "http://127.0.0.1:\(listener.port)/never", timeoutMilliseconds: 0)
        let plan = LoadPlan(
            requests: [LoadRequest(request: request)], connections: 1, durationNanoseconds: 300 * ms, model: .open(rate: 100))
        let result = await LoadRun.run(plan)
        #expect(result.setupError == nil)
        #expect(result.sent == 1)
        #expect(result.behind == 29)
        withExtendedLifetime(listener) {}
    }

    /// The users model through the engine, in its times from the start: against a listener
    /// that never answers, each request holds its user (no time limit), so what was sent is
    /// who was released. (users, spawn rate, stages of users, duration) → sent.
    @Test(arguments: [
        (4, 1.0 as Double?, [Stage](), 1_500 * ms, 2),  // spawned at 0, 1, 2, 3 s: two within 1.5 s
        (4, nil, [], 300 * ms, 4),  // no ramp-up: all at once
        (0, nil, [Stage(durationNanoseconds: 1 * s, target: 2)], 0, 2),  // 0 → 2 users: on at 0.25 s and 0.75 s
    ] as [(Int, Double?, [Stage], UInt64, Int)])
    func usersAreReleasedThroughTheEngine(users: Int, spawnRate: Double?, stages: [Stage], duration: UInt64, sent: Int) async throws {
        let listener = try LoopbackListener()
        let request = ClientRequest(url: "http://127.0.0.1:\(listener.port)/never", timeoutMilliseconds: 0)
        var plan = LoadPlan(requests: [LoadRequest(request: request)], connections: users, durationNanoseconds: duration, spawnRate: spawnRate)
        plan.stages = stages
        let result = await LoadRun.run(plan)
        #expect(result.setupError == nil)
        #expect(result.sent == sent)
        withExtendedLifetime(listener) {}
    }

    /// Think time through the engine: one user whose every request times out at 100 ms thinks
    /// 300 ms after each, so it sends at 0, 0.4 and 0.8 s of a 1 s run, where it would send
    /// about ten times without thinking.
    @Test func thinkTimeHoldsTheUserThroughTheEngine() async throws {
        let listener = try LoopbackListener()
        let request = ClientRequest(url: "http://127.0.0.1:\(listener.port)/never", timeoutMilliseconds: 100)
        let plan = LoadPlan(
            requests: [LoadRequest(request: request)], connections: 1, durationNanoseconds: 1 * s, thinkNanoseconds: 300 * ms...300 * ms)
        let result = await LoadRun.run(plan)
        #expect(result.setupError == nil)
        #expect(result.sent == 3)
        #expect(result.recorder.errors == [.timeout: 3])
        withExtendedLifetime(listener) {}
    }

    /// Stages switch users off through the engine: two users whose every request times out at
    /// 130 ms send at 0, 0.13, 0.26 and 0.39 s while the stage holds 2 users for 0.5 s, and not
    /// again while the next holds 0 for 0.5 s.
    @Test func stagesSwitchUsersOffThroughTheEngine() async throws {
        let listener = try LoopbackListener()
        let request = ClientRequest(url: "http://127.0.0.1:\(listener.port)/never", timeoutMilliseconds: 130)
        var plan = LoadPlan(requests: [LoadRequest(request: request)], connections: 1, durationNanoseconds: 1)
        plan.stages = [
            Stage(durationNanoseconds: 0, target: 2), Stage(durationNanoseconds: 500 * ms, target: 2),
            Stage(durationNanoseconds: 0, target: 0), Stage(durationNanoseconds: 500 * ms, target: 0),
        ]
        let result = await LoadRun.run(plan)
        #expect(result.setupError == nil)
        #expect(plan.connections == 2)
        // Eight on time; a loaded machine may push a user's fourth past the stage (no more
        // than eight either way: without the switch-off they would send sixteen).
        #expect((6...8).contains(result.sent))
        withExtendedLifetime(listener) {}
    }

    /// A run that never starts owes nothing: no request is counted behind.
    @Test func aRunThatNeverStartsIsNotBehind() async {
        let plan = LoadPlan(
            requests: [(request: .init(url: "http://127.0.0.1:9/"), weight: 0)], connections: 1, durationNanoseconds: s,
            model: .open(rate: 1000))
        let result = await LoadRun.run(plan)
        #expect(result.setupError?.contains("no request with a positive weight") == true)
        #expect(result.sent == 0)
        #expect(result.behind == 0)
    }
}
