import AccordReports
import AccordResults
import AccordRunner
import ArgumentParser
import Foundation

/// `accord merge`: the shards of one load (`accord load --shard I/N --start-at T --json FILE`)
/// added up exactly and judged as `accord run` judges, with the reports. The work is
/// AccordRunner's `ShardMerge` (pure) and `MergeJudgement`.
struct Merge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the shard documents of one sharded load, reconcile, judge and report.",
        discussion: """
            accord merge SHARD.json… [--reports DIR] [--database-url … --redis-url …] [--json FILE]: \
            refuses documents that are not shards of one load (another shard count, an index \
            missing or given twice, other spec files or another plan: exit 2, naming the file); \
            adds every phase's histograms (merged percentiles are those of one histogram fed \
            every sample), aligns the per-second series on wall-clock seconds, reconciles the \
            acknowledged ids of every shard together against PostgreSQL and Redis when their \
            URLs are given, judges targets, scenarios and capacity on the merged data, and \
            writes the reports (results.json of kind merge, junit.xml, baseline.md, report.html) \
            to DIR/<UTC time>/. The spec files are read from the paths the shards recorded and \
            must be the same bytes. Exit 0 when everything held, 1 when a verdict failed, 2 for \
            bad input, 3 when PostgreSQL or Redis could not be reached.
            """)

    @Argument(help: "The shards' results documents (--json FILE of each accord load --shard).")
    var files: [String] = []

    @Option(help: "Where the reports go.")
    var reports: String = "reports"

    @OptionGroup(title: "Reconciliation") var probes: ProbeArguments

    @Option(name: .customLong("var"), help: "A variable the specs may use, NAME=VALUE (repeatable), as the shards were given.")
    var variables: [String] = []

    @Option(help: "Also write the merged results document here.")
    var json: String?

    @Flag(help: "Print only the verdict and where the reports are.")
    var quiet = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give the shards' results documents: accord merge shard-0.json shard-1.json …") }
        if let json { try RunArguments.checkWritable(json) }
    }

    func run() async throws {
        var inputs: [ShardMerge.Input] = []
        for file in files {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                throw ValidationError("\(file): \(error.localizedDescription)")
            }
            do { inputs.append(ShardMerge.Input(file: file, document: try ResultsDocument.read(data, path: file))) } catch {
                throw ValidationError("\(error)")
            }
        }
        let problems = ShardMerge.problems(inputs)
        guard problems.isEmpty else { throw ValidationError("these documents are not the shards of one load:\n  " + problems.joined(separator: "\n  ")) }
        let stamp = RunArguments.timestamp()
        let merged = ShardMerge.merge(inputs, date: stamp.readable, command: CommandLineText.current)
        let given = Dictionary(variables.compactMap { entry -> (String, String)? in
            let parts = entry.split(separator: "=", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }) { $1 }
        let (specs, specProblems) = MergeJudgement.specs(of: merged, variables: given)
        guard specProblems.isEmpty else { throw ValidationError("the shards' specs:\n  " + specProblems.joined(separator: "\n  ")) }
        let urls = probes.resolved(ProcessEnvironment.current)
        let report: ResultsDocument
        do {
            report = try await MergeJudgement.judge(merged, specs: specs, databaseURL: urls.database, redisURL: urls.redis)
        } catch {
            throw EnvironmentFailure(message: "failed to reconcile the merged shards: \(error)")
        }
        let directory = try Self.reportDirectory(reports, stamp: stamp.compact)
        try ReportFiles.write(report, to: directory)
        if let json {
            do { try report.jsonData().write(to: URL(fileURLWithPath: json)) } catch {
                throw EnvironmentFailure(message: "failed to write \(json): \(error.localizedDescription) (the same results are in \(directory)/results.json)")
            }
        }
        let console = ConsoleReport(color: Terminal.colorOnStandardOutput)
        if !quiet {
            for shard in report.shards ?? [] {
                print(String(
                    format: "shard %d: %d requests, %.0f req/s, started at +%.3f s (%.3f s late)%@", shard.index, shard.requests, shard.rps,
                    shard.startOffset, shard.lateBy, shard.generatorBound ? ", generator-bound" : ""))
            }
            for suite in report.suites {
                for result in suite.cases where result.outcome == .failed || result.outcome == .error { print(console.caseLine(result)) }
            }
        }
        print(console.summary(report))
        print("verdict: \(report.passed ? "PASSED" : "FAILED") — \(inputs.count) shards merged, reports in \(directory)")
        if report.targetUnreachable { throw EnvironmentFailure(message: "target unreachable: \(report.target)") }
        if !report.passed { throw ExitCode(ExitStatus.failed) }
    }

    /// `reports/<UTC time>/` (another one when two merges share a second), `reports/latest` to it.
    static func reportDirectory(_ reports: String, stamp: String) throws -> String {
        var name = stamp
        var suffix = 1
        while FileManager.default.fileExists(atPath: "\(reports)/\(name)") {
            suffix += 1
            name = "\(stamp)-\(suffix)"
        }
        let directory = "\(reports)/\(name)"
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw EnvironmentFailure(message: "failed to create the report directory \(directory): \(error.localizedDescription)")
        }
        let latest = "\(reports)/latest"
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: latest)) != nil { try? FileManager.default.removeItem(atPath: latest) }
        if !FileManager.default.fileExists(atPath: latest) { try? FileManager.default.createSymbolicLink(atPath: latest, withDestinationPath: name) }
        return directory
    }
}
