import AccordChecks
import AccordHTTP
import AccordSpec
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Applies a scenario's faults to the environment `accord run` booted, at their times, while
/// the load runs beside it:
///
/// ```swift
/// guard let injector = FaultInjector(postgres: postgres, redis: redis, server: server) else {
///     progress(FaultInjector.refusal(scenario: scenario.name.value, faults: scenario.faults, target: target))
///     …
/// }
/// let start = FaultInjector.now()
/// async let timings = injector.run(scenario.faults, healthURL: server.url + health.path, healthStatus: health.status, scenarioStart: start)
/// let load = await LoadRun.run(plan)
/// // timings: [stop redis at 2 s for 3 s: applied 2.0 s, back 5.1 s, healthy 0.4 s later]
/// ```
///
/// Only a booted environment can be faulted: the injector holds the handles of the processes
/// it stops, pauses and kills. Redis should run with ``ThrowawayRedis/Persistence/appendOnly``
/// so that its streams survive `stop_redis`.
public struct FaultInjector: Sendable {
    public let postgres: ThrowawayPostgres
    public let redis: ThrowawayRedis
    public let server: ServerProcess
    /// Every replica of `accord run --replicas N` (empty or one without it): `kill_replica`
    /// kills the last, so that replica 0, which the 1-vs-N comparison measures alone, stays.
    public var replicas: [ServerProcess] = []
    /// How long after a dependency is back `/health` may take to answer 200.
    public var recoveryBound: Duration = .seconds(30)
    /// Between `/health` probes, during a fault and while waiting for recovery.
    public var probeInterval: Duration = .milliseconds(50)
    /// Each `/health` probe's own timeout: a paused dependency must not stall the probing.
    public var probeTimeoutMilliseconds = 1000

    /// An injector over the environment `accord run` booted; nil when any part of it was not
    /// booted (a `--target` run), which ``refusal(scenario:faults:target:)`` explains.
    public init?(postgres: ThrowawayPostgres?, redis: ThrowawayRedis?, server: ServerProcess?) {
        guard let postgres, let redis, let server else { return nil }
        self.postgres = postgres
        self.redis = redis
        self.server = server
    }

    /// Why a fault scenario is skipped for a deployment this run did not boot.
    public static func refusal(scenario: String, faults: [FaultSpec], target: String) -> String {
        "skipped scenario '\(scenario)': its faults (\(faults.map(\.description).joined(separator: "; "))) stop, pause and kill "
            + "the PostgreSQL, Redis and server that accord run boots itself, and \(target) was not booted by this run; "
            + "run without --target to include it"
    }

    /// Why a scenario with `kill_replica` is skipped when fewer than two replicas run.
    public static func replicaRefusal(scenario: String, replicas: Int) -> String {
        "skipped scenario '\(scenario)': kill_replica kills one replica while the others carry the load, and this run "
            + "booted \(replicas == 1 ? "one server" : "\(replicas) servers"); run with --replicas 2 or more to include it"
    }

    /// Whether these faults can be applied here: `kill_replica` needs two replicas or more.
    public func refusal(scenario: String, faults: [FaultSpec]) -> String? {
        guard faults.contains(where: { $0.action == .killReplica }), replicas.count < 2 else { return nil }
        return Self.replicaRefusal(scenario: scenario, replicas: max(1, replicas.count))
    }

    /// Nanoseconds on the monotonic clock (CLOCK_MONOTONIC, the load engine's clock): pass the
    /// value taken when the scenario's load starts as `scenarioStart`.
    public static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Applies each fault at its time from `scenarioStart`, holds it for its `for`, brings the
    /// dependency back, and waits (bounded) for `/health` to answer 200, one fault after
    /// another. A fault whose time has passed (the previous one recovered late) is applied at
    /// once. Every fault that was applied is brought back, cancellation or not; after
    /// cancellation, no further fault is applied and recovery is no longer waited for.
    public func run(_ faults: [FaultSpec], healthURL: String, healthStatus: Int = 200, scenarioStart: UInt64) async -> [FaultTiming] {
        var timings: [FaultTiming] = []
        for fault in faults.sorted(by: { $0.atMilliseconds < $1.atMilliseconds }) {
            if Task.isCancelled { break }
            await sleep(until: scenarioStart + UInt64(fault.atMilliseconds) * 1_000_000)
            timings.append(await inject(fault, healthURL: healthURL, healthStatus: healthStatus, scenarioStart: scenarioStart))
        }
        return timings
    }

    private func inject(_ fault: FaultSpec, healthURL: String, healthStatus: Int, scenarioStart: UInt64) async -> FaultTiming {
        func seconds(_ instant: UInt64) -> Double { Double(instant > scenarioStart ? instant - scenarioStart : 0) / 1e9 }
        var timing = FaultTiming(fault: fault)
        // 1. Break it.
        do {
            try await apply(fault.action)
        } catch {
            timing.error = "failed to \(fault.action.words): \(error)"
            return timing
        }
        let applied = Self.now()
        timing.appliedSeconds = seconds(applied)
        // 2. Hold it for `for`, probing /health meanwhile (how the outage looks from outside).
        let end = applied + UInt64(fault.forMilliseconds) * 1_000_000
        while Self.now() < end, !Task.isCancelled {
            timing.healthProbesDuringFault += 1
            if await !healthy(healthURL, status: healthStatus) { timing.healthFailuresDuringFault += 1 }
            await sleep(until: min(end, Self.now() + Self.nanoseconds(probeInterval)))
        }
        // 3. Bring it back; recovery counts from here.
        let revertStarted = Self.now()
        do {
            try await revert(fault.action)
            timing.revertedSeconds = seconds(Self.now())
        } catch {
            timing.error = "failed to bring it back after \(fault.description): \(error)"
        }
        if fault.action == .stopRedis, redis.persistence == .none, timing.error == nil {
            timing.error = "redis runs without persistence: the stop emptied its streams (start it with persistence: .appendOnly)"
        }
        // 4. Wait for /health 200, bounded.
        let deadline = Self.now() + Self.nanoseconds(recoveryBound)
        while Self.now() < deadline, !Task.isCancelled {
            if await healthy(healthURL, status: healthStatus) {
                timing.recoverySeconds = Double(Self.now() - revertStarted) / 1e9
                break
            }
            await sleep(until: Self.now() + Self.nanoseconds(probeInterval))
        }
        return timing
    }

    private func apply(_ action: FaultAction) async throws {
        switch action {
        case .stopRedis: await redis.stopServer()
        case .pauseRedis: try await redis.pauseServer()
        case .restartPostgres: try await postgres.stopServer()
        case .killServer: await server.kill()
        case .killReplica: try await victim().kill()
        }
    }

    private func revert(_ action: FaultAction) async throws {
        switch action {
        case .stopRedis: try await redis.startServer()
        case .pauseRedis: try await redis.resumeServer()
        case .restartPostgres: try await postgres.startServer()
        case .killServer: try await server.restart()
        case .killReplica: try await victim().restart()
        }
    }

    /// The replica `kill_replica` kills: the last one.
    private func victim() throws -> ServerProcess {
        guard replicas.count >= 2, let last = replicas.last else {
            throw EnvironmentError(.invalidState, doing: "killing", subject: "a replica", cause: "kill_replica needs --replicas 2 or more")
        }
        return last
    }

    /// Whether one `GET healthURL` answered the spec's health status within the probe timeout.
    private func healthy(_ healthURL: String, status: Int) async -> Bool {
        await HealthProbe.status(healthURL, timeoutMilliseconds: probeTimeoutMilliseconds) == status
    }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(max(0, duration.seconds) * 1e9)
    }

    /// Sleeps until the monotonic clock reads `instant`; returns early on cancellation.
    private func sleep(until instant: UInt64) async {
        let now = Self.now()
        guard instant > now else { return }
        try? await Task.sleep(nanoseconds: instant - now)
    }
}
