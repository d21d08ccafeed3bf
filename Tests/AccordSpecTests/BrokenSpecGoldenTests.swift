import AccordSpec
import Foundation
import Testing

/// Golden diagnostics: each file under fixtures/broken-specs/ is loaded, and every diagnostic
/// rendered (no colour) must equal the `.expected` file beside it. `ACCORD_RECORD=1` writes the
/// expected files anew; review them in the diff.
@Suite("Broken specs (golden diagnostics)")
struct BrokenSpecGoldenTests {
    static let golden = GoldenFiles(folder: "broken-specs")

    @Test func thereAreFixtures() {
        #expect(Self.golden.inputs.count >= 8)
    }

    @Test(arguments: golden.inputs)
    func diagnosticsMatchTheGoldenFile(name: String) throws {
        let path = "fixtures/broken-specs/\(name)"
        let source = String(decoding: try Self.golden.input(name), as: UTF8.self)
        guard case let .failure(problems) = SpecLoader.load(source, path: path) else {
            Issue.record("\(name) loaded without errors; a broken spec must be rejected")
            return
        }
        #expect(!problems.diagnostics.isEmpty)
        let rendered = problems.diagnostics.map { DiagnosticRenderer.render($0, source: source, color: false) }.joined(separator: "\n")
        try Self.golden.expect(rendered, for: name)
        for diagnostic in problems.diagnostics {
            #expect(diagnostic.location.file == path)
            #expect(diagnostic.location.line >= 1)
        }
    }
}
