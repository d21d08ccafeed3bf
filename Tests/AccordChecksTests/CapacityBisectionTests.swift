import AccordChecks
import AccordResults
import Testing

/// The capacity search's next rate: stepping up while every step holds, then bisection
/// between the highest rate held below the first broken one and it, until within 5%.
@Suite("Capacity: stepping up, then bisection to within 5%")
struct CapacityBisectionTests {
    /// Steps as `offered` (held) or `-offered` (broken).
    static func steps(_ rates: [Double]) -> [Capacity.Step] {
        rates.map { Capacity.Step(offeredRPS: abs($0), achievedRPS: abs($0), p50: 1, p99: 1, errorRate: 0, held: $0 > 0) }
    }

    static let nextRates: [(rates: [Double], next: Double?)] = [
        ([], 500),
        ([500], 750),
        ([500, 750, 1000, 1250], 1500),
        ([500, 750, 1000, 1250, 1500], nil),  // every step held, the step limit reached: at least 1500
        ([500, 750, -1000], 875),  // the midpoint of the last held and the first broken
        ([500, 750, -1000, 875], 938),
        ([500, 750, -1000, 875, 938], 969),
        ([500, 750, -1000, 875, 938, 969], nil),  // 1000 is within 5% of 969
        ([500, 750, -1000, -875], 813),  // broken again: between 750 and 875
        ([500, -750], 625),
        ([-500], nil),  // nothing held: nothing to refine
        ([100, -1000, -550, -325, -213, -156, -128], 114),
        ([100, -1000, -550, -325, -213, -156, -128, -114], nil),  // six refinements at most
        ([10, -11], nil),  // no whole rate between them
    ]

    @Test(arguments: nextRates)
    func nextRate(rates: [Double], next: Double?) {
        #expect(CapacityRule.nextRate(after: Self.steps(rates), startRPS: 1000, maxSteps: 5) == next)
    }

    static let sustainedRates: [(rates: [Double], sustained: Double?)] = [
        ([500, 750, -1000, 875, -938, 906], 906),
        ([500, 750, -1000, 875, 938, 969], 969),
        ([500, 750, 1000], 1000),
        ([-500], nil),
    ]

    @Test(arguments: sustainedRates)
    func sustainedIsTheHighestHeldBelowTheLowestBroken(rates: [Double], sustained: Double?) {
        let capacity = CapacityRule.summarize(subject: "s", p99Target: 50, measuredRPS: nil, steps: Self.steps(rates), generatorBound: false)
        #expect(capacity.sustainedRPS == sustained)
    }

    @Test func aSearchAgainstAFixedCapacityEndsWithin5Percent() {
        // A server that holds any rate up to 1130 req/s, searched from a phase that did 1000.
        var steps: [Capacity.Step] = []
        while let rate = CapacityRule.nextRate(after: steps, startRPS: 1000, maxSteps: 5) {
            steps += Self.steps([rate <= 1130 ? rate : -rate])
        }
        let sustained = CapacityRule.summarize(subject: "s", p99Target: 50, measuredRPS: nil, steps: steps, generatorBound: false).sustainedRPS
        #expect(sustained.map { $0 <= 1130 && $0 >= 1130 / 1.05 } == true)
        #expect(steps.count <= 5 + CapacityRule.maxRefinements)
    }
}
