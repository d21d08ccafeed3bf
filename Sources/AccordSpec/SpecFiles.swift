import Foundation

/// Finds and loads spec files: the load stage's only I/O.
public enum SpecFiles {
    /// Every `.yaml`/`.yml` file under `paths` (files as given, directories searched
    /// recursively, skipping hidden entries), sorted, without duplicates. Paths that do not
    /// exist are returned in `missing`. Hidden entries are skipped because a Kubernetes
    /// ConfigMap volume keeps each file twice: `name.yaml` is a link into `..data/`, beside a
    /// timestamped `..2026_…/` directory holding the same file.
    public static func discover(_ paths: [String]) -> (files: [String], missing: [String]) {
        var files: [String] = []
        var missing: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                missing.append(path)
                continue
            }
            if !isDirectory.boolValue {
                files.append(path)
                continue
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            let found = (manager.enumerator(atPath: base)?.compactMap { $0 as? String } ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
                .filter { !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
                .map { "\(base)/\($0)" }
            files += found.sorted()
        }
        var seen = Set<String>()
        return (files.filter { seen.insert($0).inserted }, missing)
    }

    /// Loads every file: the specs that are valid, and the problems of those that are not.
    public static func load(_ files: [String], externalVariables: Set<String> = []) -> (specs: [SpecFile], problems: [SpecProblems]) {
        var specs: [SpecFile] = []
        var problems: [SpecProblems] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                let location = SourceLocation(file: file, line: 1, column: 1)
                problems.append(SpecProblems(path: file, source: "", diagnostics: [.error("cannot read the file", at: location)]))
                continue
            }
            guard let text = String(validating: Array(data), as: UTF8.self) else {
                let location = SourceLocation(file: file, line: 1, column: 1)
                problems.append(SpecProblems(path: file, source: "", diagnostics: [.error("the file is not UTF-8 text", at: location)]))
                continue
            }
            switch SpecLoader.load(text, path: file, externalVariables: externalVariables, readFile: { FileManager.default.contents(atPath: $0).map(Array.init) }) {
            case let .success(spec): specs.append(spec)
            case let .failure(problem): problems.append(problem)
            }
        }
        return (specs, problems)
    }
}
