@testable import AccordSpec
import AccordTestSupport
import Foundation
import Testing

/// The whole loader (YAML and the strict decoder) under mutation: every shipped spec file,
/// mutated 200 ways each (several thousand files), must load or be refused with diagnostics
/// that all point inside the file — never a crash, a hang or an unlocated error.
@Suite("Spec loader under mutation")
struct SpecMutationTests {
    static let specsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("specs")

    @Test(.timeLimit(.minutes(5)))
    func everyMutatedSpecLoadsOrIsRefusedWithLocatedErrors() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.specsDirectory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 10)
        var generator = SeededRandom(state: 0x5bec_5eed)
        var loaded = 0
        var refused = 0
        for file in files {
            let original = try [UInt8](Data(contentsOf: Self.specsDirectory.appendingPathComponent(file)))
            for iteration in 0..<200 {
                let mutated = YAMLMutationTests.mutate(original, using: &generator)
                guard let text = String(validating: mutated, as: UTF8.self) else { continue }  // SpecFiles refuses non-UTF-8 before decoding
                let lineCount = SourceLines(bytes: mutated).count
                switch SpecLoader.load(text, path: file) {
                case .success:
                    loaded += 1
                case let .failure(problems):
                    refused += 1
                    if problems.diagnostics.isEmpty { Issue.record("\(file) mutation \(iteration): refused without a diagnostic") }
                    for diagnostic in problems.diagnostics {
                        let location = diagnostic.location
                        if !(1...(lineCount + 1)).contains(location.line) || location.column < 1 {
                            Issue.record("\(file) mutation \(iteration): \(diagnostic) outside \(lineCount) lines")
                        }
                        _ = DiagnosticRenderer.render(diagnostic, source: text)
                    }
                }
            }
        }
        #expect(loaded + refused > 2_000)
        #expect(loaded > 0 && refused > 0, "loaded \(loaded), refused \(refused)")
    }
}
