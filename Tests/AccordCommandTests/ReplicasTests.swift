import AccordTestSupport
import AccordResults
import Foundation
import Testing

/// `accord run --replicas N`: N reference servers on one PostgreSQL and one Redis behind
/// Debian's nginx. Across replicas the idempotency race still makes one job, every
/// acknowledged job is reconciled, `kill_replica` costs at most the requests in flight on the
/// replica it kills, each replica is reported with its own requests, and one instance is
/// measured against N. Without `--replicas`, the replica scenario is skipped, saying why.
@Suite("accord run --replicas (the executable)", .serialized)
struct ReplicasTests {
    static func specs(_ names: String...) -> [String] {
        names.map { Executables.repositoryRoot.appendingPathComponent("specs/\($0)").path }
    }

    static func reportsDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("accord-replicas-\(UUID().uuidString)").path
    }

    static func results(_ reports: String) throws -> ResultsDocument {
        let path = reports + "/latest/results.json"
        return try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: path)), path: path)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx")))
    func twoReplicasKeepTheRaceTheJobsAndCarryOnWhenOneIsKilled() async throws {
        let reports = Self.reportsDirectory()
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let result = try await Executables.run(
            ["run"] + Self.specs("idempotency.yaml", "faults.yaml") + ["--replicas", "2", "--reports", reports, "--profile", "smoke", "--quiet"],
            timeout: 480)
        // No targets in these specs: every verdict is deterministic, so the run passes.
        #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        let report = try Self.results(reports)
        let cases = report.suites.flatMap(\.cases)
        let race = cases.first { $0.name.hasPrefix("50 simultaneous creates with one key") }
        #expect(race?.outcome == .passed, "\(String(describing: race))")
        #expect(cases.allSatisfy { $0.outcome == .passed || $0.outcome == .skipped }, "\(cases.filter { $0.outcome == .failed || $0.outcome == .error }.map(\.name))")
        // Every phase's acknowledged jobs are in PostgreSQL and a stream exactly once.
        #expect(!report.reconciliation.isEmpty)
        #expect(report.reconciliation.allSatisfy { $0.lost == 0 && $0.duplicated == 0 && $0.note == nil })
        // Both replicas served, each counted from its own /metrics.
        let instances = try #require(report.instances)
        #expect(instances.count == 2)
        #expect(instances.allSatisfy { ($0.requests ?? 0) > 0 && ($0.rps ?? 0) > 0 && $0.pid > 0 }, "\(instances)")
        #expect(Set(instances.map(\.url)).count == 2)
        // The last replica was killed (kill_replica) and restarted mid-load (kill_server kills the first).
        #expect(instances.last?.restarted == true)
        let kill = try #require(report.reliability.first { $0.scenario == "replica-kill" })
        #expect(kill.recoverySeconds != nil && kill.lost == 0 && kill.duplicated == 0 && kill.acknowledged > 0)
        let errors = try #require(kill.errors)
        let bound = try #require(kill.errorBound)
        #expect(errors <= bound, "\(errors) errors, bound \(bound)")
        #expect(report.environment.contains { $0.name == "Replicas" && $0.value.contains("nginx") })
        // Through nginx, the NUL-in-the-path cases are skipped with the reason, not failed.
        let viaProxy = cases.filter { $0.reason?.contains("not run through nginx") == true }
        #expect(viaProxy.allSatisfy { $0.outcome == .skipped })
        let markdown = try String(contentsOfFile: reports + "/latest/baseline.md", encoding: .utf8)
        #expect(markdown.contains("## Scalability") && markdown.contains("2 replicas of accord serve"))
    }

    @Test func withoutReplicasTheReplicaKillIsSkippedSayingWhyAndTheRunPasses() async throws {
        let reports = Self.reportsDirectory()
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let result = try await Executables.run(
            ["run"] + Self.specs("faults.yaml") + ["--reports", reports, "--profile", "smoke", "--quiet"], timeout: 480)
        #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        let report = try Self.results(reports)
        let skipped = report.suites.flatMap(\.cases).first { $0.name == "replica-kill" }
        #expect(skipped?.outcome == .skipped)
        #expect(skipped?.reason?.contains("--replicas 2") == true, "\(String(describing: skipped?.reason))")
        #expect(report.reliability.count == 4 && !report.reliability.contains { $0.scenario == "replica-kill" })
        let instances = try #require(report.instances)
        #expect(instances.count == 1 && (instances.first?.requests ?? 0) > 0)
        let markdown = try String(contentsOfFile: reports + "/latest/baseline.md", encoding: .utf8)
        #expect(markdown.contains("One instance measured"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx")))
    func oneInstanceIsMeasuredAgainstTwoBehindTheSameNginx() async throws {
        let reports = Self.reportsDirectory()
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let result = try await Executables.run(
            ["run"] + Self.specs("load.yaml") + ["--replicas", "2", "--reports", reports, "--profile", "smoke", "--seed-rows", "0", "--quiet"],
            timeout: 600)
        // Targets may be missed on a busy 2-core machine (exit 1); never 2 or 3.
        #expect(result.status == 0 || result.status == 1, "stderr: \(result.stderr)")
        let report = try Self.results(reports)
        let scaling = try #require(report.scaling)
        #expect(scaling.replicas == 2)
        #expect(report.capacity.contains { $0.subject == scaling.subject })
        #expect(scaling.oneInstance.subject == "\(scaling.subject) (one instance)" && !scaling.oneInstance.steps.isEmpty)
        #expect(report.reconciliation.allSatisfy { $0.lost == 0 && $0.duplicated == 0 })
        #expect(report.instances?.count == 2)
        let markdown = try String(contentsOfFile: reports + "/latest/baseline.md", encoding: .utf8)
        #expect(markdown.contains("One instance against 2: capacity of \(scaling.subject)"))
    }

    @Test(arguments: ["0", "-3", "65", "two"])
    func aBadReplicaCountIsAUsageError(count: String) async throws {
        let result = try await Executables.run(["run", "--replicas=\(count)", "--profile", "smoke"], timeout: 60)
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("replicas"))
    }

    @Test func replicasNeedABootedEnvironment() async throws {
        let result = try await Executables.run(["run", "--replicas", "2", "--target", "http://127.0.0.1:9"], timeout: 60)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--replicas"))
    }
}
