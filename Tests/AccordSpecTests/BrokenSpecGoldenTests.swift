import AccordSpec
import Foundation
import Testing

/// Golden diagnostics: each file under fixtures/broken-specs/ is loaded, and every diagnostic
/// rendered (no colour) must equal the `.expected` file beside it. `ACCORD_RECORD=1` writes the
/// expected files anew; review them in the diff.
@Suite("Broken specs (golden diagnostics)")
struct BrokenSpecGoldenTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/broken-specs")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func thereAreFixtures() {
        #expect(Self.files.count >= 8)
    }

    @Test(arguments: files)
    func diagnosticsMatchTheGoldenFile(name: String) throws {
        let path = "fixtures/broken-specs/\(name)"
        let source = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
        guard case let .failure(problems) = SpecLoader.load(source, path: path) else {
            Issue.record("\(name) loaded without errors; a broken spec must be rejected")
            return
        }
        #expect(!problems.diagnostics.isEmpty)
        let rendered = problems.diagnostics.map { DiagnosticRenderer.render($0, source: source, color: false) }.joined(separator: "\n")
        let expectedURL = Self.directory.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: ".expected"))
        if ProcessInfo.processInfo.environment["ACCORD_RECORD"] == "1" {
            try rendered.write(to: expectedURL, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(rendered == expected, "re-record with ACCORD_RECORD=1 if the change is intended")
        for diagnostic in problems.diagnostics {
            #expect(diagnostic.location.file == path)
            #expect(diagnostic.location.line >= 1)
        }
    }
}
