import AccordResults

/// The capacity search's rule, as pure functions: constant arrival rates (open model) stepped
/// up from half the starting throughput by a quarter of it; a step holds while errors stay
/// under 1%, throughput keeps up with the offer and every p99 is within target. After the
/// first step that breaks, bisection between the highest rate held below it and it, until the
/// two are within 5% of each other. Sustained = the highest offered rate a whole step held
/// below the lowest that broke; peak = the most any measurement reached.
public enum CapacityRule {
    /// Bisection stops when the broken rate is within this share above the held one.
    public static let refinement = 0.05
    /// Bisection steps at most (from a 50% gap, 4 reach 5%).
    public static let maxRefinements = 6

    /// The offered rate of step `index` (0-based) for a closed-model throughput.
    public static func rate(step index: Int, closedRPS: Double) -> Double {
        max(10, (closedRPS * factor(step: index)).rounded())
    }

    /// Step `index`'s rate as a multiple of the start: 0.5, 0.75, 1, 1.25 …
    public static func factor(step index: Int) -> Double { 0.5 + 0.25 * Double(index) }

    /// Connections enough that a step at `rate` is not capped by them while latency stays
    /// within target (Little's law, twice over), bounded.
    public static func connections(rate: Double, p99Milliseconds: Double) -> Int {
        min(1000, max(50, Int((rate * p99Milliseconds / 1000 * 2).rounded(.up))))
    }

    /// A step holds when errors (failed and unanswered) stay under 1%, what succeeded kept up
    /// with what was offered (95%), and every group's p99 is within its own target.
    public static func held(_ measurement: LoadPhase.Measurement, offered: Double, groupP99s: [(p99: Double, target: Double)]) -> Bool {
        measurement.errorRate < 0.01 && measurement.rps >= 0.95 * offered && groupP99s.allSatisfy { $0.p99 <= $0.target }
    }

    /// The rate of the next step after `steps`, or nil when the search is done: stepping up
    /// (``rate(step:closedRPS:)``) while every step held, up to `maxSteps`; once one broke,
    /// the midpoint between the highest rate held below the lowest broken one and it, until
    /// they are within ``refinement`` of each other. Nothing held: nothing to refine.
    public static func nextRate(after steps: [Capacity.Step], startRPS: Double, maxSteps: Int) -> Double? {
        guard let broken = lowestBroken(steps) else {
            return steps.count < maxSteps ? rate(step: steps.count, closedRPS: startRPS) : nil
        }
        let refinements = steps.count - (steps.firstIndex { !$0.held } ?? steps.count) - 1
        guard let held = highestHeld(steps, below: broken), refinements < maxRefinements,
            broken - held > refinement * held
        else { return nil }
        let middle = ((held + broken) / 2).rounded()
        return middle > held && middle < broken ? middle : nil
    }

    /// The lowest offered rate a step broke at, if any did.
    static func lowestBroken(_ steps: [Capacity.Step]) -> Double? {
        steps.filter { !$0.held }.map(\.offeredRPS).min()
    }

    /// The highest offered rate a step held below `limit` (every held rate without one).
    static func highestHeld(_ steps: [Capacity.Step], below limit: Double? = nil) -> Double? {
        steps.filter { $0.held && $0.offeredRPS < (limit ?? .infinity) }.map(\.offeredRPS).max()
    }

    /// Sustained and peak from the steps run: sustained is the highest rate held below the
    /// lowest that broke; peak is the most any measurement reached (a step, or the endpoint's
    /// own phase when one was measured).
    public static func summarize(subject: String, p99Target: Double, measuredRPS: Double?, steps: [Capacity.Step], generatorBound: Bool) -> Capacity {
        let sustained = highestHeld(steps, below: lowestBroken(steps))
        return Capacity(
            subject: subject, p99Target: p99Target, sustainedRPS: sustained,
            peakRPS: max(measuredRPS ?? 0, steps.map(\.achievedRPS).max() ?? 0), generatorBound: generatorBound, steps: steps)
    }
}
