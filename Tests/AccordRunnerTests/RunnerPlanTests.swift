import AccordHTTPTypes
import AccordLoad
import AccordTestSupport
import AccordResults
import Testing

@testable import AccordRunner

/// The runner's own small pure pieces: how a mix becomes plan requests, how ids become a
/// PostgreSQL array literal.
@Suite("Runner plan pieces")
struct RunnerPlanTests {
    @Test("PostgreSQL array literals quote and escape every element")
    func arrayLiteral() {
        #expect(Reconciler.arrayLiteral(["a", "b\"c", "d\\e", "f,g"]) == #"{"a","b\"c","d\\e","f,g"}"#)
        #expect(Reconciler.arrayLiteral([String]()) == "{}")
    }

    @Test("a mix becomes one plan request per endpoint, with its weight, each its own group")
    func planRequests() {
        func prepared(_ name: String, collect: String? = nil) -> LoadSession.Prepared {
            LoadSession.Prepared(
                endpoint: name, request: LoadRequest(request: ClientRequest(url: "http://127.0.0.1/\(name)"), accepts: { $0 == 200 }, collect: collect))
        }
        let (requests, owner) = LoadSession.planRequests([
            (prepared: prepared("status"), weight: 70), (prepared: prepared("create", collect: "$.id"), weight: 20), (prepared: prepared("stats"), weight: 10),
        ])
        #expect(owner == [0, 1, 2])
        #expect(requests.map(\.weight) == [70, 20, 10])
        #expect(requests.map(\.collect) == [nil, "$.id", nil])
        #expect(requests[0].accepts(200) && !requests[0].accepts(201))
    }

    @Test("unanswered requests count as errors of the run, and rps counts successes only")
    func unanswered() {
        var recorder = LoadRecorder()
        for _ in 0..<97 { recorder.record(correctedMicroseconds: 1000, uncorrectedMicroseconds: 1000, error: nil, second: 0) }
        recorder.record(correctedMicroseconds: 5, uncorrectedMicroseconds: 5, error: .connect, second: 0)
        let measurement = LoadPhase.Measurement(recorder, seconds: 1, generatorBound: false, unanswered: 2)
        #expect(measurement.requests == 100)
        #expect(measurement.rps == 97)
        #expect(abs(measurement.errorRate - 0.03) < 1e-9)
        #expect(measurement.p50 == 1)
    }

    @Test("engines by default: one per core left after the services a run boots, at least one", arguments: [
        (true, 2, 1), (false, 2, 2), (true, 8, 5), (false, 8, 8), (true, 1, 1), (false, 1, 1),
    ])
    func defaultThreads(booting: Bool, cores: Int, threads: Int) {
        #expect(ConformanceRun.defaultThreads(booting: booting, cores: cores) == threads)
    }

    /// An open-model phase records what its schedule left unsent; a closed one has nothing
    /// scheduled. One connection to a listener that never answers holds request 0; the other
    /// 29 of 100 per second over 0.3 s never go.
    @Test func anOpenPhaseKeepsWhatWasNeverSent() async throws {
        let listener = try LoopbackListener()
        let request = ClientRequest(url: "http://127.0.0.1:\(listener.port)/never", timeoutMilliseconds: 0)
        let open = LoadPlan(requests: [LoadRequest(request: request)], connections: 1, durationNanoseconds: 300_000_000, model: .open(rate: 100))
        let phase = LoadPhase(name: "open", load: "", result: await LoadRun.run(open))
        #expect(phase.behind == 29)
        #expect(phase.planned == 30)
        #expect(phase.behindShare > 0.05)
        #expect(phase.unanswered == 1)
        let closed = LoadPlan(requests: [LoadRequest(request: request)], connections: 1, durationNanoseconds: 100_000_000)
        #expect(LoadPhase(name: "closed", load: "", result: await LoadRun.run(closed)).behind == nil)
        withExtendedLifetime(listener) {}
    }

    @Test("a phase names its arrival model: closed, users (think time, ramp-up, stages) or open")
    func phaseModels() {
        let request = LoadRequest(request: ClientRequest(url: "http://127.0.0.1:1/"))
        var plan = LoadPlan(requests: [request], connections: 1, durationNanoseconds: 1)
        #expect(LoadPhase.model(of: plan) == "closed")
        plan.thinkNanoseconds = 1...2
        #expect(LoadPhase.model(of: plan) == "users")
        plan.thinkNanoseconds = nil
        plan.spawnRate = 5
        #expect(LoadPhase.model(of: plan) == "users")
        plan.spawnRate = nil
        plan.stages = [Stage(durationNanoseconds: 1, target: 2)]
        #expect(LoadPhase.model(of: plan) == "users")
        plan.model = .open(rate: 100)
        #expect(LoadPhase.model(of: plan) == "open")
    }
}
