import AccordChecks
import AccordResults
import AccordSpec
import Testing

/// The pure parts of a run's load half: reconciliation counts, the capacity search's
/// arithmetic and stopping rule, the bottleneck statements, /proc parsing and SHA-256.
struct VerdictTests {
    @Test("reconciliation counts lost and duplicated per store")
    func tally() {
        let acknowledged: Set<String> = ["a", "b", "c", "d"]
        let result = LoadVerdicts.tally(
            phase: "create_job", acknowledged: acknowledged, database: ["a": 1, "b": 1, "c": 2], streams: ["a": 1, "b": 2, "c": 1, "d": 1],
            note: nil)
        #expect(result.acknowledged == 4)
        #expect(result.lostInDatabase == 1)
        #expect(result.duplicatedInDatabase == 1)
        #expect(result.lostInStreams == 0)
        #expect(result.duplicatedInStreams == 1)
        #expect(result.lost == 1 && result.duplicated == 2)
        let clean = LoadVerdicts.tally(phase: "x", acknowledged: acknowledged, database: ["a": 1, "b": 1, "c": 1, "d": 1], streams: nil, note: "no redis")
        #expect(clean.lost == 0 && clean.duplicated == 0 && clean.note == "no redis")
    }

    @Test("capacity steps climb by a quarter of the closed-model throughput from half of it")
    func capacityRates() {
        #expect((0..<5).map { CapacityRule.rate(step: $0, closedRPS: 1000) } == [500, 750, 1000, 1250, 1500])
        #expect(CapacityRule.rate(step: 0, closedRPS: 4) == 10)
        #expect(CapacityRule.connections(rate: 5000, p99Milliseconds: 50) == 500)
        #expect(CapacityRule.connections(rate: 100, p99Milliseconds: 20) == 50)
        #expect(CapacityRule.connections(rate: 100_000, p99Milliseconds: 100) == 1000)
    }

    @Test("a step holds only within every group's p99 target, the error budget and the offered rate")
    func capacityHeld() {
        func m(rps: Double, errors: Double) -> LoadPhase.Measurement {
            .init(requests: 100, rps: rps, errorRate: errors, p50: 1, p90: 1, p95: 1, p99: 1, p999: 1, max: 1, generatorBound: false)
        }
        #expect(CapacityRule.held(m(rps: 990, errors: 0), offered: 1000, groupP99s: [(p99: 40, target: 50)]))
        #expect(!CapacityRule.held(m(rps: 990, errors: 0), offered: 1000, groupP99s: [(p99: 51, target: 50)]))
        #expect(!CapacityRule.held(m(rps: 990, errors: 0.01), offered: 1000, groupP99s: [(p99: 40, target: 50)]))
        #expect(!CapacityRule.held(m(rps: 900, errors: 0), offered: 1000, groupP99s: [(p99: 40, target: 50)]))
        // A mix: the strict endpoint over its own target breaks the step, whatever the loose one does.
        #expect(!CapacityRule.held(m(rps: 990, errors: 0), offered: 1000, groupP99s: [(p99: 60, target: 50), (p99: 60, target: 100)]))
    }

    @Test("sustained is the last step of the unbroken run of held steps; peak the most measured")
    func capacitySummary() {
        let steps = [
            Capacity.Step(offeredRPS: 500, achievedRPS: 500, p50: 1, p99: 5, errorRate: 0, held: true),
            Capacity.Step(offeredRPS: 750, achievedRPS: 749, p50: 1, p99: 9, errorRate: 0, held: true),
            Capacity.Step(offeredRPS: 1000, achievedRPS: 930, p50: 20, p99: 200, errorRate: 0, held: false),
        ]
        let capacity = CapacityRule.summarize(subject: "s", p99Target: 50, measuredRPS: 900, steps: steps, generatorBound: false)
        #expect(capacity.sustainedRPS == 750)
        #expect(capacity.peakRPS == 930)
        let none = CapacityRule.summarize(subject: "s", p99Target: 50, measuredRPS: 990, steps: Array(steps.suffix(1)), generatorBound: false)
        #expect(none.sustainedRPS == nil)
        #expect(none.peakRPS == 990)
        // An estimate that was never measured is no peak.
        let mix = CapacityRule.summarize(subject: "mix", p99Target: 50, measuredRPS: nil, steps: Array(steps.suffix(1)), generatorBound: false)
        #expect(mix.peakRPS == 930)
    }

    @Test("a fault's window runs from when it took effect to health again, counted from the end of its for")
    func faultWindow() throws {
        let location = SourceLocation(file: "f.yaml", line: 3, column: 9)
        let fault = FaultSpec(action: .stopRedis, atMilliseconds: 2000, forMilliseconds: 3000, location: location)
        let timing = FaultTiming(fault: fault, appliedSeconds: 2.1, revertedSeconds: 6.5, recoverySeconds: 0.4)
        let series = (0..<10).map { LoadPhase.SecondPoint(second: $0, requests: 100, errors: (2...5).contains($0) ? 50 : 0, p50: 1, p99: 2) }
        let phase = LoadPhase(
            name: "redis-stop", load: "", seconds: 10,
            measurement: .init(requests: 1000, rps: 100, errorRate: 0.2, p50: 1, p90: 1, p95: 1, p99: 1, p999: 1, max: 1, generatorBound: false),
            series: series)
        let reconciliation = Reconciliation(phase: "p", acknowledged: 400, lostInDatabase: 0, duplicatedInDatabase: 0, lostInStreams: 1, duplicatedInStreams: 0)
        let outcome = LoadVerdicts.faultOutcome(timing, scenario: "redis-stop", phase: phase, reconciliation: reconciliation)
        // Seconds 2…5 (2.1 + 3 + 0.4 = 5.5): the revert's own duration (until 6.5) is not in it.
        #expect(outcome.requestsDuring == 400)
        #expect(outcome.errorRateDuring == 0.5)
        #expect(outcome.lost == 1)
        let verdict = LoadVerdicts.verdict(for: outcome, timing: timing)
        #expect(verdict.outcome == .failed)
        let recovered = LoadVerdicts.verdict(
            for: LoadVerdicts.faultOutcome(timing, scenario: "redis-stop", phase: phase, reconciliation: nil), timing: timing)
        #expect(recovered.outcome == .passed)
        let never = FaultTiming(fault: fault, appliedSeconds: 2.1, revertedSeconds: 6.5, recoverySeconds: nil)
        #expect(LoadVerdicts.verdict(for: LoadVerdicts.faultOutcome(never, scenario: "s", phase: phase, reconciliation: nil), timing: never).outcome == .failed)
    }

    @Test("a reconciliation that could not read a store is an error, never a pass")
    func reconciliationVerdicts() {
        let location = SourceLocation(file: "f.yaml", line: 1, column: 1)
        let unchecked = LoadVerdicts.tally(phase: "p", acknowledged: ["a"], database: nil, streams: nil, note: "PostgreSQL not checked: down")
        #expect(LoadVerdicts.verdict(for: unchecked, location: location).outcome == .error)
        let clean = LoadVerdicts.tally(phase: "p", acknowledged: ["a"], database: ["a": 1], streams: ["a": 1], note: nil)
        #expect(LoadVerdicts.verdict(for: clean, location: location).outcome == .passed)
        let lost = LoadVerdicts.tally(phase: "p", acknowledged: ["a", "b"], database: ["a": 1], streams: ["a": 1, "b": 1], note: nil)
        #expect(LoadVerdicts.verdict(for: lost, location: location).outcome == .failed)
    }

    @Test("bottlenecks name the generator, a used-up CPU, the dominant server phase and the errors")
    func bottlenecks() {
        let busy = [LoadPhase.ResourceSample(second: 1, serverCPU: 120, generatorCPU: 75, postgresConnections: ["active": 6]), .init(second: 2, postgresConnections: ["active": 3, "idle": 3])]
        let timing = [
            "app": HistogramData(counts: [[100, 10]]), "db": HistogramData(counts: [[800, 10]]), "redis": HistogramData(counts: [[100, 10]]),
        ]
        let phase = LoadPhase(
            name: "create_job", load: "50 connections",
            seconds: 3,
            measurement: .init(requests: 100, rps: 33, errorRate: 0.02, p50: 1, p90: 1, p95: 1, p99: 1, p999: 1, max: 1, generatorBound: true),
            serverTiming: timing, errorsByKind: ["status": 2], resources: busy)
        let statement = BottleneckAnalysis.statement(for: phase, cores: 2) ?? ""
        #expect(statement.hasPrefix("create_job: "))
        #expect(statement.contains("the load generator kept its core busy"))
        #expect(statement.contains("the machine's CPU was used up (server 120% + generator 75% of 200%)"))
        #expect(statement.contains("db took 80%"))
        #expect(statement.contains("all 6 PostgreSQL backends busy at once in 1 of 2 seconds"))
        #expect(statement.contains("2 status"))
        let idle = LoadPhase(
            name: "health", load: "",
            seconds: 3,
            measurement: .init(requests: 100, rps: 33, errorRate: 0, p50: 1, p90: 1, p95: 1, p99: 1, p999: 1, max: 1, generatorBound: false))
        #expect(BottleneckAnalysis.statement(for: idle, cores: 2) == nil)
    }

}
