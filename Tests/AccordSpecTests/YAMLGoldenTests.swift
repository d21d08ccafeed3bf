import AccordSpec
import Foundation
import Testing

/// Golden diagnostics of the YAML layer: each `fixtures/yaml/*.yaml` is loaded and its
/// diagnostics, rendered without colour, must equal the `.expected` file beside it.
/// `ACCORD_RECORD=1 swift test --filter YAMLGoldenTests` writes the expected files anew;
/// review them in the diff.
@Suite("YAML diagnostics (golden files)")
struct YAMLGoldenTests {
    static let golden = GoldenFiles(folder: "yaml")

    @Test func thereAreFixtures() {
        #expect(Self.golden.inputs.count >= 10)
    }

    @Test(arguments: golden.inputs)
    func diagnosticsMatchTheGoldenFile(name: String) throws {
        let bytes = try [UInt8](Self.golden.input(name))
        let (_, diagnostics) = YAMLLoader.load(bytes: bytes, file: "fixtures/yaml/\(name)")
        #expect(!diagnostics.isEmpty, "every fixture here is broken on purpose")
        let rendered = DiagnosticRenderer.render(diagnostics, source: String(decoding: bytes, as: UTF8.self)) + "\n"
        try Self.golden.expect(rendered, for: name)
    }
}
