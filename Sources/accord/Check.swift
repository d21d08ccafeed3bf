import AccordChecks
import AccordReports
import AccordResults
import AccordRunner
import AccordSpec
import ArgumentParser
import Foundation

/// `accord check`: the functional contract checks, against any server.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the functional checks of spec files against a server.",
        discussion: """
            Runs cases in order, chaining captures. Exit 0 when all passed, 1 when a check \
            failed or none ran (every case skipped, e.g. --tags matching nothing), 2 for an \
            invalid spec or usage, 3 when the target is unreachable.
            """
    )

    @OptionGroup var specArguments: SpecArguments

    @Option(help: "Base URL of the server under test, e.g. http://127.0.0.1:8080.")
    var target: String

    @Option(help: "Write JUnit XML here.")
    var junit: String?

    @Option(help: "Write the results document here (accord-results, docs/results-format.md); accord report renders it.")
    var json: String?

    @Option(help: "Run only cases with one of these tags (comma-separated); opt-in cases need one.")
    var tags: String?

    @OptionGroup var levelArguments: LevelArguments
    @OptionGroup var probes: ProbeArguments
    @OptionGroup var headerArguments: HeaderArguments
    @OptionGroup(title: "Reaching the deployment") var transportArguments: TransportArguments

    @Flag(help: "Print only failures and the summary.")
    var quiet = false

    func validate() throws {
        try headerArguments.check()
        try transportArguments.check()
        _ = try levelArguments.selected()
        guard target.hasPrefix("http://") || target.hasPrefix("https://") else {
            throw ValidationError("--target must be an http:// or https:// URL, not '\(target)'")
        }
    }

    func run() async throws {
        let loaded = try specArguments.load()
        guard loaded.problems.isEmpty else {
            SpecInput.printProblems(loaded.problems, compact: false)
            throw ExitCode(ExitStatus.usage)
        }
        let environment = ProcessEnvironment.current
        let urls = probes.resolved(environment)
        var options = CheckOptions(
            target: target, tags: Set((tags ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }),
            variables: loaded.variables, environment: environment,
            databaseURL: urls.database, redisURL: urls.redis)
        options.headers = headerArguments.parsed
        options.levels = try levelArguments.selected()
        options.transport = transportArguments.transport(for: target, environment: environment)
        let runner: CheckRunner
        do {
            runner = try CheckRunner(options: options)
        } catch {
            throw ValidationError("\(error)")
        }
        let console = ConsoleReport(color: Terminal.colorOnStandardOutput)
        let quiet = self.quiet
        let printedSuites = LockedSet()
        let command = CommandLineText.current
        let result = await runner.run(loaded.specs, date: RunArguments.timestamp().readable, command: command) { spec, caseResult in
            if quiet && (caseResult.outcome == .passed || caseResult.outcome == .skipped) { return }
            if printedSuites.insert(spec.path) { print(console.suiteHeader(spec)) }
            print(console.caseLine(caseResult))
        }
        print(console.summary(result))
        try write(JUnitReport.render(result, name: "accord check"), to: junit)
        if let json {
            do { try result.jsonData().write(to: URL(fileURLWithPath: json)) } catch {
                throw EnvironmentFailure(message: "failed to write \(json): \(error.localizedDescription)")
            }
        }
        if let reason = runner.stopReason {
            throw EnvironmentFailure(message: "stopped early: \(reason)")
        }
        if result.targetUnreachable {
            throw EnvironmentFailure(message: "target unreachable: \(target) (is the server running?)")
        }
        // One rule for "passed" (ResultsDocument.passed): a run where nothing passed — every
        // case skipped — verified nothing, and says so with exit 1.
        if !result.passed {
            if result.count(.passed) == 0 && result.count(.failed) == 0 && result.count(.error) == 0 {
                FileHandle.standardError.write(Data("accord check: no case ran (\(result.count(.skipped)) skipped): nothing was verified\n".utf8))
            }
            throw ExitCode(ExitStatus.failed)
        }
    }

    private func write(_ text: String, to path: String?) throws {
        guard let path else { return }
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw EnvironmentFailure(message: "failed to write \(path): \(error.localizedDescription)")
        }
    }
}

/// A set of strings safe to touch from the runner's report callback.
final class LockedSet: @unchecked Sendable {
    private var values = Set<String>()
    private let lock = NSLock()

    /// Inserts `value`; true when it was new.
    func insert(_ value: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return values.insert(value).inserted
    }
}
