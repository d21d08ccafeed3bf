import AccordEnvironment
import AccordHTTP
import AccordHTTPTypes
import AccordLoad
import AccordRunner
import ArgumentParser
import Foundation

/// `accord load`: drive a server and measure it. With spec files, the load half of `accord
/// run` (endpoint targets, scenarios, capacity, reconciliation, reports and results JSON);
/// with --url, one URL without a spec, like wrk.
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load the specs' endpoints and scenarios and judge their targets, or load one URL (like wrk).",
        discussion: """
            accord load [SPECS…] [--target URL --database-url … --redis-url …] [--json FILE]: \
            every endpoint with targets, every scenario (faults only in an environment it boots), \
            the capacity search, and the reconciliation of every job acknowledged with 201; \
            without --target it boots PostgreSQL, Redis and the reference server as accord run \
            does. Reports go to --reports (results.json, junit.xml, baseline.md, report.html). \
            Exit codes as accord run.

            accord load --url URL [-c N] [-d 10s] [--rate R] …: closed model by default (every \
            connection sends again as soon as it is answered). With --rate, an open model: \
            requests arrive at that rate whatever the answers' speed, and latency counts from \
            each request's intended send time (corrected for coordinated omission; the \
            uncorrected figures are printed beside). --json FILE also writes the results \
            document (histograms included): accord report renders it, accord compare compares \
            two. Traffic goes only where --url points: keep it on your own machines.
            """
    )

    @OptionGroup var specArguments: SpecArguments
    @OptionGroup(title: "With spec files") var runArguments: RunArguments
    @OptionGroup(title: "With --target") var probes: ProbeArguments

    @Option(help: "Also write the results JSON here (histograms included).")
    var json: String?

    @Option(help: "Load this one URL, without a spec.")
    var url: String?

    @Option(name: [.customShort("c"), .long], help: "Connections kept open (default 50).")
    var connections: Int = 50

    @Option(name: [.customShort("d"), .long], help: "How long, as a duration: 10s, 1m (default 10s).")
    var duration: String = "10s"

    @Option(help: "Requests per second (open model); without it, closed model.")
    var rate: Double?

    @Option(
        name: [.customShort("t"), .long],
        help: "Engines, each on a thread of its own (default with --url 1; with spec files one per core left after the services booted).")
    var threads: Int?

    @Option(name: [.customShort("X"), .long], help: "HTTP method (default GET).")
    var method: String = "GET"

    @OptionGroup var headerArguments: HeaderArguments
    @OptionGroup(title: "Reaching the deployment") var transportArguments: TransportArguments

    @Option(help: "A request body (sent as is).")
    var body: String?

    @Option(help: "Per-request time limit, as a duration (default 10s; 0s for none).")
    var timeout: String = "10s"

    @Flag(help: "Read each answer's Server-Timing header and print the server's phases (db, redis, app) by percentile.")
    var serverTiming = false

    func validate() throws {
        guard let url else {
            try runArguments.check()
            try RunArguments.checkThreads(threads)
            if let json { try RunArguments.checkWritable(json) }
            try headerArguments.check()
            if rate != nil || body != nil {
                throw ValidationError("--rate and --body load one --url; with spec files the specs say what to send")
            }
            return
        }
        if runArguments.target != nil {
            throw ValidationError("--target goes with spec files; with --url, the URL is the target")
        }
        if let json { try RunArguments.checkWritable(json) }
        guard specArguments.paths.isEmpty else {
            throw ValidationError("give spec files or --url, not both (spec files: \(specArguments.paths.joined(separator: ", ")))")
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("--url must be an http:// or https:// URL, not '\(url)'")
        }
        guard (1...10_000).contains(connections) else { throw ValidationError("--connections must be from 1 to 10000") }
        guard (1...64).contains(threads ?? 1), threads ?? 1 <= connections else {
            throw ValidationError("--threads must be from 1 to 64 and at most --connections")
        }
        guard let milliseconds = DurationText.milliseconds(duration), milliseconds > 0 else {
            throw ValidationError("--duration must be a duration such as 10s or 1m, not '\(duration)'")
        }
        guard DurationText.milliseconds(timeout) != nil else {
            throw ValidationError("--timeout must be a duration such as 500ms or 5s, not '\(timeout)'")
        }
        if let rate, !(rate.isFinite && rate > 0) { throw ValidationError("--rate must be a positive number") }
        try headerArguments.check()
        try transportArguments.check()
    }

    func run() async throws {
        guard let url else {
            try await runArguments.execute(
                specArguments, probes: probes, functional: false, json: json, threads: threads, headers: headerArguments.parsed,
                transport: transportArguments)
            return
        }
        let parsedHeaders = headerArguments.parsed
        let request = ClientRequest(
            method: method.uppercased(), url: url, headers: parsedHeaders, body: body.map { Array($0.utf8) },
            timeoutMilliseconds: DurationText.milliseconds(timeout) ?? 10_000, transport: transportArguments.transport(for: url))
        var plan = LoadPlan(
            requests: [(request: request, weight: 1)], connections: connections,
            durationNanoseconds: UInt64(DurationText.milliseconds(duration) ?? 10_000) * 1_000_000,
            model: rate.map { .open(rate: $0) } ?? .closed, threads: threads ?? 1)
        plan.serverTiming = serverTiming
        OpenFiles.raiseToHardLimit()
        let result = await LoadRun.run(plan)
        if let error = result.setupError { throw EnvironmentFailure(message: "failed to set up the load: \(error)") }
        print(LoadSummary.render(result, url: url), terminator: "")
        if let json {
            let report = await AdHocLoad.report(
                method: request.method, url: url, result: result, date: RunArguments.timestamp().readable,
                command: CommandLineText.current)
            do { try report.jsonData().write(to: URL(fileURLWithPath: json)) } catch {
                throw EnvironmentFailure(message: "failed to write \(json): \(error.localizedDescription)")
            }
        }
        let refused = result.recorder.errors[.connect, default: 0]
        if refused > 0, refused == result.recorder.completed {
            throw EnvironmentFailure(message: "target unreachable: \(url)")
        }
    }
}
