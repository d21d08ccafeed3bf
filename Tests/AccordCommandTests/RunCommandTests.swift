import AccordTestSupport
import AccordJSON
import AccordResults
import Foundation
import Testing

/// `accord run` end to end: boots PostgreSQL, Redis and the reference server itself, checks
/// the contract, loads each endpoint (1 s each here), writes the reports, tears down. Whether
/// the performance targets hold depends on the machine, so the test asserts on what does not:
/// the functional verdict, the reports and their counts, and a clean teardown.
@Suite("accord run (the executable)", .serialized)
struct RunCommandTests {
    @Test func aSmokeRunWritesEveryReportAndPassesTheContract() async throws {
        let reports = FileManager.default.temporaryDirectory.appendingPathComponent("accord-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let specs = Executables.repositoryRoot
            .appendingPathComponent("specs").path
        // Two engines per phase: their measurements merge exactly (histograms added, seconds too).
        let result = try await Executables.run(["run", specs, "--reports", reports, "--profile", "smoke", "--threads", "2", "--quiet"], timeout: 480)
        // 0 (everything held) or 1 (a target missed on this machine); never 2 or 3.
        #expect(result.status == 0 || result.status == 1, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("verdict: "))

        let latest = reports + "/latest"
        for file in ["junit.xml", "results.json", "baseline.md", "report.html", "server.log"] {
            #expect(FileManager.default.fileExists(atPath: "\(latest)/\(file)"), "\(file)")
        }
        let report = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: "\(latest)/results.json")), path: "results.json")
        // The run embeds the plan it executed, and executed its endpoint phases as planned.
        let plan = try #require(report.plan)
        #expect(plan["format"] == .string("accord-plan"))
        guard case let .array(phases)? = plan["phases"] else {
            Issue.record("the embedded plan has no phases")
            return
        }
        let planned = phases.filter { $0["kind"] == .string("endpoint") }.compactMap { $0["name"]?.stringValue }
        #expect(planned == report.endpoints.map(\.name))
        // Every scenario planned to run ran (replica-kill is planned skipped: no --replicas).
        #expect(phases.filter { ($0["kind"] == .string("scenario") || $0["kind"] == .string("fault")) && $0["skipped"] == nil }
            .compactMap { $0["name"]?.stringValue } == report.scenarios.map(\.name))
        let verdictSuites = ["targets", "scenarios", "reconciliation", "reliability"]
        // Every functional case passed or was skipped as opt-in.
        let functional = report.suites.filter { !verdictSuites.contains($0.name) }.flatMap(\.cases)
        #expect(functional.count > 200)
        #expect(functional.allSatisfy { $0.outcome == .passed || $0.outcome == .skipped }, "\(functional.filter { $0.outcome != .passed && $0.outcome != .skipped }.map(\.name))")
        #expect(report.suites.suffix(4).map(\.name) == verdictSuites)
        #expect(report.suite(named: "targets")?.cases.count == 20)
        // The vendor's four scenarios and the four fault scenarios ran, and the server came
        // through each; every acknowledged job was kept, faults or not (deterministic verdicts).
        // Eight verdicts that the server came through, and the error-rate targets of normal, high and mixed.
        // normal and high also judge each endpoint of their mix against its own targets (4
        // endpoints × p50, p95, p99, error rate; 4 × p95): latencies depend on the machine and
        // the debug build, and are not asserted; every other verdict is.
        let scenarioCases = report.suite(named: "scenarios")?.cases ?? []
        // …and one skipped, saying why: replica-kill needs --replicas 2 or more.
        #expect(scenarioCases.count == 32)
        let replicaKill = scenarioCases.first { $0.name == "replica-kill" }
        #expect(replicaKill?.outcome == .skipped && replicaKill?.reason?.contains("--replicas 2") == true)
        #expect(scenarioCases.filter { $0.name.hasPrefix("normal: ") || $0.name.hasPrefix("high: ") }.count == 20)
        let perEndpointLatency = scenarioCases.filter { verdict in
            (verdict.name.hasPrefix("normal: ") || verdict.name.hasPrefix("high: ")) && ["p50", "p95", "p99"].contains { verdict.name.contains(" \($0) ") }
        }
        #expect(perEndpointLatency.count == 16)
        let deterministic = scenarioCases.filter { verdict in
            !perEndpointLatency.contains { $0.name == verdict.name } && verdict.name != "replica-kill"
        }
        #expect(deterministic.count == 15)
        #expect(deterministic.allSatisfy { $0.outcome == .passed }, "\(deterministic.filter { $0.outcome != .passed }.map(\.name))")
        let reconciliation = report.suite(named: "reconciliation")?.cases ?? []
        #expect(reconciliation.count >= 9)
        #expect(reconciliation.allSatisfy { $0.outcome == .passed }, "\(reconciliation.map(\.name))")
        #expect(report.reconciliation.allSatisfy { $0.lost == 0 && $0.duplicated == 0 && $0.acknowledged > 0 })
        #expect(report.reliability.count == 4)
        #expect(report.suite(named: "reliability")?.cases.allSatisfy { $0.outcome == .passed } == true)
        #expect(report.reliability.allSatisfy { $0.recoverySeconds != nil && $0.lost == 0 && $0.duplicated == 0 })
        // Four endpoint phases with histograms, Server-Timing and resource samples; capacity
        // for each endpoint and the mix.
        #expect(report.endpoints.map(\.name) == ["health", "create_job", "job_status", "queue_stats"])
        // Latency is of successful requests; every request is either in it or an error.
        #expect(report.endpoints.allSatisfy {
            $0.latency.totalCount + UInt64($0.errorsByKind.values.reduce(0, +)) == UInt64($0.measurement.requests) && !$0.serverTiming.isEmpty
        })
        #expect(report.endpoints.allSatisfy { !$0.resources.isEmpty })
        #expect(report.capacity.map(\.subject) == ["health", "create_job", "job_status", "queue_stats", "mix (mixed)"])
        #expect(report.specFiles.allSatisfy { $0.sha256.count == 64 })
        // specs/load.yaml's seed: at smoke, a hundredth of its 1,000,000 jobs, and the queued
        // ones' stream entries (60% of them), before the load.
        let seeded = report.seeding?.tables.first
        #expect(seeded?.table == "jobs" && seeded?.rows == 10_000 && report.seeding?.skipped == nil)
        #expect((5000...7000).contains(seeded?.streamEntries ?? 0))

        // The JUnit counts are the report's.
        let junit = try String(contentsOfFile: "\(latest)/junit.xml", encoding: .utf8)
        let total = report.suites.reduce(0) { $0 + $1.cases.count }
        #expect(junit.contains(#"<testsuites name="accord run" tests="\#(total)" failures="\#(report.count(.failed))""#))
        #expect(junit.contains(#"<testsuite name="reliability""#))
        // The HTML holds every chart: a spectrum and a timeline per endpoint and scenario, the capacity curve.
        let html = try String(contentsOfFile: "\(latest)/report.html", encoding: .utf8)
        func charts(_ kind: String) -> Int { html.components(separatedBy: "data-chart=\"\(kind)\"").count - 1 }
        #expect(charts("latency-spectrum") >= 12)
        #expect(charts("timeline") >= 12)
        #expect(charts("capacity") == 1)
        #expect(charts("resources") >= 1)
        let baseline = try String(contentsOfFile: "\(latest)/baseline.md", encoding: .utf8)
        for section in ["## Executive Summary", "## Test Environment", "## Performance Targets vs Measured", "## Throughput Capacity",
            "## Scenario Results", "## Resource Utilization", "## Bottleneck Analysis", "## Reconciliation", "## Reliability",
            "## Functional Contract", "## Validation Status", "## Reproduce"]
        {
            #expect(baseline.contains(section), "\(section)")
        }
        #expect(baseline.contains("| PostgreSQL | 15"))
        #expect(baseline.contains("2 engine threads"))
        #expect(baseline.contains("| Seeded data | jobs: 10,000 rows, "))
    }

    @Test(arguments: [["--threads", "0"], ["--threads", "65"], ["-t", "x"]])
    func aBadThreadCountIsAUsageError(arguments: [String]) async throws {
        let result = try await Executables.run(["run"] + arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("threads"))
    }

    @Test func aBadProfileIsAUsageError() async throws {
        let result = try await Executables.run(["run", "--profile", "forever"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("profile"))
    }

    @Test(arguments: [["run", "--seed-rows=-1"], ["load", "specs/load.yaml", "--seed-rows", "100000001"]])
    func aSeedRowCountOutOfRangeIsAUsageError(arguments: [String]) async throws {
        let result = try await Executables.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--seed-rows must be from 0 to 100000000"))
    }

    @Test func anUnreachableTargetExits3() async throws {
        let specs = Executables.repositoryRoot
            .appendingPathComponent("specs").path
        let reports = FileManager.default.temporaryDirectory.appendingPathComponent("accord-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let result = try await Executables.run(["run", specs, "--target", "http://127.0.0.1:1", "--reports", reports, "--quiet"])
        #expect(result.status == 3, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("unreachable"))
    }
}

/// `accord plan`: the phases without running anything, and the same plan as JSON.
@Suite("accord plan (the executable)")
struct PlanCommandTests {
    @Test func printsEveryPhaseAndWritesTheSamePlanAsJSON() async throws {
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("accord-plan-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let specs = ["load.yaml", "faults.yaml"].map { Executables.repositoryRoot.appendingPathComponent("specs/\($0)").path }
        let result = try await Executables.run(["plan"] + specs + ["--profile", "smoke", "--target", "https://deployment.example", "--json", json], timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("endpoint create_job"))
        #expect(result.stdout.contains("fault redis-stop"))
        #expect(result.stdout.contains("skipped: faults need an environment the run boots"))
        #expect(result.stdout.contains("then bisection to within 5%"))
        let document = try JSON.parse(bytes: Array(Data(contentsOf: URL(fileURLWithPath: json))))
        #expect(document["format"] == .string("accord-plan") && document["version"] == .int(1))
        #expect(document["target"] == .string("https://deployment.example"))
        let broken = try await Executables.run(["plan", "--profile", "fast"], timeout: 60)
        #expect(broken.status == 2 && broken.stderr.contains("--profile must be quick, baseline or smoke"))
    }
}
