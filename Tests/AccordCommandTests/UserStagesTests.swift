import AccordEnvironment
import AccordJSON
import AccordResults
import AccordTestSupport
import Foundation
import Testing

/// `spawn_rate` and user stages against a real server (`accord serve --store memory`), through
/// `accord load SPEC`: the users the run really had each second — the connections that sent at
/// least one request in it, which without think time is every user that is on — follow the
/// plan within max(2 users, 10%) every second. Two engines (`--threads 2`), each ramping its
/// share, so that rounding per engine is part of what is checked.
@Suite("Users over time, as planned", .serialized)
struct UserStagesTests {
    static let spec = """
        suite: users
        health: /health
        endpoints:
          health: {method: GET, path: /health, expect_status: 200}
        scenarios:
          - name: spawn
            users: 20
            spawn_rate: 8
            duration: 4s
            mix: {health: 1}
          - name: stages
            users: 0
            stages:
              - {duration: 2s, users: 16}
              - {duration: 1s, users: 16}
              - {duration: 2s, users: 4}
            mix: {health: 1}
        """

    /// The users planned for second `second`: the most the plan has on at any time in it
    /// (a user on for part of a second sends in it).
    static func planned(_ scenario: String, second: Int) -> Double {
        var most = 0.0
        for step in 0...100 {
            let t = Double(second) + Double(step) / 100
            let users: Double
            if scenario == "spawn" {
                // User i starts at i / 8 s: those started by t.
                users = min(20, (t * 8).rounded(.down) + 1)
            } else {
                // 0 → 16 over 2 s, hold 1 s, 16 → 4 over 2 s.
                users = t <= 2 ? 16 * t / 2 : t <= 3 ? 16 : max(4, 16 - 12 * (t - 3) / 2)
            }
            // The last instant of a second belongs to the next one.
            if step < 100 { most = max(most, users.rounded()) }
        }
        return most
    }

    @Test func activeUsersFollowSpawnRateAndStages() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("accord-users-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let specPath = folder.appendingPathComponent("users.yaml").path
        try Self.spec.write(toFile: specPath, atomically: true, encoding: .utf8)
        let server = try await ServerProcess.start(
            executable: Executables.accord.path, arguments: ["serve", "--store", "memory", "--port", "0"],
            logFile: folder.appendingPathComponent("server.log").path)
        let json = folder.appendingPathComponent("results.json").path
        // Planned first (baseline: the scenarios at their stated times, two engines), then
        // executed from the plan file: no --profile or --threads on the load, the plan's apply.
        let planPath = folder.appendingPathComponent("plan.json").path
        let planned = try await Executables.run(
            ["plan", specPath, "--load", "--target", server.url, "--profile", "baseline", "--no-capacity", "--threads", "2", "--json", planPath], timeout: 60)
        #expect(planned.status == 0, "\(planned.stderr)")
        let finished = try await Executables.run(
            [
                "load", specPath, "--target", server.url, "--plan", planPath, "--no-capacity", "--json", json,
                "--reports", folder.appendingPathComponent("reports").path, "--quiet",
            ], timeout: 120)
        _ = await server.stop()
        #expect(finished.status == 0, "stderr: \(finished.stderr)")
        let report = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
        // The results embed the plan file's plan, as it was written.
        let written = try JSON.parse(bytes: Array(Data(contentsOf: URL(fileURLWithPath: planPath))))
        #expect(report.plan == written)
        #expect(report.profile == "baseline")
        // A plan refused where it does not fit: another command, other specs.
        let wrongCommand = try await Executables.run(["run", specPath, "--target", server.url, "--plan", planPath], timeout: 60)
        #expect(wrongCommand.status == 2 && wrongCommand.stderr.contains("is the plan of accord load"), "\(wrongCommand.stderr)")
        let health = Executables.repositoryRoot.appendingPathComponent("specs/health.yaml").path
        let otherSpecs = try await Executables.run(["load", health, "--target", server.url, "--plan", planPath], timeout: 60)
        #expect(otherSpecs.status == 2 && otherSpecs.stderr.contains("which is not among the specs given"), "\(otherSpecs.stderr)")
        for name in ["spawn", "stages"] {
            let phase = try #require(report.scenarios.first { $0.name == name })
            #expect(phase.model == "users")
            let seconds = phase.series.filter { $0.users != nil }
            #expect(seconds.count >= 4, "\(name): \(phase.series.count) seconds")
            for point in seconds {
                let planned = Self.planned(name, second: point.second)
                let measured = Double(point.users ?? 0)
                #expect(abs(measured - planned) <= max(2, planned * 0.1), "\(name) second \(point.second): \(measured) users, planned \(planned)")
            }
        }
    }
}
