import AccordHTTP
import AccordLoad
import AccordResults

/// Capacity search for one endpoint or a mix: constant arrival rates (open model, latency
/// from the intended send time) stepped up from half the closed-model throughput by a
/// quarter of it, until a step breaks the p99 target or the 1% error budget, the generator
/// runs out, or the step limit is reached. Sustained = the highest offered rate a whole step
/// held; peak = the highest throughput any step (or the closed-model phase) reached.
struct CapacitySearch {
    var stepSeconds: Double
    var maxSteps = 7
    var threads = 1

    /// The offered rate of step `index` (0-based) for a closed-model throughput. Pure.
    static func rate(step index: Int, closedRPS: Double) -> Double {
        max(10, (closedRPS * (0.5 + 0.25 * Double(index))).rounded())
    }

    /// Connections enough that a step at `rate` is not capped by them while latency stays
    /// within target (Little's law, twice over), bounded. Pure.
    static func connections(rate: Double, p99Milliseconds: Double) -> Int {
        min(1000, max(50, Int((rate * p99Milliseconds / 1000 * 2).rounded(.up))))
    }

    /// A step holds when its p99 is within target, errors stay under 1%, and what completed
    /// kept up with what was offered (95%). Pure.
    static func held(_ measurement: LoadPhase.Measurement, offered: Double, p99Target: Double) -> Bool {
        measurement.p99 <= p99Target && measurement.errorRate < 0.01 && measurement.rps >= 0.95 * offered
    }

    /// Sustained and peak from the steps run. Pure.
    static func summarize(subject: String, p99Target: Double, closedRPS: Double, steps: [Capacity.Step], generatorBound: Bool) -> Capacity {
        var sustained: Double?
        for step in steps {
            guard step.held else { break }
            sustained = step.offeredRPS
        }
        return Capacity(
            subject: subject, p99Target: p99Target, sustainedRPS: sustained,
            peakRPS: max(closedRPS, steps.map(\.achievedRPS).max() ?? 0), generatorBound: generatorBound, steps: steps)
    }

    func run(
        subject: String, requests: [LoadRequest], p99Target: Double, closedRPS: Double,
        reporter: ConformanceRun.Reporter
    ) async -> (capacity: Capacity, acknowledged: [String]) {
        var steps: [Capacity.Step] = []
        var acknowledged: [String] = []
        var generatorBound = false
        for index in 0..<maxSteps {
            let offered = Self.rate(step: index, closedRPS: closedRPS)
            let phase = "capacity \(subject) at \(Int(offered)) req/s"
            var plan = LoadPlan(
                requests: requests,
                connections: Self.connections(rate: offered, p99Milliseconds: p99Target),
                durationNanoseconds: UInt64(stepSeconds * 1e9), model: .open(rate: offered), threads: threads)
            plan.serverTiming = true
            let feed = LiveFeed()
            plan.feed = feed
            let planned = plan
            let result = await LiveTicker.around(phase: phase, totalSeconds: stepSeconds, reporter: reporter, feed: feed) {
                await LoadRun.run(planned)
            }
            acknowledged += zip(requests, result.collected).filter { $0.0.collect != nil }.flatMap(\.1)
            let measurement = LoadPhase.Measurement(result.recorder, seconds: stepSeconds, generatorBound: result.generatorBound)
            let held = Self.held(measurement, offered: offered, p99Target: p99Target)
            steps.append(Capacity.Step(
                offeredRPS: offered, achievedRPS: measurement.rps, p50: measurement.p50, p99: measurement.p99,
                errorRate: measurement.errorRate, held: held))
            if result.generatorBound && !held { generatorBound = true }
            if !held || result.setupError != nil { break }
        }
        return (Self.summarize(subject: subject, p99Target: p99Target, closedRPS: closedRPS, steps: steps, generatorBound: generatorBound), acknowledged)
    }
}
