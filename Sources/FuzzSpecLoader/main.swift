import AccordSpec
import FuzzDriver

// Fuzz target: the bytes of a spec file through the loader, as `accord validate` reads one.
// Properties: nothing traps or hangs; a file is either a spec or at least one located error
// (line and column ≥ 1); every diagnostic renders, in both forms, against the file's text.
// Seeds: fixtures/fuzz/spec-loader/ (scripts/fuzz.sh adds specs/, fixtures/yaml/,
// fixtures/broken-specs/). See docs/reliability.md.
FuzzDriver.main { data, size in
    let input = FuzzDriver.bytes(data, size)
    let path = "fuzz.yaml"

    func checkRendering(_ diagnostics: [Diagnostic], source: String) {
        guard diagnostics.contains(where: { $0.severity == .error }) else {
            FuzzDriver.violated("a refused file has at least one error", input: input)
        }
        for diagnostic in diagnostics {
            guard diagnostic.location.line >= 1, diagnostic.location.column >= 1 else {
                FuzzDriver.violated("diagnostics point at line ≥ 1, column ≥ 1 (\(diagnostic))", input: input)
            }
            _ = DiagnosticRenderer.renderCompact(diagnostic)
        }
        let rendered = DiagnosticRenderer.render(diagnostics, source: source)
        guard !rendered.isEmpty else { FuzzDriver.violated("diagnostics render to text", input: input) }
    }

    // The YAML layer reads raw bytes (invalid UTF-8 is reported where it is).
    let (root, yamlDiagnostics) = YAMLLoader.load(bytes: input, file: path)
    if root == nil { checkRendering(yamlDiagnostics, source: String(decoding: input, as: UTF8.self)) }

    // The spec layer reads text, as SpecFiles.load does once the file is known to be UTF-8.
    guard let text = String(validating: input, as: UTF8.self) else { return 0 }
    switch SpecLoader.load(text, path: path, externalVariables: ["fuzz_var"]) {
    case let .success(spec):
        guard !spec.suite.value.isEmpty else { FuzzDriver.violated("a loaded spec has a suite name", input: input) }
    case let .failure(problems):
        checkRendering(problems.diagnostics, source: problems.source)
    }
    return 0
}
