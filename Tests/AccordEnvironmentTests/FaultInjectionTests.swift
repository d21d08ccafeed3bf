import AccordTestSupport
import AccordHTTP
import AccordHTTPTypes
import AccordJSON
import AccordSpec
import ControlPlane
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import AccordEnvironment

/// Faults on a real environment: throwaway PostgreSQL and Redis (append-only) and `accord serve`
/// as a child process, each fault applied through `FaultInjector`. `/health` must degrade during
/// each fault and recover after it, and nothing the stores held before may be gone after.
@Suite("Fault injection", .serialized)
struct FaultInjectionTests {
    /// A booted environment for one test, always torn down.
    struct Environment {
        let backends: Backends
        let server: ServerProcess
        let injector: FaultInjector

        static func with(_ body: (Environment) async throws -> Void) async throws {
            let executable = Executables.accord.path
            try #require(FileManager.default.isExecutableFile(atPath: executable), "build accord first: \(executable)")
            let postgres = try await ThrowawayPostgres.start(logger: testLogger)
            var redis: ThrowawayRedis?
            var server: ServerProcess?
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("accord-faults-\(UUID().uuidString).log").path
            do {
                let rd = try await ThrowawayRedis.start(logger: testLogger, persistence: .appendOnly)
                redis = rd
                let started = try await ServerProcess.start(
                    executable: executable,
                    arguments: ["serve", "--port", "0", "--database-url", postgres.url, "--redis-url", rd.url, "--log-level", "warning"],
                    logFile: log)
                server = started
                let injector = try #require(FaultInjector(postgres: postgres, redis: rd, server: started))
                try await body(Environment(backends: Backends(postgres: postgres, redis: rd), server: started, injector: injector))
            } catch {
                await server?.stop()
                await redis?.stop()
                await postgres.stop()
                try? FileManager.default.removeItem(atPath: log)
                throw error
            }
            await server?.stop()
            await redis?.stop()
            await postgres.stop()
            try? FileManager.default.removeItem(atPath: log)
        }

        /// Creates a job through the API; its id.
        func createJob(_ index: Int) async throws -> String {
            let request = ClientRequest(
                method: "POST", url: server.url + "/api/v1/jobs?domain=faults.example&url=https://faults.example/\(index)&job_type=navigate_extract",
                headers: [(name: "Content-Type", value: "application/json")], body: Array(#"{"depth": 1}"#.utf8))
            let response = try await BlockingHTTP.perform(request).get()
            try #require(response.status == 201, "create answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
            return try #require(try JSON.parse(bytes: response.body)["job_id"]?.stringValue)
        }

        func healthStatus() async -> Int? {
            guard case let .success(response) = await BlockingHTTP.perform(ClientRequest(url: server.url + "/health", timeoutMilliseconds: 2000))
            else { return nil }
            return response.status
        }

        /// Every stream entry id, by stream.
        func streamIDs() throws -> [String: [String]] {
            try Dictionary(uniqueKeysWithValues: QueueKeys.allStreams.map { stream in (stream, try backends.streamEntries(stream).map(\.id)) })
        }
    }

    static func fault(_ action: FaultAction, at: Int = 0, for downtime: Int = 1500) -> FaultSpec {
        FaultSpec(action: action, atMilliseconds: at, forMilliseconds: downtime, location: SourceLocation(file: "test", line: 1, column: 1))
    }

    /// Every action on one server; `kill_replica` needs replicas behind nginx (`ReplicasTests`).
    @Test(arguments: FaultAction.allCases.filter { $0 != .killReplica })
    func healthDegradesDuringTheFaultAndRecoversAfterIt(action: FaultAction) async throws {
        try await Environment.with { environment in
            let jobs = [try await environment.createJob(1), try await environment.createJob(2)]
            // The enqueue is part of an acknowledged create; wait only in case a relay finishes it.
            #expect(try await eventually { try jobs.allSatisfy { try !environment.backends.entries(for: $0).isEmpty } })
            let streamsBefore = try environment.streamIDs()
            let pidBefore = environment.server.pid
            #expect(await environment.healthStatus() == 200)

            // The server gives a Redis command 5 s before it calls Redis down: a paused Redis
            // (connections open, nothing answered) shows in /health only after that.
            let downtime = action == .pauseRedis ? 7000 : 1500
            let fault = Self.fault(action, at: 200, for: downtime)
            let start = FaultInjector.now()
            let timings = await environment.injector.run([fault], healthURL: environment.server.url + "/health", scenarioStart: start)

            let timing = try #require(timings.first)
            #expect(timings.count == 1)
            #expect(timing.error == nil, "\(timing.error ?? "")")
            #expect(timing.action == fault.description)
            let applied = try #require(timing.appliedSeconds)
            let reverted = try #require(timing.revertedSeconds)
            // Never before its time; brought back no sooner than its `for` after that.
            #expect(applied >= 0.2)
            #expect(reverted >= applied + Double(downtime) / 1000)
            #expect(timing.healthProbesDuringFault > 0)
            #expect(timing.healthFailuresDuringFault > 0, "/health answered 200 throughout \(fault)")
            let recovery = try #require(timing.recoverySeconds, "/health never answered 200 again after \(fault)")
            #expect(recovery >= 0)
            #expect(await environment.healthStatus() == 200)

            // Nothing lost: the streams hold at least what they held, the rows are still there.
            let streamsAfter = try environment.streamIDs()
            for (stream, ids) in streamsBefore {
                #expect(Set(ids).isSubset(of: Set(streamsAfter[stream] ?? [])), "\(stream) lost entries after \(fault)")
            }
            let rows = try environment.backends.rows("SELECT count(*) FROM jobs WHERE id::text = ANY($1::text[])", ["{\(jobs.joined(separator: ","))}"])
            #expect(rows.first?.first == "2")
            // A killed server is a new process on the same URL; the others keep theirs.
            #expect((environment.server.pid != pidBefore) == (action == .killServer))
            // And it still takes work.
            _ = try await environment.createJob(3)
        }
    }

    @Test func faultsRunInTimeOrderAndALateOneStartsAtOnce() async throws {
        try await Environment.with { environment in
            // Given out of order; the second is due while the first still lasts, so it starts late.
            let faults = [Self.fault(.pauseRedis, at: 300, for: 500), Self.fault(.stopRedis, at: 0, for: 500)]
            let timings = await environment.injector.run(faults, healthURL: environment.server.url + "/health", scenarioStart: FaultInjector.now())
            #expect(timings.map(\.fault.action) == [.stopRedis, .pauseRedis])
            #expect(timings.allSatisfy { $0.error == nil }, "\(timings.compactMap(\.error))")
            let first = try #require(timings.first?.revertedSeconds)
            let second = try #require(timings.last?.appliedSeconds)
            #expect(second >= first, "the pause began before the stopped Redis was back")
            #expect(timings.allSatisfy { $0.recoverySeconds != nil })
        }
    }

    @Test func aFaultThatCannotBeAppliedIsReportedNotThrown() async throws {
        try await Environment.with { environment in
            await environment.backends.redis.stopServer()
            // Pausing a Redis that is not running fails; nothing is brought back.
            let timings = await environment.injector.run(
                [Self.fault(.pauseRedis)], healthURL: environment.server.url + "/health", scenarioStart: FaultInjector.now())
            let timing = try #require(timings.first)
            #expect(timing.appliedSeconds == nil)
            #expect(timing.revertedSeconds == nil)
            #expect(timing.error?.hasPrefix("failed to pause redis: ") == true, "\(timing.error ?? "nil")")
            try await environment.backends.redis.startServer()
        }
    }

    @Test func aDeploymentNotBootedHereCannotBeFaulted() {
        #expect(FaultInjector(postgres: nil, redis: nil, server: nil) == nil)
        let faults = [Self.fault(.stopRedis, at: 2000, for: 3000)]
        let text = FaultInjector.refusal(scenario: "redis-stop", faults: faults, target: "http://10.0.0.5:8080")
        #expect(text.contains("'redis-stop'"))
        #expect(text.contains("stop redis at 2 s for 3 s"))
        #expect(text.contains("http://10.0.0.5:8080"))
        #expect(text.contains("without --target"))
    }

    @Test(arguments: [
        (["serve", "--port", "0", "--log-level", "warning"], ["serve", "--log-level", "warning", "--port", "41234"]),
        (["serve", "--port=0"], ["serve", "--port", "41234"]),
        (["serve"], ["serve", "--port", "41234"]),
        (["serve", "--database-url", "postgresql://x:5432/db", "--port", "0"], ["serve", "--database-url", "postgresql://x:5432/db", "--port", "41234"]),
    ])
    func aRestartIsPinnedToTheAnnouncedPort(arguments: [String], expected: [String]) {
        #expect(ServerProcess.pinningPort(of: "http://127.0.0.1:41234", in: arguments) == expected)
    }
}

/// The file-descriptor check before a load of many connections.
@Suite("File-descriptor budget")
struct FileDescriptorBudgetTests {
    @Test(arguments: [
        (1000, UInt64(20_000), UInt64(20_000)),
        (1000, UInt64(1128), UInt64(1128)),
        (0, UInt64(128), UInt64(128)),
    ])
    func enoughDescriptorsMeansNoWarning(connections: Int, limit: UInt64, hard: UInt64) {
        #expect(FileDescriptorBudget.check(connections: connections, limit: limit, hardLimit: hard) == nil)
    }

    @Test func aSoftLimitBelowTheNeedNamesTheNumbersAndTheCommand() throws {
        let warning = try #require(FileDescriptorBudget.check(connections: 1000, limit: 1024, hardLimit: 1024))
        #expect(warning.contains("1000 connections need about 1128 open files"))
        #expect(warning.contains("may open only 1024 (hard limit 1024)"))
        #expect(warning.contains("ulimit -Hn 4096"))
        #expect(warning.contains("from about 896 connections on"))
    }

    @Test func aHardLimitThatAllowsMoreOnlyNeedsTheSoftOneRaised() throws {
        let warning = try #require(FileDescriptorBudget.check(connections: 5000, limit: 1024, hardLimit: 65_536))
        #expect(warning.contains("run `ulimit -n 6144`"))
        #expect(!warning.contains("-Hn"))
    }

    @Test func thisMachineAllowsTheStressScenario() {
        // The real limits, raised: the 1000-connection stress scenario must fit here, or the
        // check must say why not.
        let warning = FileDescriptorBudget.check(connections: 1000)
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        #expect((warning == nil) == (limit.rlim_cur >= 1128), "\(warning ?? "no warning") at limit \(limit.rlim_cur)")
    }
}
