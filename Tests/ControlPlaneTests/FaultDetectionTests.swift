import AccordResults
import AccordTestSupport
import AccordChecks
import AccordRunner
import AccordSpec
import ControlPlane
import Foundation
import Testing

/// A check must be able to fail. The shipped specs run against servers that each break one
/// contract rule (`--inject-fault`); the cases that fail must be exactly the ones listed in
/// `fixtures/faults/<fault>.txt` (reviewed by hand: each names the rule the fault breaks),
/// and against a correct server nothing fails. `ACCORD_RECORD=1` rewrites the lists.
@Suite("Specs catch injected faults", .serialized)
struct FaultDetectionTests {
    static let root = Executables.repositoryRoot

    static func specs() throws -> [SpecFile] {
        let (files, missing) = SpecFiles.discover([root.appendingPathComponent("specs").path])
        #expect(missing.isEmpty)
        let (specs, problems) = SpecFiles.load(files)
        guard problems.isEmpty else {
            throw TestFailure("specs/ is invalid: \(problems.flatMap(\.diagnostics).map(\.message).joined(separator: "; "))")
        }
        return specs
    }

    /// Runs every spec against `server`, with the probes when `backends` are given.
    static func check(_ server: TestServer, backends: Backends? = nil) async throws -> ResultsDocument {
        let options = CheckOptions(
            target: server.baseURL, databaseURL: backends?.postgres.url, redisURL: backends?.redis.url)
        return try await CheckRunner(options: options).run(try specs())
    }

    /// "suite › case" of every case that failed or could not run, sorted.
    static func failing(_ run: ResultsDocument) -> [String] {
        run.suites.flatMap { suite in
            suite.cases.filter { $0.outcome == .failed || $0.outcome == .error }.map { "\(suite.name) › \($0.name)" }
        }.sorted()
    }

    static func expectExactly(_ failing: [String], for fault: ContractBreak) throws {
        let url = root.appendingPathComponent("fixtures/faults/\(fault.rawValue).txt")
        if ProcessInfo.processInfo.environment["ACCORD_RECORD"] == "1" {
            try (failing.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init).sorted()
        #expect(!expected.isEmpty)
        #expect(failing == expected, "unexpected: \(Set(failing).subtracting(expected).sorted()); not caught: \(Set(expected).subtracting(failing).sorted())")
    }

    @Test func aCorrectServerPassesEverySpecOnTheMemoryStore() async throws {
        try await TestServer.with { server in
            let run = try await Self.check(server)
            #expect(Self.failing(run) == [])
            #expect(run.count(.passed) > 150)
            // Without database and Redis URLs only side-effect and opt-in cases are skipped.
            let skipped = run.suites.flatMap(\.cases).filter { $0.outcome == .skipped }
            #expect(skipped.allSatisfy { $0.reason?.contains("not verified") == true || $0.reason?.hasPrefix("opt-in") == true })
        }
    }

    @Test(arguments: [ContractBreak.wrongCreateStatus, .missingProgress, .duplicateJobs, .leakSQL, .acceptBadPriority])
    func eachFaultFailsExactlyTheCasesOfItsRule(fault: ContractBreak) async throws {
        var config = ServerConfig(store: .memory)
        config.contractBreaks = [fault]
        try await TestServer.with(config) { server in
            let run = try await Self.check(server)
            try Self.expectExactly(Self.failing(run), for: fault)
        }
    }

    @Test func aCorrectServerPassesEverySpecOnPostgresAndRedis() async throws {
        try await Backends.with { backends in
            try await TestServer.with(backends.serverConfig) { server in
                let run = try await Self.check(server, backends: backends)
                #expect(Self.failing(run) == [])
                let skipped = run.suites.flatMap(\.cases).filter { $0.outcome == .skipped }
                #expect(skipped.allSatisfy { $0.reason?.hasPrefix("opt-in") == true })
            }
        }
    }

    @Test func lostEnqueueFailsTheStreamCases() async throws {
        try await Backends.with { backends in
            var config = backends.serverConfig
            config.contractBreaks = [.lostEnqueue]
            try await TestServer.with(config) { server in
                let run = try await Self.check(server, backends: backends)
                try Self.expectExactly(Self.failing(run), for: .lostEnqueue)
            }
        }
    }
}

/// A server that dies in the middle of a run: the cases after it are errors (exit 1 in the
/// CLI), the target is not called unreachable (that is exit 3, for a target never reached),
/// and nothing hangs.
@Suite("A server that dies mid-run")
struct ServerDiesMidRunTests {
    @Test func laterCasesAreErrorsNotAnUnreachableTarget() async throws {
        let specs = try FaultDetectionTests.specs()
        let health = try #require(specs.first { $0.path.hasSuffix("health.yaml") })
        let cancel = try #require(specs.first { $0.path.hasSuffix("cancel.yaml") })
        var runner: CheckRunner?
        var before: ResultsDocument?
        try await TestServer.with { server in
            let checker = try CheckRunner(options: CheckOptions(target: server.baseURL))
            runner = checker
            before = await checker.run([health])
        }
        // The server is gone now; the same run goes on.
        let checker = try #require(runner)
        #expect(before?.passed == true)
        let after = await checker.run([cancel])
        #expect(after.count(.error) > 0)
        #expect(after.count(.passed) == 0)
        #expect(!after.targetUnreachable)
        let reasons = after.suites.flatMap(\.cases).filter { $0.outcome == .error }.compactMap(\.reason)
        #expect(reasons.first?.contains("could not connect") == true)
        // Cases that needed an earlier case's capture say so rather than "connect".
        #expect(reasons.allSatisfy { $0.contains("could not connect") || $0.contains("has no value") }, "\(reasons)")
    }
}
