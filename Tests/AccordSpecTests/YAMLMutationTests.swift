@testable import AccordSpec
import AccordTestSupport
import Testing

/// 2,000 deterministic mutations of a realistic spec: whatever they break, the loader returns,
/// says why when it returns no tree, and points only at places inside the file.
@Suite("YAML loader under mutation")
struct YAMLMutationTests {
    static let insertions: [[UInt8]] = (":[]{}&*!|>-#\"'".utf8.map { [$0] }) + [[0x09], [0x0A], [0x0D], [0x20, 0x20], [0xFF], [0x00]]

    /// One mutation: flip a bit, delete a run, insert YAML punctuation or whitespace, or cut the end.
    static func mutate(_ bytes: [UInt8], using generator: inout SeededRandom) -> [UInt8] {
        var result = bytes
        let rounds = Int.random(in: 1...4, using: &generator)
        for _ in 0..<rounds where !result.isEmpty {
            let position = Int.random(in: 0..<result.count, using: &generator)
            switch Int.random(in: 0..<10, using: &generator) {
            case 0, 1:
                result[position] ^= UInt8(1) << UInt8.random(in: 0...7, using: &generator)
            case 2, 3:
                let end = min(result.count, position + Int.random(in: 1...12, using: &generator))
                result.removeSubrange(position..<end)
            case 4, 5, 6, 7:
                let insertion = insertions[Int.random(in: 0..<insertions.count, using: &generator)]
                let times = Int.random(in: 1...3, using: &generator)
                result.insert(contentsOf: Array([[UInt8]](repeating: insertion, count: times).joined()), at: position)
            case 8:
                result.removeSubrange(position...)
            default:
                // Duplicate a slice elsewhere: repeats keys, anchors and brackets.
                let end = min(result.count, position + Int.random(in: 1...40, using: &generator))
                let slice = Array(result[position..<end])
                result.insert(contentsOf: slice, at: Int.random(in: 0...result.count, using: &generator))
            }
        }
        return result
    }

    @Test(.timeLimit(.minutes(3)))
    func everyMutationLoadsWithDiagnosticsInsideTheFile() {
        let original = Array(sampleSpec.utf8)
        var generator = SeededRandom(state: 0xACC0_4D)
        var failures = 0
        var withTree = 0
        for iteration in 0..<2_000 {
            let mutated = Self.mutate(original, using: &generator)
            let (root, diagnostics) = YAMLLoader.load(bytes: mutated, file: "m.yaml")
            let lineCount = SourceLines(bytes: mutated).count
            if root == nil && diagnostics.isEmpty {
                Issue.record("mutation \(iteration): no tree and no diagnostic")
            }
            if root != nil { withTree += 1 }
            for diagnostic in diagnostics {
                let location = diagnostic.location
                if !(1...(lineCount + 1)).contains(location.line) || location.column < 1 || location.length < 1 {
                    failures += 1
                    Issue.record("mutation \(iteration): \(diagnostic) outside \(lineCount) lines")
                }
                let rendered = DiagnosticRenderer.render(diagnostic, source: String(decoding: mutated, as: UTF8.self))
                #expect(rendered.hasPrefix("error: "))
            }
            // Converting whatever tree came back must not trap either.
            _ = root?.json()
            _ = root?.describedKind
        }
        #expect(failures == 0)
        // The mutations are mild enough that some files still load, and harsh enough that some do not.
        #expect(withTree > 100 && withTree < 1_900, "\(withTree) of 2000 mutated files loaded")
    }
}
