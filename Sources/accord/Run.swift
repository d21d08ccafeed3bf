import AccordChecks
import AccordLoad
import AccordReports
import AccordRunner
import AccordSpec
import ArgumentParser
import Foundation
import Logging

/// `accord run`: the main job, from nothing to a verdict with reports.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Boot PostgreSQL, Redis and the reference server, check the contract, load the endpoints, and report.",
        discussion: """
            Writes reports/<UTC time>/ (junit.xml, results.json, baseline.md, server.log) and points \
            reports/latest at it. With --target, verifies an existing deployment instead of booting \
            one (give --database-url and --redis-url for the side-effect checks). Exit 0 when \
            everything passed, 1 when a check or target failed, 2 for invalid specs or usage, 3 \
            when the environment could not be booted or reached.
            """
    )

    @OptionGroup var specArguments: SpecArguments

    @Option(help: "quick (short load phases) or baseline (the vendor's durations).")
    var profile: String = "quick"

    @Option(help: "Where the reports go.")
    var reports: String = "reports"

    @Option(help: "Verify this deployment instead of booting the reference server.")
    var target: String?

    @OptionGroup(title: "With --target") var probes: ProbeArguments

    @Option(help: "Seconds of load per endpoint, overriding the profile's (1 to 3600).")
    var loadSeconds: Int?

    @Flag(help: "Print only the verdict and where the reports are.")
    var quiet = false

    func validate() throws {
        guard ConformanceRun.Profile(rawValue: profile) != nil else {
            throw ValidationError("--profile must be quick or baseline, not '\(profile)'")
        }
        if let loadSeconds, !(1...3600).contains(loadSeconds) {
            throw ValidationError("--load-seconds must be from 1 to 3600")
        }
        if let target, !(target.hasPrefix("http://") || target.hasPrefix("https://")) {
            throw ValidationError("--target must be an http:// or https:// URL, not '\(target)'")
        }
    }

    func run() async throws {
        let loaded = try specArguments.load()
        let environment = ProcessEnvironment.current
        let urls = target == nil ? (database: nil, redis: nil) : probes.resolved(environment)
        guard loaded.problems.isEmpty else {
            SpecInput.printProblems(loaded.problems, compact: false)
            throw ExitCode(ExitStatus.usage)
        }
        OpenFiles.raiseToHardLimit()
        let stamp = Self.timestamp()
        let directory = "\(reports)/\(stamp.compact)"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw EnvironmentFailure(message: "failed to create the report directory \(directory): \(error.localizedDescription)")
        }
        let quiet = self.quiet
        var logger = Logger(label: "accord.run") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let options = ConformanceRun.Options(
            specs: loaded.specs, profile: ConformanceRun.Profile(rawValue: profile) ?? .quick,
            serverExecutable: Self.ownExecutable(), workDirectory: directory, target: target, databaseURL: urls.database,
            redisURL: urls.redis, variables: loaded.variables, environment: environment,
            loadSeconds: loadSeconds.map { UInt64($0) })
        let outcome: ConformanceRun.Outcome
        do {
            outcome = try await ConformanceRun.run(options, logger: logger) { step in
                if !quiet { print("• \(step)") }
            }
        } catch {
            throw EnvironmentFailure(message: "\(error)")
        }
        let combined = CheckRunResult(
            target: outcome.target, suites: outcome.functional.suites + [outcome.targets, outcome.scenarioResults])
        let facts = outcome.environment
        let machine: [(name: String, value: String)] = [
            ("CPU", "\(facts.cpuModel), \(facts.cores) cores"),
            ("Memory", String(format: "%.1f GiB", facts.memoryGiB)),
            ("OS", facts.operatingSystem),
            ("PostgreSQL", facts.postgresVersion ?? "not probed"),
            ("Redis", facts.redisVersion ?? "not probed"),
            ("Server", outcome.booted ? "accord serve (reference), pid \(facts.serverPID.map(String.init) ?? "?")" : outcome.target),
            ("Load generator", "accord load engine (libcurl multi), on the same machine"),
        ]
        let baseline = BaselineReport.markdown(.init(
            date: stamp.readable, command: (["accord"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
            target: outcome.target, booted: outcome.booted, functional: outcome.functional, targets: outcome.targets,
            measurements: outcome.measurements,
            scenarios: outcome.scenarios.map { scenario in
                (name: scenario.name, load: scenario.users.map { "\($0) users" } ?? "\(Int(scenario.rate ?? 0)) req/s",
                 seconds: scenario.seconds, measurement: scenario.overall, healthy: scenario.serverAlive)
            },
            scenarioResults: outcome.scenarioResults, environment: machine, profile: profile, connections: options.connections,
            specFiles: loaded.specs.map(\.path)))
        do {
            try JUnitReport.render(combined, name: "accord run").write(toFile: "\(directory)/junit.xml", atomically: true, encoding: .utf8)
            try CheckResultsJSON.render(combined).write(toFile: "\(directory)/results.json", atomically: true, encoding: .utf8)
            try baseline.write(toFile: "\(directory)/baseline.md", atomically: true, encoding: .utf8)
            let latest = "\(reports)/latest"
            try? FileManager.default.removeItem(atPath: latest)
            try FileManager.default.createSymbolicLink(atPath: latest, withDestinationPath: stamp.compact)
        } catch {
            throw EnvironmentFailure(message: "failed to write the reports in \(directory): \(error.localizedDescription)")
        }
        let console = ConsoleReport(color: Terminal.colorOnStandardOutput)
        if !quiet {
            for suite in combined.suites {
                for result in suite.cases where result.outcome == .failed || result.outcome == .error {
                    print(console.caseLine(result))
                }
            }
        }
        print(console.summary(combined))
        print("verdict: \(outcome.passed ? "PASSED" : "FAILED") — reports in \(directory) (\(reports)/latest)")
        if outcome.functional.targetUnreachable { throw EnvironmentFailure(message: "target unreachable: \(outcome.target)") }
        if !outcome.passed { throw ExitCode(ExitStatus.failed) }
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
