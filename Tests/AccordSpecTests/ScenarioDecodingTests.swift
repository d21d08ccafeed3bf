import AccordSpec
import Testing

/// Scenarios with stages and faults: what valid ones decode to, and where each broken one is
/// reported. The scenario under test starts on line 5, its first own key on line 6.
@Suite("Scenarios: stages and faults")
struct ScenarioDecodingTests {
    /// A spec whose one scenario has `lines` (indented by the caller's four spaces) before its mix.
    static func spec(_ lines: String) -> String {
        """
        suite: s
        endpoints:
          health: {method: GET, path: /health}
        scenarios:
          - name: x
        \(lines.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
            mix: {health: 1}
        """
    }

    static func scenario(_ lines: String) throws -> Scenario {
        switch SpecLoader.load(spec(lines), path: "s.yaml") {
        case let .success(spec): return try #require(spec.scenarios.first)
        case let .failure(problems):
            Issue.record("unexpected errors: \(problems.diagnostics.map(\.description))")
            throw problems
        }
    }

    static func errors(_ lines: String) -> [String] {
        guard case let .failure(problems) = SpecLoader.load(spec(lines), path: "s.yaml") else { return [] }
        return problems.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message)" }
    }

    @Test func closedStagesRampUsersAndSumTheirDurations() throws {
        let scenario = try Self.scenario("users: 10\nstages:\n  - {duration: 30s, users: 100}\n  - {duration: 1m, users: 100}\n  - {duration: 10s, users: 0}")
        #expect(scenario.users == 10)
        #expect(scenario.rate == nil)
        #expect(scenario.durationMilliseconds == 100_000)
        #expect(scenario.stages.map(\.durationMilliseconds) == [30_000, 60_000, 10_000])
        #expect(scenario.stages.map(\.target) == [100, 100, 0])
        #expect(scenario.stages.map(\.location.line) == [8, 9, 10])
        #expect(scenario.faults.isEmpty)
    }

    @Test func openStagesMayStartFromZero() throws {
        let scenario = try Self.scenario("rate: 0\nstages:\n  - {duration: 5s, rate: 500}\n  - {duration: 2500ms, rate: 250.5}")
        #expect(scenario.rate == 0)
        #expect(scenario.users == nil)
        #expect(scenario.durationMilliseconds == 7_500)
        #expect(scenario.stages.map(\.target) == [500, 250.5])
    }

    @Test func faultsDecodeInTimeOrderWithTheDefaultDowntime() throws {
        let scenario = try Self.scenario(
            "rate: 200\nduration: 10s\nfaults:\n  - {at: 6s, action: kill_server}\n  - {at: 1500ms, action: pause_redis, for: 3s}")
        #expect(scenario.faults.map(\.action) == [.pauseRedis, .killServer])
        #expect(scenario.faults.map(\.atMilliseconds) == [1_500, 6_000])
        #expect(scenario.faults.map(\.forMilliseconds) == [3_000, FaultSpec.defaultForMilliseconds])
        #expect(scenario.faults.map(\.location.line) == [10, 9])
        #expect(scenario.faults.map(\.description) == ["pause redis at 1.5 s for 3 s", "kill the server at 6 s for 2 s"])
    }

    @Test func aFaultMayEndExactlyWhenTheScenarioEndsAndFollowAnotherDirectly() throws {
        let scenario = try Self.scenario(
            "users: 5\nstages:\n  - {duration: 4s, users: 10}\nfaults:\n  - {at: 0s, action: stop_redis, for: 2s}\n  - {at: 2s, action: restart_postgres, for: 2s}")
        #expect(scenario.faults.map(\.endMilliseconds) == [2_000, 4_000])
    }

    @Test(arguments: [
        (0, "0 ms"), (250, "250 ms"), (1_000, "1 s"), (1_500, "1.5 s"), (2_250, "2.25 s"), (60_000, "60 s"),
    ])
    func faultTimesReadAsPeopleWriteThem(milliseconds: Int, text: String) {
        #expect(FaultSpec.seconds(milliseconds) == text)
    }

    @Test(arguments: [
        // Stages
        ("users: 10\nduration: 1m\nstages:\n  - {duration: 30s, users: 100}",
         ["7:15 a scenario with stages takes its duration from them"]),
        ("users: 10\nstages: []", ["7:13 stages needs at least one stage: - {duration: 30s, users: 100}"]),
        ("users: 10\nstages: {duration: 30s}", ["7:13 stages must be a list, not a mapping"]),
        ("users: 10\nstages:\n  - {duration: 30s, rate: 100}",
         ["8:31 a stage of a closed scenario (users:) ramps the users: write users:, not rate:"]),
        ("rate: 10\nstages:\n  - {duration: 30s, users: 100}",
         ["8:32 a stage of an open scenario (rate:) ramps the rate: write rate:, not users:"]),
        ("users: 10\nstages:\n  - {users: 100}", ["8:9 a stage needs a duration: {duration: 30s, users: 100}"]),
        ("users: 10\nstages:\n  - {duration: 0s, users: 100}", ["8:20 a stage's duration must be longer than 0"]),
        ("users: 10\nstages:\n  - {duration: 30s}", ["8:9 a stage has users: N or rate: R as its target, exactly one"]),
        ("users: 10\nstages:\n  - {duration: 30s, users: 10, rate: 5}", ["8:9 a stage has users: N or rate: R as its target, exactly one"]),
        ("users: 10\nstages:\n  - {duraton: 30s, users: 10}",
         ["8:9 a stage needs a duration: {duration: 30s, users: 100}", "8:10 unknown key 'duraton' in a stage (did you mean 'duration'?)"]),
        ("users: 10\nstages:\n  - {duration: 30s, users: -1}", ["8:32 a stage's users must be between 0 and 100000, not -1"]),
        ("rate: 10\nstages:\n  - {duration: 30s, rate: -1}", ["8:31 a stage's rate must be 0 or more, not -1.0"]),
        ("users: 10\nspawn_rate: 5\nstages:\n  - {duration: 30s, users: 100}",
         ["7:17 spawn_rate does not combine with stages: the stages ramp the users"]),
        ("users: 0\nduration: 5s", ["6:12 users must be between 1 and 100000, not 0"]),
        ("rate: 0\nduration: 5s", ["6:11 rate must be more than 0, not 0.0"]),
        ("rate: 10\nspawn_rate: 5\nduration: 5s",
         ["7:17 spawn_rate is for users (closed model); an open scenario sends at its rate from the start"]),
        ("users: 10", ["5:11 a scenario needs a duration (or stages:)"]),
        // Faults
        ("rate: 10\nduration: 10s\nfaults:\n  - {at: 2s, action: stop_rediss}",
         ["9:26 unknown fault action 'stop_rediss' (did you mean 'stop_redis'?)"]),
        ("rate: 10\nduration: 10s\nfaults:\n  - {at: 2s, action: reboot}", ["9:26 unknown fault action 'reboot'"]),
        ("rate: 10\nduration: 10s\nfaults:\n  - {at: 2s, action: kill_replicas}",
         ["9:26 unknown fault action 'kill_replicas' (did you mean 'kill_replica'?)"]),
        ("rate: 10\nduration: 10s\nfaults:\n  - {action: stop_redis}",
         ["9:9 a fault needs at: (when, from the scenario's start), such as at: 2s"]),
        ("rate: 10\nduration: 10s\nfaults:\n  - {at: 2s}",
         ["9:9 a fault needs an action: stop_redis, pause_redis, restart_postgres, kill_server, kill_replica"]),
        ("rate: 10\nduration: 10s\nfaults:\n  - {at: 2, action: stop_redis}",
         ["9:14 at must be a duration such as 250ms, 5s, 2m or 1h"]),
        ("rate: 10\nduration: 10s\nfaults:\n  - {at: 2s, action: stop_redis, for: 0ms}",
         ["9:43 for must be longer than 0: how long the dependency stays down"]),
        ("rate: 10\nduration: 10s\nfaults:\n  - {at: 2s, acton: stop_redis}",
         ["9:9 a fault needs an action: stop_redis, pause_redis, restart_postgres, kill_server, kill_replica",
          "9:18 unknown key 'acton' in a fault (did you mean 'action'?)"]),
        ("rate: 10\nduration: 10s\nfaults:\n  - {at: 9s, action: kill_server}",
         ["9:9 this fault lasts until 11 s, after the scenario ends at 10 s"]),
        ("users: 1\nstages:\n  - {duration: 3s, users: 5}\nfaults:\n  - {at: 2s, action: stop_redis}",
         ["10:9 this fault lasts until 4 s, after the scenario ends at 3 s"]),
        ("rate: 10\nduration: 10s\nfaults:\n  - {at: 5s, action: kill_server}\n  - {at: 2s, action: stop_redis, for: 3500ms}",
         ["9:14 this fault starts at 5 s, while the fault at line 10 (stop redis at 2 s for 3.5 s) lasts until 5.5 s"]),
        ("rate: 10\nduration: 10s\nfaults: {at: 2s, action: stop_redis}", ["8:13 faults must be a list, not a mapping"]),
    ] as [(String, [String])])
    func brokenStagesAndFaultsAreReportedWhereTheyAre(lines: String, expected: [String]) {
        #expect(Self.errors(lines) == expected)
    }
}
