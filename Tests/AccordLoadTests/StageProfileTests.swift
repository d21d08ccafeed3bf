import AccordLoad
import Testing

@Suite("Stage profile")
struct StageProfileTests {
    static let s: UInt64 = 1_000_000_000

    static func profile(_ start: Double, _ stages: [(seconds: UInt64, target: Double)]) -> StageProfile? {
        StageProfile(start: start, stages: stages.map { Stage(durationNanoseconds: $0.seconds * s, target: $0.target) })
    }

    /// (start, stages, elapsed s, target, arrivals due by then)
    @Test(arguments: [
        (0.0, [(UInt64(10), 100.0)], 0.0, 0.0, 0.0),
        (0.0, [(10, 100)], 5, 50, 125),  // ramp 0→100/s over 10 s: 5t² arrivals
        (0.0, [(10, 100)], 10, 100, 500),
        (0.0, [(10, 100)], 60, 100, 500),  // after the last stage: its target holds, no more arrivals
        (0.0, [(10, 100), (10, 100)], 15, 100, 1000),  // ramp then hold
        (100, [(10, 0)], 5, 50, 375),  // ramp down from the start value: 100t − 5t²
        (100, [(10, 0)], 10, 0, 500),
        (0.0, [(0, 50), (2, 50)], 1, 50, 50),  // a stage of no duration jumps
        (20, [(4, 20)], 2, 20, 40),  // constant
    ] as [(Double, [(UInt64, Double)], Double, Double, Double)])
    func targetAndArrivals(start: Double, stages: [(UInt64, Double)], elapsed: Double, target: Double, arrivals: Double) throws {
        let profile = try #require(Self.profile(start, stages.map { (seconds: $0.0, target: $0.1) }))
        let at = UInt64(elapsed * 1e9)
        #expect(abs(profile.target(at: at) - target) < 1e-9)
        #expect(abs(profile.cumulative(at: at) - arrivals) < 1e-6)
    }

    /// (start, stages, arrivals, when they are reached in s, nil for never)
    @Test(arguments: [
        (0.0, [(UInt64(10), 100.0)], 0.0, 0.0 as Double?),
        (0.0, [(10, 100)], 125, 5),
        (0.0, [(10, 100)], 500, 10),
        (0.0, [(10, 100)], 500.5, nil),  // beyond what the stages bring
        (100, [(10, 0)], 375, 5),
        (0.0, [(10, 100), (10, 100)], 1000, 15),
        (0.0, [(5, 0), (10, 100)], 125, 10),  // nothing during a stage at 0
        (0.0, [(0, 50), (2, 50)], 50, 1),
    ] as [(Double, [(UInt64, Double)], Double, Double?)])
    func inverseOfTheArrivals(start: Double, stages: [(UInt64, Double)], arrivals: Double, seconds: Double?) throws {
        let profile = try #require(Self.profile(start, stages.map { (seconds: $0.0, target: $0.1) }))
        let time = profile.time(reaching: arrivals)
        if let seconds {
            let reached = try #require(time)
            #expect(abs(Double(reached) / 1e9 - seconds) < 1e-6)
        } else {
            #expect(time == nil)
        }
    }

    @Test func totalAndPeak() throws {
        let profile = try #require(Self.profile(10, [(3, 40), (0, 5), (2, 0)]))
        #expect(profile.totalNanoseconds == 5 * Self.s)
        #expect(profile.peak == 40)
    }

    @Test(arguments: [(-1.0, 10.0), (0, -5), (.nan, 1), (0, .infinity)])
    func rejectsNegativeOrNonFiniteTargets(start: Double, target: Double) {
        #expect(Self.profile(start, [(1, target)]) == nil)
    }
}
