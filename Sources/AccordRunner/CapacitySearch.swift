import AccordChecks
import AccordHTTP
import AccordLoad
import AccordResults
import Foundation

/// Capacity search for one endpoint or a mix: constant arrival rates (open model, latency
/// from the intended send time) stepped up from half the starting throughput by a quarter of
/// it, until a step breaks the p99 target or the 1% error budget, the generator runs out, or
/// the step limit is reached; then bisection between the last rate held and the first broken
/// until they are within 5% (CapacityRule.nextRate). Sustained = the highest offered rate a
/// whole step held below the lowest that broke; peak = the highest throughput any step (or
/// the endpoint's own phase) reached.
struct CapacitySearch {
    var stepSeconds: Double
    var maxSteps = 7
    var threads = 1
    /// The run's pools and feeders, and its `{{seq}}` counter, for templated requests.
    var sources: [ValueSource] = []
    var counter = SequenceCounter()
    /// A shard's search: every planned step (`maxSteps`), none skipped after a break and no
    /// bisection, each starting at `firstStep` + its index × (step + gap), the same instants on
    /// every shard. `accord merge` judges the steps added up.
    var ladder = false
    var firstStep: Date?

    /// Requests of the plan judged together against one p99 target: an endpoint of a mix.
    struct Group: Sendable {
        var name: String
        var requests: [Int]
        var p99Target: Double
    }

    /// Steps up from `startRPS` (a closed-model throughput, measured or estimated) until a
    /// step breaks; `measuredRPS` (successful requests per second actually measured) counts
    /// toward the peak. `p99Target` on the result is the strictest group's.
    func run(
        subject: String, requests: [LoadRequest], groups: [Group], startRPS: Double, measuredRPS: Double?,
        reporter: ConformanceRun.Reporter
    ) async -> (capacity: Capacity, collected: [[String]]) {
        var steps: [Capacity.Step] = []
        // Per plan request: what its accepted answers carried, over every step.
        var collected = requests.map { _ in [String]() }
        var generatorBound = false
        let strictest = groups.map(\.p99Target).min() ?? 0
        let loosest = groups.map(\.p99Target).max() ?? 0
        while let offered = nextRate(after: steps, startRPS: startRPS), !Task.isCancelled {
            if ladder, let firstStep {
                await LoadSession.sleep(until: firstStep.addingTimeInterval(Double(steps.count) * (stepSeconds + RunPlan.shardPhaseGap)))
            }
            let phase = "capacity \(subject) at \(Int(offered)) req/s"
            var plan = LoadPlan(
                requests: requests, connections: CapacityRule.connections(rate: offered, p99Milliseconds: loosest),
                durationNanoseconds: UInt64(stepSeconds * 1e9), model: .open(rate: offered), threads: threads)
            plan.serverTiming = true
            plan.sources = sources
            plan.counter = counter
            let feed = LiveFeed()
            plan.feed = feed
            let planned = plan
            let result = await LiveTicker.around(phase: phase, totalSeconds: stepSeconds, reporter: reporter, feed: feed) {
                await LoadRun.run(planned)
            }
            for (index, values) in result.collected.enumerated() where collected.indices.contains(index) { collected[index] += values }
            let stepPhase = LoadPhase(name: phase, load: "", result: result)
            let measurement = stepPhase.measurement
            let groupP99s = groups.map { group -> (p99: Double, target: Double) in
                var recorder = LoadRecorder()
                for index in group.requests where result.perRequest.indices.contains(index) { recorder.merge(result.perRequest[index]) }
                return (p99: LoadPhase.Measurement(recorder, seconds: stepSeconds, generatorBound: false).p99, target: group.p99Target)
            }
            let held = CapacityRule.held(measurement, offered: offered, groupP99s: groupP99s) && result.setupError == nil
            var step = Capacity.Step(
                offeredRPS: offered, achievedRPS: measurement.rps, p50: measurement.p50, p99: measurement.p99,
                errorRate: measurement.errorRate, held: held, behind: result.behind, unanswered: stepPhase.unanswered)
            if ladder {
                // What accord merge adds up: the step's requests, errors and histogram.
                step.requests = measurement.requests
                step.errors = Int((measurement.errorRate * Double(measurement.requests)).rounded())
                step.latency = stepPhase.latency
            }
            steps.append(step)
            if result.generatorBound && !held { generatorBound = true }
        }
        let capacity = CapacityRule.summarize(subject: subject, p99Target: strictest, measuredRPS: measuredRPS, steps: steps, generatorBound: generatorBound)
        return (capacity, collected)
    }

    /// The next step's rate: the rule's, or for a ladder simply the next planned step.
    func nextRate(after steps: [Capacity.Step], startRPS: Double) -> Double? {
        guard ladder else { return CapacityRule.nextRate(after: steps, startRPS: startRPS, maxSteps: maxSteps) }
        return steps.count < maxSteps ? CapacityRule.rate(step: steps.count, closedRPS: startRPS) : nil
    }
}
