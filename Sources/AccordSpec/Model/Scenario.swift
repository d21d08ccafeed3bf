/// A load scenario: virtual users (closed model) or a constant arrival rate (open model),
/// optionally in stages, optionally with faults injected into the environment while it runs.
///
/// ```yaml
/// scenarios:
///   - name: ramp
///     users: 10                  # the start: 10 users, then
///     stages:                    # 30 s from 10 to 100 users, 1 m at 100
///       - {duration: 30s, users: 100}
///       - {duration: 1m, users: 100}
///     mix: {job_status: 70, create_job: 30}
///   - name: redis-outage
///     rate: 200
///     duration: 10s
///     faults:
///       - {at: 2s, action: stop_redis, for: 3s}
///     mix: {create_job: 50, job_status: 50}
/// ```
public struct Scenario: Sendable {
    public var name: Located<String>
    /// Closed model: this many users, each sending, then thinking. With stages: the start.
    public var users: Int?
    /// Open model: this many requests per second, whatever the answers' speed. With stages:
    /// the start.
    public var rate: Double?
    /// Users started per second.
    public var spawnRate: Double?
    /// The whole scenario: its `duration:`, or the sum of its stages' durations.
    public var durationMilliseconds: Int
    /// Think time between a user's requests, uniformly drawn from this range (ms).
    public var thinkMilliseconds: ClosedRange<Int>?
    /// Endpoint name → weight.
    public var mix: [(endpoint: String, weight: Int)]
    /// Users (closed) or rate (open) moving linearly from the previous stage's target (the
    /// scenario's `users`/`rate` for the first) to each stage's own, as k6's ramping-vus and
    /// ramping-arrival-rate executors do. Empty: a constant load for `durationMilliseconds`.
    public var stages: [ScenarioStage]
    /// Faults applied to the environment `accord run` booted, in time order, never overlapping,
    /// each over before the scenario ends.
    public var faults: [FaultSpec]
    public var location: SourceLocation

    public init(
        name: Located<String>, users: Int? = nil, rate: Double? = nil, spawnRate: Double? = nil, durationMilliseconds: Int,
        thinkMilliseconds: ClosedRange<Int>? = nil, mix: [(endpoint: String, weight: Int)], stages: [ScenarioStage] = [],
        faults: [FaultSpec] = [], location: SourceLocation
    ) {
        self.name = name
        self.users = users
        self.rate = rate
        self.spawnRate = spawnRate
        self.durationMilliseconds = durationMilliseconds
        self.thinkMilliseconds = thinkMilliseconds
        self.mix = mix
        self.stages = stages
        self.faults = faults
        self.location = location
    }
}

/// One stage of a ramping scenario: over `durationMilliseconds`, move linearly to `target`
/// (users for a closed scenario, requests per second for an open one).
public struct ScenarioStage: Sendable, Equatable {
    public var durationMilliseconds: Int
    public var target: Double
    public var location: SourceLocation

    public init(durationMilliseconds: Int, target: Double, location: SourceLocation) {
        self.durationMilliseconds = durationMilliseconds
        self.target = target
        self.location = location
    }
}

/// What a fault does to the environment, and how it is undone after its `for`.
public enum FaultAction: String, Sendable, CaseIterable {
    /// SIGTERM to Redis (it flushes its append-only file), started again on the same port
    /// and directory with its data.
    case stopRedis = "stop_redis"
    /// SIGSTOP to Redis: connections stay open and hang; SIGCONT resumes it.
    case pauseRedis = "pause_redis"
    /// PostgreSQL stopped (`pg_ctl stop -m fast`) and started again on the same data
    /// directory and port: down for the fault's `for`.
    case restartPostgres = "restart_postgres"
    /// SIGKILL to the server, started again with the same arguments on the same port.
    case killServer = "kill_server"
    /// SIGKILL to one replica of `accord run --replicas N` (N ≥ 2; otherwise the scenario is
    /// skipped, saying why) while the others carry the load behind nginx; started again on
    /// its port after the fault's `for`.
    case killReplica = "kill_replica"

    /// In words, for reports: "stop redis".
    public var words: String {
        switch self {
        case .stopRedis: "stop redis"
        case .pauseRedis: "pause redis"
        case .restartPostgres: "restart postgres"
        case .killServer: "kill the server"
        case .killReplica: "kill one replica"
        }
    }
}

/// A fault at a moment of a scenario: `{at: 2s, action: stop_redis, for: 3s}`.
public struct FaultSpec: Sendable, Equatable, CustomStringConvertible {
    /// `for` when the spec leaves it out.
    public static let defaultForMilliseconds = 2000

    public var action: FaultAction
    /// When to apply it, from the scenario's start.
    public var atMilliseconds: Int
    /// How long the dependency stays down (stopped, paused, killed) before it is brought back.
    public var forMilliseconds: Int
    public var location: SourceLocation

    public init(action: FaultAction, atMilliseconds: Int, forMilliseconds: Int = defaultForMilliseconds, location: SourceLocation) {
        self.action = action
        self.atMilliseconds = atMilliseconds
        self.forMilliseconds = forMilliseconds
        self.location = location
    }

    /// When it is undone, from the scenario's start.
    public var endMilliseconds: Int { atMilliseconds + forMilliseconds }

    /// "stop redis at 2 s for 3 s".
    public var description: String {
        "\(action.words) at \(Self.seconds(atMilliseconds)) for \(Self.seconds(forMilliseconds))"
    }

    /// Milliseconds as people write them: "2 s", "2.5 s", "250 ms".
    public static func seconds(_ milliseconds: Int) -> String {
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        var text = String(Double(milliseconds) / 1000)
        while text.hasSuffix("0") { text.removeLast() }
        return text + " s"
    }
}
