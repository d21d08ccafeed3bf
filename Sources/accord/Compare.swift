import AccordReports
import AccordResults
import ArgumentParser
import Foundation

/// `accord compare`: a regression gate between two runs.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two runs' results.json and fail on a regression.",
        discussion: """
            Prints, per endpoint, scenario and capacity subject, p50/p95/p99, throughput, error \
            rate and sustained/peak capacity with their relative change, and the verdicts that \
            changed. A figure that moved the wrong way by more than --max-regression is a \
            regression. Exit 0 when there is none, 1 when there is, 2 for a missing or unreadable \
            file or a bad option.
            """
    )

    @Argument(help: "The results.json of the base run.")
    var base: String

    @Argument(help: "The results.json of the new run.")
    var new: String

    @Option(help: "The largest change allowed in the wrong direction, in percent (e.g. 10%).")
    var maxRegression = "10%"

    @Option(help: "Write JUnit XML here: one testcase per compared figure.")
    var junit: String?

    func validate() throws {
        guard RunComparison.threshold(maxRegression) != nil else {
            throw ValidationError("--max-regression must be a percentage from 0% to 10000%, e.g. 10%, not '\(maxRegression)'")
        }
    }

    func run() throws {
        let comparison = RunComparison.compare(
            try Report.read(base), try Report.read(new), maxRegression: RunComparison.threshold(maxRegression) ?? 0.1)
        let table = comparison.table()
        // Red regressions on a terminal; NO_COLOR and pipes get the plain table.
        print(Terminal.colorOnStandardOutput ? table.replacingOccurrences(of: "REGRESSION", with: "\u{1B}[31mREGRESSION\u{1B}[0m") : table,
            terminator: "")
        if let junit {
            let xml = JUnitReport.render(suites: [comparison.suite(file: new)], name: "accord compare")
            do {
                try xml.write(toFile: junit, atomically: true, encoding: .utf8)
            } catch {
                throw EnvironmentFailure(message: "failed to write \(junit): \(error.localizedDescription)")
            }
        }
        if comparison.hasRegression { throw ExitCode(ExitStatus.failed) }
    }
}
