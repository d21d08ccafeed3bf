import Foundation
import Testing

/// The fuzz targets' checks over their seed corpora and every input that once crashed
/// (`fixtures/fuzz/`), in a plain build: the executables then replay files instead of fuzzing
/// (see docs/reliability.md). A broken property aborts the child, and the test fails.
@Suite("Fuzz targets replay their corpora")
struct FuzzReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func replay(_ target: String, _ paths: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = root.appendingPathComponent(".build/debug/\(target)")
        process.arguments = paths.map { root.appendingPathComponent($0).path }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Reading to the end also waits for the child: its output is a line or two.
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func theSpecLoaderKeepsItsPropertiesOnEverySeed() throws {
        let (status, output) = try Self.replay("FuzzSpecLoader", ["fixtures/fuzz/spec-loader", "specs", "fixtures/yaml", "fixtures/broken-specs"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("replayed"), "\(output)")
    }

    @Test func requestValidationKeepsItsPropertiesOnEverySeed() throws {
        let (status, output) = try Self.replay("FuzzRequestValidation", ["fixtures/fuzz/request-validation"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("replayed"), "\(output)")
    }

    @Test func withoutInputsTheReplayIsAUsageError() throws {
        let (status, output) = try Self.replay("FuzzRequestValidation", [])
        #expect(status == 2)
        #expect(output.contains("usage:"))
    }
}
