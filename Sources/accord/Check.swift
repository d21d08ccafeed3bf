import AccordChecks
import AccordReports
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
            failed, 2 for an invalid spec or usage, 3 when the target is unreachable.
            """
    )

    @OptionGroup var specArguments: SpecArguments

    @Option(help: "Base URL of the server under test, e.g. http://127.0.0.1:8080.")
    var target: String

    @Option(help: "Write JUnit XML here.")
    var junit: String?

    @Option(help: "Write the results as JSON here.")
    var json: String?

    @Option(help: "Run only cases with one of these tags (comma-separated); opt-in cases need one.")
    var tags: String?

    @OptionGroup var probes: ProbeArguments

    @Flag(help: "Print only failures and the summary.")
    var quiet = false

    func validate() throws {
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
        let options = CheckOptions(
            target: target, tags: Set((tags ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }),
            variables: loaded.variables, environment: environment,
            databaseURL: urls.database, redisURL: urls.redis)
        let runner: CheckRunner
        do {
            runner = try CheckRunner(options: options)
        } catch {
            throw ValidationError("\(error)")
        }
        let console = ConsoleReport(color: Terminal.colorOnStandardOutput)
        let quiet = self.quiet
        let printedSuites = LockedSet()
        let result = await runner.run(loaded.specs) { spec, caseResult in
            if quiet && (caseResult.outcome == .passed || caseResult.outcome == .skipped) { return }
            if printedSuites.insert(spec.path) { print(console.suiteHeader(spec)) }
            print(console.caseLine(caseResult))
        }
        print(console.summary(result))
        try write(JUnitReport.render(result), to: junit)
        try write(CheckResultsJSON.render(result), to: json)
        if result.targetUnreachable {
            throw EnvironmentFailure(message: "target unreachable: \(target) (is the server running?)")
        }
        if !result.passed { throw ExitCode(ExitStatus.failed) }
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
