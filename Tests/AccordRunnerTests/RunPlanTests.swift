import AccordJSON
import AccordSpec
import AccordTestSupport
import Foundation
import Testing

@testable import AccordRunner

/// The plan: a pure function of specs and options, what `accord run` executes and embeds.
@Suite("Run plan")
struct RunPlanTests {
    static func specs() throws -> [SpecFile] {
        try ["specs/load.yaml", "specs/faults.yaml"].map { path in
            let url = Executables.repositoryRoot.appendingPathComponent(path)
            switch SpecLoader.load(try String(contentsOf: url, encoding: .utf8), path: path) {
            case let .success(spec): return spec
            case let .failure(problems): throw problems
            }
        }
    }

    static func plan(_ profile: ConformanceRun.Profile, target: String? = nil, capacity: Bool = true) throws -> RunPlan {
        RunPlan.make(RunPlan.Inputs(
            specs: try specs(), profile: profile, target: target, functional: true, capacity: capacity, threads: 2, connections: 50, loadSeconds: nil))
    }

    @Test func theSameInputsGiveTheSamePlan() throws {
        #expect(try Self.plan(.quick) == Self.plan(.quick))
        #expect(try Self.plan(.quick) != Self.plan(.smoke))
    }

    @Test("phases in the order they run: endpoints, scenarios and faults, capacity")
    func phaseOrder() throws {
        let plan = try Self.plan(.smoke)
        #expect(plan.phases.filter { $0.kind == .endpoint }.map(\.name) == ["health", "create_job", "job_status", "queue_stats"])
        let kinds = plan.phases.map(\.kind)
        #expect(kinds.lastIndex(of: .endpoint).map { $0 < (kinds.firstIndex(of: .scenario) ?? 0) } == true)
        #expect(kinds.firstIndex(of: .capacity).map { $0 > (kinds.lastIndex(of: .scenario) ?? .max) } == true)
        #expect(plan.phases.filter { $0.kind == .capacity }.map(\.name) == ["health", "create_job", "job_status", "queue_stats", "mix (mixed)"])
        #expect(try Self.plan(.smoke, capacity: false).phases.allSatisfy { $0.kind != .capacity })
    }

    @Test("endpoints at their stated rate, scenarios time-scaled, faults at their own times")
    func shapes() throws {
        let plan = try Self.plan(.quick)
        let health = try #require(plan.phases.first { $0.name == "health" && $0.kind == .endpoint })
        #expect(health.model == "open" && health.rate == 10_000 && health.seconds == 3)
        #expect(health.targets.first { $0.target.hasPrefix("rps") }?.judgedOn == "sustained capacity")
        let normal = try #require(plan.phases.first { $0.name == "normal" })
        // 5 minutes at 1/60, users spawning 60 times faster.
        #expect(normal.model == "users" && normal.seconds == 5 && normal.spawnRate == 300 && normal.users == 50)
        #expect(normal.thinkMilliseconds == [1000, 3000])
        #expect(normal.targets.contains { $0.target.hasPrefix("each endpoint within 1.0x") })
        let stop = try #require(plan.phases.first { $0.name == "redis-stop" })
        #expect(stop.kind == .fault && stop.seconds == 10 && stop.skipped == nil)
        #expect(stop.faults == [RunPlan.FaultStep(action: "stop_redis", atSeconds: 2, forSeconds: 3)])
        #expect(plan.pools.map(\.size) == [10_000, 200])
        #expect(plan.seeding.map(\.rows) == [100_000])
        // Against a deployment: faults are skipped, nothing is seeded without --seed-rows.
        let remote = try Self.plan(.quick, target: "https://deployment.example")
        #expect(remote.phases.first { $0.name == "redis-stop" }?.skipped != nil)
        #expect(remote.seeding.isEmpty && remote.seedingNote != nil)
    }

    @Test("capacity is planned as a rule: start, factors, step length, refinement")
    func capacityRule() throws {
        let plan = try Self.plan(.smoke)
        let create = try #require(plan.phases.first { $0.kind == .capacity && $0.name == "create_job" }?.capacity)
        #expect(create.startRPS == 1000 && create.factors == [0.5, 0.75, 1] && create.stepSeconds == 1 && create.refineWithin == 0.05)
        let mix = try #require(plan.phases.first { $0.name == "mix (mixed)" }?.capacity)
        #expect(mix.startRPS == nil && mix.p99Targets == ["job_status": 50, "create_job": 100, "queue_stats": 60])
    }

    @Test func aPlanReadsBackAndOtherDocumentsAreRefused() throws {
        let plan = try Self.plan(.smoke)
        let data = try plan.jsonData()
        #expect(try RunPlan.read(data, path: "plan.json") == plan)
        #expect(plan.json?["format"] == .string("accord-plan"))
        #expect(throws: PlanFormatError.self) { try RunPlan.read(Data(#"{"format": "accord-results", "version": 3}"#.utf8), path: "r.json") }
        #expect(plan.text.contains("5. endpoint health (specs/load.yaml): constant 10000 req/s, open model"))
    }

    @Test("the vendor's single-request claims get a phase of one connection each, before any other load")
    func singleRequestPhases() throws {
        let plan = try Self.plan(.quick)
        let singles = plan.phases.prefix { $0.kind == .single }
        #expect(singles.map(\.name) == ["health", "create_job", "job_status", "queue_stats"])
        #expect(singles.allSatisfy { $0.connections == 1 && $0.model == "closed" && $0.seconds == 2 && $0.targets.count == 3 })
        #expect(singles.first { $0.name == "create_job" }?.reconciled == ["create_job"])
        #expect(!plan.phases.dropFirst(singles.count).contains { $0.kind == .single })
    }
}

extension RunPlanTests {
    @Test("a level left out plans no load of the files of that level")
    func levelsLeftOutPlanNoLoad() throws {
        var options = ConformanceRun.Options(
            specs: try Self.specs(), profile: .smoke, serverExecutable: "", workDirectory: "", functional: true, capacity: true)
        options.levels = [.extended]
        let plan = ConformanceRun.plan(options, threads: 1)
        #expect(plan.phases.isEmpty, "\(plan.phases.map(\.name))")
        options.levels = [.core]
        let core = ConformanceRun.plan(options, threads: 1)
        // load.yaml is core; faults.yaml (strict) plans no fault scenario.
        #expect(core.phases.contains { $0.kind == .endpoint } && !core.phases.contains { $0.kind == .fault })
    }
}
