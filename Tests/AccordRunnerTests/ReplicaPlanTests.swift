import AccordResults
import AccordSpec
import AccordTestSupport
import Foundation
import Testing

@testable import AccordRunner

/// What `--replicas` changes before anything runs: the plan skips `kill_replica` below two
/// replicas, and through nginx the cases it answers itself are skipped, saying why.
@Suite("Replicas: plan and cases")
struct ReplicaPlanTests {
    static func spec(_ path: String) throws -> SpecFile {
        let url = Executables.repositoryRoot.appendingPathComponent(path)
        switch SpecLoader.load(try String(contentsOf: url, encoding: .utf8), path: path) {
        case let .success(spec): return spec
        case let .failure(problems): throw problems
        }
    }

    static func plan(replicas: Int, target: String? = nil) throws -> RunPlan {
        var options = ConformanceRun.Options(
            specs: [try spec("specs/faults.yaml")], profile: .smoke, serverExecutable: "", workDirectory: "", target: target)
        options.replicas = replicas
        return ConformanceRun.plan(options, threads: 1)
    }

    @Test(arguments: [(1, true), (2, false), (3, false)])
    func theReplicaKillIsPlannedSkippedBelowTwoReplicas(replicas: Int, skipped: Bool) throws {
        let phase = try #require(try Self.plan(replicas: replicas).phases.first { $0.name == "replica-kill" })
        #expect((phase.skipped != nil) == skipped)
        if skipped { #expect(phase.skipped?.contains("--replicas 2") == true) }
        // The other fault scenarios are planned as before.
        #expect(try Self.plan(replicas: replicas).phases.filter { $0.kind == .fault && $0.name != "replica-kill" }.allSatisfy { $0.skipped == nil })
    }

    @Test func againstATargetTheTargetsReasonStands() throws {
        let phase = try #require(try Self.plan(replicas: 1, target: "http://127.0.0.1:9").phases.first { $0.name == "replica-kill" })
        #expect(phase.skipped?.contains("--target") == true)
    }

    @Test func throughNginxTheNulInThePathCasesAreSkippedSayingWhy() throws {
        let specs = [try Self.spec("specs/job-status.yaml"), try Self.spec("specs/hostile.yaml"), try Self.spec("specs/health.yaml")]
        let (kept, skipped) = ConformanceRun.throughProxy(specs)
        let names = skipped.values.flatMap { $0 }.map(\.name)
        #expect(Set(names) == [
            "%00 and invalid UTF-8 as a job id are a 404 with a detail", "a job id with an encoded NUL answers 404 \"Job <id> not found\"",
        ])
        #expect(skipped.values.flatMap { $0 }.allSatisfy { $0.outcome == .skipped && $0.reason?.contains("nginx") == true })
        #expect(zip(specs, kept).allSatisfy { $1.cases.count == $0.cases.count - (skipped[$0.path]?.count ?? 0) })
        // A NUL in the query is not refused by nginx: that case still runs.
        #expect(kept.flatMap(\.cases).contains { $0.name.value == "a NUL byte (%00) in domain is a 422 for domain" })
        // The skipped cases go back into their suites.
        let document = ResultsDocument(kind: .check, date: "", command: "", target: "", booted: true, profile: "")
        let merged = ConformanceRun.adding(skipped, to: document, specs: specs)
        #expect(merged.suites.flatMap(\.cases).count == 2)
    }
}
