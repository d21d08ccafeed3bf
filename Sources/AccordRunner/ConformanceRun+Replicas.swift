import AccordChecks
import AccordEnvironment
import AccordResults
import AccordSpec
import Foundation
import Logging

/// `accord run --replicas N`: N reference servers on one PostgreSQL and one Redis, behind
/// Debian's nginx on one port, which becomes the run's base URL. Without it (N = 1): one
/// server, no nginx, as before.
extension ConformanceRun {
    /// The most replicas a run boots: each is a process with its own pools.
    public static let replicaLimit = 64

    /// Starts replica after replica, appending each to `replicas` as soon as it runs (so the
    /// caller's teardown stops every one that started, whatever fails later). Replica 0 logs
    /// to `server.log`, the others to `server-<i>.log`.
    static func startReplicas(
        _ options: Options, databaseURL: String, redisURL: String, into replicas: inout [ServerProcess]
    ) async throws {
        for index in 0..<max(1, options.replicas) {
            let log = options.workDirectory + (index == 0 ? "/server.log" : "/server-\(index).log")
            replicas.append(try await ServerProcess.start(
                executable: options.serverExecutable,
                arguments: ["serve", "--port", "0", "--database-url", databaseURL, "--redis-url", redisURL, "--log-level", "warning"]
                    + options.serverArguments,
                logFile: log))
        }
    }

    /// The plan with every fault phase that kills a replica marked skipped, saying why, when
    /// fewer than two replicas will run (the session skips it the same way). Pure.
    static func markingReplicaFaults(_ plan: RunPlan, replicas: Int) -> RunPlan {
        guard replicas < 2 else { return plan }
        var plan = plan
        for index in plan.phases.indices where plan.phases[index].skipped == nil
            && (plan.phases[index].faults ?? []).contains(where: { $0.action == FaultAction.killReplica.rawValue })
        {
            plan.phases[index].skipped = "kill_replica needs accord run --replicas 2 or more"
        }
        return plan
    }

    /// The cases nginx answers itself, before any replica sees them, so that through it they
    /// test nginx: a NUL byte encoded in the path (`%00`: nginx's parser refuses it with its
    /// own 400). Run without `--replicas` they are checked against the server directly.
    static func refusedByProxy(_ check: AccordSpec.Case) -> Bool {
        // The path only: nginx leaves the query string undecoded, so `?domain=a%00b` reaches the server.
        let path = check.request.path.description.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return path.contains("%00")
    }

    /// The specs without the cases nginx answers itself, and those cases as skipped results
    /// by spec path, saying why.
    static func throughProxy(_ specs: [SpecFile]) -> (specs: [SpecFile], skipped: [String: [ResultsDocument.Case]]) {
        var skipped: [String: [ResultsDocument.Case]] = [:]
        let kept = specs.map { spec in
            var spec = spec
            for check in spec.cases where refusedByProxy(check) {
                skipped[spec.path, default: []].append(ResultsDocument.Case(
                    name: check.name.value, location: check.name.location, outcome: .skipped,
                    reason: "not run through nginx: it refuses a NUL byte encoded in the path (%00) with its own 400 before any "
                        + "replica sees the request; run without --replicas to check the server on it"))
            }
            spec.cases.removeAll(where: refusedByProxy)
            return spec
        }
        return (kept, skipped)
    }

    /// `functional` with the skipped cases put back into their spec's suite.
    static func adding(_ skipped: [String: [ResultsDocument.Case]], to functional: ResultsDocument, specs: [SpecFile]) -> ResultsDocument {
        var document = functional
        for spec in specs {
            guard let cases = skipped[spec.path], !cases.isEmpty else { continue }
            if let index = document.suites.firstIndex(where: { $0.file == spec.path }) {
                document.suites[index].cases += cases
            } else {
                document.suites.append(ResultsDocument.Suite(name: spec.suite.value, file: spec.path, cases: cases))
            }
        }
        return document
    }

    /// With two replicas or more and a capacity search: the capacity of one endpoint
    /// (``LoadSession/scalingSubject(_:endpoints:)``) searched again through nginx's
    /// single-replica port, against the same subject's capacity through every replica.
    static func oneInstance(
        _ session: LoadSession, specs: [SpecFile], plan: RunPlan, replicas: Int, proxy: ReverseProxy?, into results: inout LoadSession.Results
    ) async -> ResultsDocument.Scaling? {
        guard replicas > 1, let proxy, !Task.isCancelled else { return nil }
        let endpoints = Set(specs.flatMap { $0.endpoints.map(\.name.value) })
        guard let subject = LoadSession.scalingSubject(results.capacity, endpoints: endpoints) else { return nil }
        var single = session
        single.target = proxy.singleURL
        guard let capacity = await single.oneInstanceCapacity(specs, plan: plan, subject: subject, into: &results) else { return nil }
        return ResultsDocument.Scaling(replicas: replicas, subject: subject, oneInstance: capacity)
    }

    /// Each replica now, in order.
    static func readings(_ replicas: [ServerProcess]) async -> [InstanceReading] {
        var readings: [InstanceReading] = []
        for replica in replicas { readings.append(await InstanceReading.read(replica)) }
        return readings
    }

    /// The `instances` of the document: what each replica did between the two readings.
    static func instances(_ replicas: [ServerProcess], before: [InstanceReading], after: [InstanceReading]) -> [ResultsDocument.Instance] {
        zip(replicas.indices, zip(before, after)).map { index, pair in
            let (start, end) = pair
            let delta = end.since(start)
            return ResultsDocument.Instance(
                index: index, url: replicas[index].url, pid: end.pid, requests: delta.requests, seconds: delta.seconds,
                rps: delta.requests.flatMap { delta.seconds > 0 ? Double($0) / delta.seconds : nil }, cpuSeconds: delta.cpuSeconds,
                peakRSSMiB: end.peakRSSMiB, restarted: delta.restarted)
        }
    }

    /// The environment fact naming the replicas and their proxy.
    static func replicaFact(_ replicas: [ServerProcess], proxy: ReverseProxy) -> ResultsDocument.Fact {
        ResultsDocument.Fact(
            name: "Replicas",
            value: "\(replicas.count) accord serve processes (pids \(replicas.map { String($0.pid) }.joined(separator: ", "))) on one PostgreSQL "
                + "and one Redis, behind nginx (\(ReverseProxy.executable), one process, pid \(proxy.pid.map(String.init) ?? "?")) at \(proxy.url)")
    }
}
