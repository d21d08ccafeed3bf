import AccordReports
import AccordResults
import Foundation

/// The files of a run's report directory, written from one `ResultsDocument` by `accord run` and
/// `accord load SPECS`: results.json, then the rendered reports (as `accord report` writes them).
enum ReportFiles {
    static func write(_ report: ResultsDocument, to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try report.jsonData().write(to: URL(fileURLWithPath: "\(directory)/results.json"))
        } catch {
            throw EnvironmentFailure(message: "failed to write \(directory)/results.json: \(error.localizedDescription)")
        }
        try Report.writeRendered(report, to: directory)
    }
}
