import AccordEnvironment
import AccordChecks
import AccordLoad
import AccordReports
import AccordResults
import AccordRunner
import AccordSpec
import AccordHTTPTypes
import ArgumentParser
import Foundation
import Logging

/// `accord run`: the main job, from nothing to a verdict with reports.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Boot PostgreSQL, Redis and the reference server, check the contract, load the endpoints, and report.",
        discussion: """
            Writes reports/<UTC time>/ (junit.xml, results.json, baseline.md, report.html, \
            server.log) and points reports/latest at it. With --target, verifies an existing \
            deployment instead of booting one (give --database-url and --redis-url for the \
            side-effect checks and the reconciliation; fault scenarios are skipped). --json FILE \
            writes the results document there too. Exit 0 when \
            everything passed, 1 when a check, target, reconciliation or fault failed, 2 for \
            invalid specs or usage, 3 when the environment could not be booted or reached.
            """
    )

    @OptionGroup var specArguments: SpecArguments
    @OptionGroup var runArguments: RunArguments
    @OptionGroup(title: "With --target") var probes: ProbeArguments
    @OptionGroup var headerArguments: HeaderArguments
    @OptionGroup(title: "Reaching the deployment") var transportArguments: TransportArguments

    @Option(help: "Also write the results document here (the same as results.json in the report directory).")
    var json: String?

    @Option(
        name: [.customShort("t"), .long],
        help: "Load engines per phase, each on a thread of its own (default: one per core left after the services booted, at least 1).")
    var threads: Int?

    func validate() throws {
        try runArguments.check()
        try RunArguments.checkThreads(threads)
        try headerArguments.check()
        try transportArguments.check()
        if let json { try RunArguments.checkWritable(json) }
    }

    func run() async throws {
        try await runArguments.execute(
            specArguments, probes: probes, functional: true, json: json, threads: threads, headers: headerArguments.parsed,
            transport: transportArguments)
    }
}

/// What `accord run` and `accord load SPECS` share: the profile, the target, the reports.
struct RunArguments: ParsableArguments {
    @Option(help: "quick (short load phases), baseline (the vendor's durations) or smoke (the shortest run through every phase).")
    var profile: String = "quick"

    @Option(help: "Where the reports go.")
    var reports: String = "reports"

    @Option(help: "Verify this deployment instead of booting the reference server.")
    var target: String?

    @Option(help: "Seconds of load per endpoint, overriding the profile's (1 to 3600).")
    var loadSeconds: Int?

    @Flag(help: "Skip the capacity search (sustained and peak throughput).")
    var noCapacity = false

    @Option(
        help: ArgumentHelp(
            "Rows per seed: table before the load, overriding the profile's (baseline 1/1, quick 1/10, smoke 1/100 of the spec's rows:); 0 seeds nothing. With --target, nothing is seeded without it and --database-url.",
            valueName: "N"))
    var seedRows: Int?

    @Flag(help: "Print only the verdict and where the reports are.")
    var quiet = false

    @Option(
        name: .customLong("server-arg"),
        help: ArgumentHelp(
            "One more argument for the booted accord serve (repeatable), e.g. --server-arg=--inject-fault --server-arg=lost-enqueue.",
            valueName: "ARG"))
    var serverArguments: [String] = []

    @OptionGroup var levelArguments: LevelArguments
    @Option(
        help: ArgumentHelp(
            "Boot N reference servers on the same PostgreSQL and Redis, behind nginx on one port (Debian's nginx; default 1: one server, no nginx). Reports each instance, and one against N.",
            valueName: "N"))
    var replicas: Int = 1

    @Option(help: ArgumentHelp("Execute this plan (written by accord plan --json) instead of deriving one; its profile and threads apply.", valueName: "FILE"))
    var plan: String?

    @Option(
        help: ArgumentHelp(
            "Run shard I of N (0 ≤ I < N) of the load, with --target; /N takes I from JOB_COMPLETION_INDEX (an I given here wins). Writes an unjudged document for accord merge.",
            valueName: "I/N"))
    var shard: String?

    @Option(help: ArgumentHelp("With --shard: start loading at this RFC 3339 instant (e.g. 2026-12-08T01:00:00Z), as every shard does.", valueName: "TIME"))
    var startAt: String?

    /// `--shard`, with the index from `JOB_COMPLETION_INDEX` when the flag leaves it out.
    func parsedShard(_ environment: [String: String] = ProcessEnvironment.current) throws -> Shard? {
        guard let shard else { return nil }
        do { return try Shard.parse(shard, environment: environment) } catch { throw ValidationError("\(error)") }
    }

    func check() throws {
        if shard != nil || startAt != nil {
            guard target != nil else {
                throw ValidationError("--shard and --start-at load a deployment that exists: give --target (shards do not boot their own)")
            }
            guard shard != nil else { throw ValidationError("--start-at lines up the shards of one load: give it with --shard I/N") }
            _ = try parsedShard()
            if let startAt {
                do { _ = try StartInstant.parse(startAt) } catch { throw ValidationError("\(error)") }
            }
        }
        guard ConformanceRun.Profile(rawValue: profile) != nil else {
            throw ValidationError("--profile must be quick, baseline or smoke, not '\(profile)'")
        }
        _ = try levelArguments.selected()
        if !(1...ConformanceRun.replicaLimit).contains(replicas) {
            throw ValidationError("--replicas must be from 1 to \(ConformanceRun.replicaLimit), not \(replicas)")
        }
        if target != nil && replicas > 1 {
            throw ValidationError("--replicas boots the servers accord runs; with --target there is none to boot")
        }
        if target != nil && !serverArguments.isEmpty {
            throw ValidationError("--server-arg applies to the server accord boots; with --target there is none")
        }
        if let seedRows, !(0...100_000_000).contains(seedRows) {
            throw ValidationError("--seed-rows must be from 0 to 100000000")
        }
        if let loadSeconds, !(1...3600).contains(loadSeconds) {
            throw ValidationError("--load-seconds must be from 1 to 3600")
        }
        if let target {
            let rest = target.drop { $0 != "/" }.dropFirst(2)
            guard target.hasPrefix("http://") || target.hasPrefix("https://"), !rest.isEmpty, rest.first != "/" else {
                throw ValidationError("--target must be an http:// or https:// URL with a host, not '\(target)'")
            }
        }
    }

    /// A plan file, refused (exit 2) when it is not one, or was made for other specs, another
    /// target or the other command.
    static func readPlan(_ path: String, specs: [SpecFile], target: String?, functional: Bool) throws -> RunPlan {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw ValidationError("--plan \(path): \(error.localizedDescription)") }
        let plan: RunPlan
        do { plan = try RunPlan.read(data, path: path) } catch { throw ValidationError("--plan: \(error)") }
        let problems = plan.problems(against: specs)
        guard problems.isEmpty else { throw ValidationError("--plan \(path) does not fit the specs given:\n  " + problems.joined(separator: "\n  ")) }
        let here = target ?? "the reference server, booted"
        guard plan.target == here else { throw ValidationError("--plan \(path) was made for \(plan.target), not \(here)") }
        guard plan.functional == functional else {
            throw ValidationError("--plan \(path) is the plan of accord \(plan.functional ? "run" : "load"): give it to that command (or make it with\(functional ? "out" : "") --load)")
        }
        return plan
    }

    static func checkThreads(_ threads: Int?) throws {
        if let threads, !(1...64).contains(threads) { throw ValidationError("--threads must be from 1 to 64") }
    }

    /// Refuses, before an hour of load, a results path that cannot be written.
    static func checkWritable(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        let parent = directory.isEmpty ? "." : directory
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue,
            FileManager.default.isWritableFile(atPath: parent)
        else {
            throw ValidationError("--json \(path): the directory \(parent) does not exist or is not writable")
        }
    }

    /// Loads the specs, runs the pipeline, writes the reports, prints the verdict and exits by it.
    func execute(
        _ specArguments: SpecArguments, probes: ProbeArguments, functional: Bool, json: String? = nil, threads: Int? = nil,
        headers: [(name: String, value: String)] = [], transport: TransportArguments
    ) async throws {
        let loaded = try specArguments.load()
        let environment = ProcessEnvironment.current
        let urls = target == nil ? (database: nil, redis: nil) : probes.resolved(environment)
        guard loaded.problems.isEmpty else {
            SpecInput.printProblems(loaded.problems, compact: false)
            throw ExitCode(ExitStatus.usage)
        }
        OpenFiles.raiseToHardLimit()
        let stamp = Self.timestamp()
        var name = stamp.compact
        // Two runs in the same second get directories of their own.
        var suffix = 1
        while FileManager.default.fileExists(atPath: "\(reports)/\(name)") {
            suffix += 1
            name = "\(stamp.compact)-\(suffix)"
        }
        let directory = "\(reports)/\(name)"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw EnvironmentFailure(message: "failed to create the report directory \(directory): \(error.localizedDescription)")
        }
        var runLogger = Logger(label: "accord.run") { StreamLogHandler.standardError(label: $0) }
        runLogger.logLevel = .warning
        let logger = runLogger
        var runOptions = ConformanceRun.Options(
            specs: loaded.specs, profile: ConformanceRun.Profile(rawValue: profile) ?? .quick,
            serverExecutable: Self.ownExecutable(), workDirectory: directory, target: target, databaseURL: urls.database,
            redisURL: urls.redis, variables: loaded.variables, environment: environment,
            loadSeconds: loadSeconds.map { Double($0) }, functional: functional, capacity: !noCapacity, date: stamp.readable,
            command: CommandLineText.current)
        runOptions.serverArguments = serverArguments
        runOptions.levels = try levelArguments.selected()
        runOptions.replicas = replicas
        if let plan {
            let given = try Self.readPlan(plan, specs: loaded.specs, target: target, functional: functional)
            runOptions.plan = given
            runOptions.profile = ConformanceRun.Profile(rawValue: given.profile) ?? runOptions.profile
            runOptions.threads = given.threads
        }
        runOptions.threads = threads
        runOptions.headers = headers
        // The server this run boots is reached directly, whatever proxy the environment names.
        runOptions.transport = target.map { transport.transport(for: $0, environment: environment) } ?? Transport()
        runOptions.seedRows = seedRows
        runOptions.shard = try parsedShard(environment)
        if let planned = runOptions.plan?.shard, let shard = runOptions.shard, planned != shard {
            throw ValidationError("--plan \(plan ?? "") is the share of shard \(planned), not of --shard \(shard)")
        }
        runOptions.startAt = try startAt.map { try StartInstant.parse($0) }
        let options = runOptions
        let progress = Progress.onStandardOutput(quiet: quiet)
        let outcome: ConformanceRun.Outcome
        do {
            outcome = try await cancellingOnSignals {
                try await ConformanceRun.run(
                options, logger: logger,
                reporter: .init(
                    step: { progress.step($0) },
                    live: { progress.update($0) }))
            }
        } catch {
            progress.finish()
            throw EnvironmentFailure(message: "\(error)")
        }
        progress.finish()
        try ReportFiles.write(outcome.report, to: directory)
        let latest = "\(reports)/latest"
        // Replace `latest` only when it is our symlink; never delete a real directory.
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: latest)) != nil {
            try? FileManager.default.removeItem(atPath: latest)
        }
        if !FileManager.default.fileExists(atPath: latest) {
            try? FileManager.default.createSymbolicLink(atPath: latest, withDestinationPath: name)
        }
        let report = outcome.report
        let console = ConsoleReport(color: Terminal.colorOnStandardOutput)
        if !quiet {
            for suite in report.suites {
                for result in suite.cases where result.outcome == .failed || result.outcome == .error {
                    print(console.caseLine(result))
                }
            }
        }
        if let seeded = console.seeding(report), !quiet { print(seeded) }
        print(console.summary(report))
        if report.shard == nil {
            print("verdict: \(report.passed ? "PASSED" : "FAILED") — reports in \(directory) (\(reports)/latest)")
        }
        if let json {
            do { try report.jsonData().write(to: URL(fileURLWithPath: json)) } catch {
                throw EnvironmentFailure(message: "failed to write \(json): \(error.localizedDescription) (the same results are in \(directory)/results.json)")
            }
        }
        if report.targetUnreachable { throw EnvironmentFailure(message: "target unreachable: \(report.target)") }
        if let shard = report.shard {
            // A shard does not judge: accord merge does, on every shard's document.
            print("shard \(shard.index)/\(shard.count): started \(shard.lateBy >= 0.001 ? String(format: "%.3f s late", shard.lateBy) : "on time") (start \(shard.startAt)); results for accord merge in \(json ?? directory + "/results.json")")
            return
        }
        if !report.passed { throw ExitCode(ExitStatus.failed) }
    }

    static func timestamp() -> (compact: String, readable: String) {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        let now = Date()
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let compact = formatter.string(from: now)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return (compact, formatter.string(from: now))
    }

    /// This very executable, to start `accord serve` from.
    static func ownExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
