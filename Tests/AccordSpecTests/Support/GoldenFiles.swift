import Foundation
import Testing

/// Golden files under `fixtures/<folder>/`: each `.yaml` input beside its `.expected` output.
/// `ACCORD_RECORD=1` writes the expected files anew (review them in the diff).
struct GoldenFiles {
    let folder: String

    var directory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/\(folder)")
    }

    /// The `.yaml` inputs, sorted.
    var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    func input(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    /// Compares `actual` with the expected file of `name` (or records it).
    func expect(_ actual: String, for name: String) throws {
        let url = directory.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: ".expected"))
        if ProcessInfo.processInfo.environment["ACCORD_RECORD"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(name): re-record with ACCORD_RECORD=1 if the change is intended")
    }
}
