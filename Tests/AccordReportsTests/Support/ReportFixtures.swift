import AccordResults
import Foundation
import Testing

/// The report fixtures under `fixtures/reports/`: the fixed run (`run.results.json`) and the
/// golden files rendered from it. `ACCORD_RECORD=1` writes the golden files anew (review
/// them in the diff).
enum ReportFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/reports")

    static var resultsPath: String { directory.appendingPathComponent("run.results.json").path }

    /// The fixed run, every section populated.
    static func run() throws -> ResultsDocument {
        try ResultsDocument.read(try Data(contentsOf: URL(fileURLWithPath: resultsPath)), path: "fixtures/reports/run.results.json")
    }

    /// Compares `actual` with the golden file `name` (or records it).
    static func expect(_ actual: String, matches name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["ACCORD_RECORD"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(name): re-record with ACCORD_RECORD=1 if the change is intended", sourceLocation: sourceLocation)
    }
}
