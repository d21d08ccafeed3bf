import AccordSpec
import Foundation
import Testing

/// Golden diagnostics of the YAML layer: each `fixtures/yaml/*.yaml` is loaded and its
/// diagnostics, rendered without colour, must equal the `.expected` file beside it.
/// `ACCORD_RECORD=1 swift test --filter YAMLGoldenTests` writes the expected files anew;
/// review them in the diff.
@Suite("YAML diagnostics (golden files)")
struct YAMLGoldenTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/yaml")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func thereAreFixtures() {
        #expect(Self.files.count >= 10)
    }

    @Test(arguments: files)
    func diagnosticsMatchTheGoldenFile(name: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(name)))
        let (_, diagnostics) = YAMLLoader.load(bytes: bytes, file: "fixtures/yaml/\(name)")
        #expect(!diagnostics.isEmpty, "every fixture here is broken on purpose")
        let rendered = DiagnosticRenderer.render(diagnostics, source: String(decoding: bytes, as: UTF8.self)) + "\n"
        let expectedURL = Self.directory.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: ".expected"))
        if ProcessInfo.processInfo.environment["ACCORD_RECORD"] == "1" {
            try rendered.write(to: expectedURL, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(rendered == expected, "re-record with ACCORD_RECORD=1 if the change is intended")
    }
}
