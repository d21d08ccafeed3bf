import AccordResults
import Testing

@testable import AccordRunner

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

    @Test("a step holds only within the p99 target, the error budget and the offered rate")
    func capacityHeld() {
        func m(rps: Double, p99: Double, errors: Double) -> LoadPhase.Measurement {
            .init(requests: 100, rps: rps, errorRate: errors, p50: 1, p90: 1, p95: 1, p99: p99, p999: p99, max: p99, generatorBound: false)
        }
        #expect(CapacitySearch.held(m(rps: 990, p99: 40, errors: 0), offered: 1000, p99Target: 50))
        #expect(!CapacitySearch.held(m(rps: 990, p99: 51, errors: 0), offered: 1000, p99Target: 50))
        #expect(!CapacitySearch.held(m(rps: 990, p99: 40, errors: 0.01), offered: 1000, p99Target: 50))
        #expect(!CapacitySearch.held(m(rps: 900, p99: 40, errors: 0), offered: 1000, p99Target: 50))
    }

    @Test("sustained is the last step of the unbroken run of held steps; peak the most achieved")
    func capacitySummary() {
        let steps = [
            Capacity.Step(offeredRPS: 500, achievedRPS: 500, p50: 1, p99: 5, errorRate: 0, held: true),
            Capacity.Step(offeredRPS: 750, achievedRPS: 749, p50: 1, p99: 9, errorRate: 0, held: true),
            Capacity.Step(offeredRPS: 1000, achievedRPS: 930, p50: 20, p99: 200, errorRate: 0, held: false),
        ]
        let capacity = CapacitySearch.summarize(subject: "s", p99Target: 50, closedRPS: 900, steps: steps, generatorBound: false)
        #expect(capacity.sustainedRPS == 750)
        #expect(capacity.peakRPS == 930)
        let none = CapacitySearch.summarize(subject: "s", p99Target: 50, closedRPS: 900, steps: Array(steps.suffix(1)), generatorBound: false)
        #expect(none.sustainedRPS == nil)
        #expect(none.peakRPS == 930)
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
    }
}
