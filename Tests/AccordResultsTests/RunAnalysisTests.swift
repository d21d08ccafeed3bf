import AccordHTTP
import AccordHTTPTypes
import AccordLoad
import AccordResults
import AccordSpec
import Testing

@testable import AccordRunner
@testable import AccordEnvironment

/// The pure parts of a run's load half: reconciliation counts, the capacity search's
/// arithmetic and stopping rule, the bottleneck statements, /proc parsing and SHA-256.
struct RunAnalysisTests {
    @Test("reconciliation counts lost and duplicated per store")
    func tally() {
        let acknowledged: Set<String> = ["a", "b", "c", "d"]
        let result = Reconciler.tally(
            phase: "create_job", acknowledged: acknowledged, database: ["a": 1, "b": 1, "c": 2], streams: ["a": 1, "b": 2, "c": 1, "d": 1],
            note: nil)
        #expect(result.acknowledged == 4)
        #expect(result.lostInDatabase == 1)
        #expect(result.duplicatedInDatabase == 1)
        #expect(result.lostInStreams == 0)
        #expect(result.duplicatedInStreams == 1)
        #expect(result.lost == 1 && result.duplicated == 2)
        let clean = Reconciler.tally(phase: "x", acknowledged: acknowledged, database: ["a": 1, "b": 1, "c": 1, "d": 1], streams: nil, note: "no redis")
        #expect(clean.lost == 0 && clean.duplicated == 0 && clean.note == "no redis")
    }

    @Test("PostgreSQL array literals quote and escape every element")
    func arrayLiteral() {
        #expect(Reconciler.arrayLiteral(["a", "b\"c", "d\\e", "f,g"]) == #"{"a","b\"c","d\\e","f,g"}"#)
        #expect(Reconciler.arrayLiteral([String]()) == "{}")
    }

    @Test("capacity steps climb by a quarter of the closed-model throughput from half of it")
    func capacityRates() {
        #expect((0..<5).map { CapacitySearch.rate(step: $0, closedRPS: 1000) } == [500, 750, 1000, 1250, 1500])
        #expect(CapacitySearch.rate(step: 0, closedRPS: 4) == 10)
        #expect(CapacitySearch.connections(rate: 5000, p99Milliseconds: 50) == 500)
        #expect(CapacitySearch.connections(rate: 100, p99Milliseconds: 20) == 50)
        #expect(CapacitySearch.connections(rate: 100_000, p99Milliseconds: 100) == 1000)
    }

    @Test("a step holds only within every group's p99 target, the error budget and the offered rate")
    func capacityHeld() {
        func m(rps: Double, errors: Double) -> LoadPhase.Measurement {
            .init(requests: 100, rps: rps, errorRate: errors, p50: 1, p90: 1, p95: 1, p99: 1, p999: 1, max: 1, generatorBound: false)
        }
        #expect(CapacitySearch.held(m(rps: 990, errors: 0), offered: 1000, groupP99s: [(p99: 40, target: 50)]))
        #expect(!CapacitySearch.held(m(rps: 990, errors: 0), offered: 1000, groupP99s: [(p99: 51, target: 50)]))
        #expect(!CapacitySearch.held(m(rps: 990, errors: 0.01), offered: 1000, groupP99s: [(p99: 40, target: 50)]))
        #expect(!CapacitySearch.held(m(rps: 900, errors: 0), offered: 1000, groupP99s: [(p99: 40, target: 50)]))
        // A mix: the strict endpoint over its own target breaks the step, whatever the loose one does.
        #expect(!CapacitySearch.held(m(rps: 990, errors: 0), offered: 1000, groupP99s: [(p99: 60, target: 50), (p99: 60, target: 100)]))
    }

    @Test("unanswered requests count as errors of the run, and rps counts successes only")
    func unanswered() {
        var recorder = AccordLoad.LoadRecorder()
        for _ in 0..<97 { recorder.record(correctedMicroseconds: 1000, uncorrectedMicroseconds: 1000, error: nil, second: 0) }
        recorder.record(correctedMicroseconds: 5, uncorrectedMicroseconds: 5, error: .connect, second: 0)
        let measurement = LoadPhase.Measurement(recorder, seconds: 1, generatorBound: false, unanswered: 2)
        #expect(measurement.requests == 100)
        #expect(measurement.rps == 97)
        #expect(abs(measurement.errorRate - 0.03) < 1e-9)
        #expect(measurement.p50 == 1)
    }

    @Test("sustained is the last step of the unbroken run of held steps; peak the most measured")
    func capacitySummary() {
        let steps = [
            Capacity.Step(offeredRPS: 500, achievedRPS: 500, p50: 1, p99: 5, errorRate: 0, held: true),
            Capacity.Step(offeredRPS: 750, achievedRPS: 749, p50: 1, p99: 9, errorRate: 0, held: true),
            Capacity.Step(offeredRPS: 1000, achievedRPS: 930, p50: 20, p99: 200, errorRate: 0, held: false),
        ]
        let capacity = CapacitySearch.summarize(subject: "s", p99Target: 50, measuredRPS: 900, steps: steps, generatorBound: false)
        #expect(capacity.sustainedRPS == 750)
        #expect(capacity.peakRPS == 930)
        let none = CapacitySearch.summarize(subject: "s", p99Target: 50, measuredRPS: 990, steps: Array(steps.suffix(1)), generatorBound: false)
        #expect(none.sustainedRPS == nil)
        #expect(none.peakRPS == 990)
        // An estimate that was never measured is no peak.
        let mix = CapacitySearch.summarize(subject: "mix", p99Target: 50, measuredRPS: nil, steps: Array(steps.suffix(1)), generatorBound: false)
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
        let outcome = LoadSession.faultOutcome(timing, scenario: "redis-stop", phase: phase, reconciliation: reconciliation)
        // Seconds 2…5 (2.1 + 3 + 0.4 = 5.5): the revert's own duration (until 6.5) is not in it.
        #expect(outcome.requestsDuring == 400)
        #expect(outcome.errorRateDuring == 0.5)
        #expect(outcome.lost == 1)
        let verdict = LoadSession.verdict(for: outcome, timing: timing)
        #expect(verdict.outcome == .failed)
        let recovered = LoadSession.verdict(
            for: LoadSession.faultOutcome(timing, scenario: "redis-stop", phase: phase, reconciliation: nil), timing: timing)
        #expect(recovered.outcome == .passed)
        let never = FaultTiming(fault: fault, appliedSeconds: 2.1, revertedSeconds: 6.5, recoverySeconds: nil)
        #expect(LoadSession.verdict(for: LoadSession.faultOutcome(never, scenario: "s", phase: phase, reconciliation: nil), timing: never).outcome == .failed)
    }

    @Test("a reconciliation that could not read a store is an error, never a pass")
    func reconciliationVerdicts() {
        let location = SourceLocation(file: "f.yaml", line: 1, column: 1)
        let unchecked = Reconciler.tally(phase: "p", acknowledged: ["a"], database: nil, streams: nil, note: "PostgreSQL not checked: down")
        #expect(LoadSession.verdict(for: unchecked, location: location).outcome == .error)
        let clean = Reconciler.tally(phase: "p", acknowledged: ["a"], database: ["a": 1], streams: ["a": 1], note: nil)
        #expect(LoadSession.verdict(for: clean, location: location).outcome == .passed)
        let lost = Reconciler.tally(phase: "p", acknowledged: ["a", "b"], database: ["a": 1], streams: ["a": 1, "b": 1], note: nil)
        #expect(LoadSession.verdict(for: lost, location: location).outcome == .failed)
    }

    @Test("/proc/<pid>/stat CPU ticks, even with spaces and parentheses in the command name")
    func procStat() {
        let line = "1234 (accord (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 9 0 100 0 0"
        #expect(ResourceSampler.parseCPUTicks(line) == 325)
        #expect(ResourceSampler.parseCPUTicks("garbage") == nil)
        #expect(ResourceSampler.parseCPUTicks("1 (x) S 1 2") == nil)
    }

    @Test("SHA-256 test vectors")
    func sha256() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
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

    @Test("a mix's weights spread over pooled variants keep the mix")
    func planRequests() {
        #expect(LoadSession.lcm(4, 6) == 12)
        #expect(LoadSession.lcm(1, 20) == 20)
        func prepared(_ name: String, variants: Int, creates: Bool = false) -> LoadSession.Prepared {
            LoadSession.Prepared(
                endpoint: name, requests: (0..<variants).map { ClientRequest(url: "http://127.0.0.1/\(name)/\($0)") },
                accepts: { $0 == 200 }, createsJobs: creates)
        }
        let (requests, owner) = LoadSession.planRequests([
            (prepared: prepared("status", variants: 4), weight: 70), (prepared: prepared("create", variants: 1, creates: true), weight: 20),
            (prepared: prepared("stats", variants: 1), weight: 10),
        ])
        #expect(owner == [0, 0, 0, 0, 1, 2])
        // Each endpoint's total weight keeps the 70/20/10 proportion.
        let totals = (0..<3).map { endpoint in owner.indices.filter { owner[$0] == endpoint }.reduce(0) { $0 + requests[$1].weight } }
        #expect(totals == [280, 80, 40])
        #expect(requests.map(\.collect) == [nil, nil, nil, nil, "job_id", nil])
        #expect(requests[0].accepts(200) && !requests[0].accepts(201))
    }
}
