import AccordReports
import AccordResults
import ArgumentParser
import Foundation

/// `accord report`: the reports of a run, a load or a check, rendered again from its results
/// document.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-render baseline.md, report.html and junit.xml from a results document.",
        discussion: """
            Reads a results document (accord-results, docs/results-format.md) written by accord \
            run, accord load --json or accord check --json, and writes the three reports beside \
            it, or into --out. The results file itself is never \
            rewritten. Exit 0 when the reports were written, 2 when the results file is missing \
            or not readable, 3 when a report could not be written.
            """
    )

    @Argument(help: "A results document: a run's results.json, or what check/load --json wrote.")
    var results: String

    @Option(help: "Where the reports go (default: the directory the results file is in).")
    var out: String?

    func run() throws {
        let report = try Self.read(results)
        let directory = out ?? (URL(fileURLWithPath: results).deletingLastPathComponent().path)
        try Self.writeRendered(report, to: directory)
        print("wrote baseline.md, report.html and junit.xml in \(directory) (verdict: \(report.passed ? "PASSED" : "FAILED"))")
    }

    /// Reads a results file, or prints why not and exits 2.
    static func read(_ path: String) throws -> ResultsDocument {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            let what = isDirectory.boolValue ? "a directory, not a results file" : "no such file"
            printError("error: \(path): \(what) (give the results.json of a run, e.g. reports/latest/results.json)")
            throw ExitCode(ExitStatus.usage)
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            printError("error: failed to read \(path): \(error.localizedDescription)")
            throw ExitCode(ExitStatus.usage)
        }
        do {
            return try ResultsDocument.read(data, path: path)
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// The rendered reports of a run: baseline.md, report.html, junit.xml (not results.json).
    static func writeRendered(_ report: ResultsDocument, to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try BaselineReport.markdown(report).write(toFile: "\(directory)/baseline.md", atomically: true, encoding: .utf8)
            try HTMLReport.render(report).write(toFile: "\(directory)/report.html", atomically: true, encoding: .utf8)
            try JUnitReport.render(report, name: "accord \(report.kind.rawValue)").write(toFile: "\(directory)/junit.xml", atomically: true, encoding: .utf8)
        } catch {
            throw EnvironmentFailure(message: "failed to write the reports in \(directory): \(error.localizedDescription)")
        }
    }
}
