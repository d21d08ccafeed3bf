import AccordResults

/// The capacity search's rule, as pure functions: constant arrival rates (open model) stepped
/// up from half the closed-model throughput by a quarter of it; a step holds while errors stay
/// under 1%, throughput keeps up with the offer and every p99 is within target. Sustained =
/// the highest offered rate a whole step held; peak = the most any measurement reached.
public enum CapacityRule {
    /// The offered rate of step `index` (0-based) for a closed-model throughput.
    public static func rate(step index: Int, closedRPS: Double) -> Double {
        max(10, (closedRPS * (0.5 + 0.25 * Double(index))).rounded())
    }

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

    /// Sustained and peak from the steps run: peak is the most any measurement reached
    /// (a step, or the closed-model phase when one was measured).
    public static func summarize(subject: String, p99Target: Double, measuredRPS: Double?, steps: [Capacity.Step], generatorBound: Bool) -> Capacity {
        var sustained: Double?
        for step in steps {
            guard step.held else { break }
            sustained = step.offeredRPS
        }
        return Capacity(
            subject: subject, p99Target: p99Target, sustainedRPS: sustained,
            peakRPS: max(measuredRPS ?? 0, steps.map(\.achievedRPS).max() ?? 0), generatorBound: generatorBound, steps: steps)
    }
}
