import AccordTestSupport
import Foundation
import Testing

/// The fuzz targets' checks over their seed corpora and every input that once crashed
/// (`fixtures/fuzz/`), in a plain build: the executables then replay files instead of fuzzing
/// (see docs/reliability.md). A broken property aborts the child, and the test fails.
@Suite("Fuzz targets replay their corpora")
struct FuzzReplayTests {
    static let root = Executables.repositoryRoot

    static func replay(_ target: String, _ paths: [String]) async throws -> (status: Int32, output: String) {
        let finished = try await Executables.run(
            Executables.url(of: target), paths.map { root.appendingPathComponent($0).path }, timeout: 120)
        return (finished.status, finished.stdout + finished.stderr)
    }

    @Test func theSpecLoaderKeepsItsPropertiesOnEverySeed() async throws {
        let (status, output) = try await Self.replay("FuzzSpecLoader", ["fixtures/fuzz/spec-loader", "specs", "fixtures/yaml", "fixtures/broken-specs"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("replayed"), "\(output)")
    }

    @Test func requestValidationKeepsItsPropertiesOnEverySeed() async throws {
        let (status, output) = try await Self.replay("FuzzRequestValidation", ["fixtures/fuzz/request-validation"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("replayed"), "\(output)")
    }

    @Test func withoutInputsTheReplayIsAUsageError() async throws {
        let (status, output) = try await Self.replay("FuzzRequestValidation", [])
        #expect(status == 2)
        #expect(output.contains("usage:"))
    }
}
