import AccordResults
import Foundation
import Testing

/// The report fixtures under `fixtures/reports/`, recorded from real runs by
/// `scripts/record-report-fixtures.sh` (normalised): `run` (accord run --profile smoke against
/// the reference server), `broken` (the same against `--inject-fault lost-enqueue`: failed
/// cases and lost jobs), `check` (accord check with failed and errored cases), each with the
/// golden files rendered from it. `ACCORD_RECORD=1` writes the golden files anew from the
/// documents (review them in the diff); the script records the documents themselves.
enum ReportFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/reports")

    /// The recorded documents by name.
    static let names = ["run", "broken", "check"]

    static func resultsPath(_ name: String = "run") -> String { directory.appendingPathComponent("\(name).results.json").path }

    /// A recorded document: `run` (every section populated) unless named.
    static func run(_ name: String = "run") throws -> ResultsDocument {
        try ResultsDocument.read(try Data(contentsOf: URL(fileURLWithPath: resultsPath(name))), path: "fixtures/reports/\(name).results.json")
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
