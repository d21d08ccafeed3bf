/// Reads spec files into `SpecFile` values, or into every located problem they have.
///
/// ```swift
/// switch SpecLoader.load(text, path: "specs/jobs.yaml") {
/// case .success(let spec): …
/// case .failure(let problems): for d in problems.diagnostics { print(DiagnosticRenderer.render(d, source: text)) }
/// }
/// ```
public enum SpecLoader {
    static let rootKeys = ["suite", "description", "level", "tags", "variables", "cases", "endpoints", "targets", "scenarios", "health", "pools", "feeders", "reconcile", "seed", "defaults", "claims", "metrics"]

    /// Decodes `text` (the contents of `path`). `externalVariables` are the names `--var`
    /// will define, so templates may use them. `readFile` reads the files a spec refers to
    /// (`schema: {file:}`), by path relative to the working directory; the default reads
    /// nothing, so decoding stays pure unless the caller (`SpecFiles.load`) lends it the disk.
    public static func load(
        _ text: String, path: String, externalVariables: Set<String> = [], readFile: @escaping (String) -> [UInt8]? = { _ in nil }
    ) -> Result<SpecFile, SpecProblems> {
        let (root, yamlDiagnostics) = YAMLLoader.load(text, file: path)
        guard let root, yamlDiagnostics.allSatisfy({ $0.severity != .error }) else {
            return .failure(SpecProblems(path: path, source: text, diagnostics: yamlDiagnostics))
        }
        var decoder = SpecDecoder(file: path, externalVariables: externalVariables, readFile: readFile)
        decoder.diagnostics = yamlDiagnostics
        let spec = decoder.decodeRoot(root, path: path, source: text)
        if let spec, !decoder.diagnostics.contains(where: { $0.severity == .error }) {
            return .success(spec)
        }
        // In file order: a reader fixes a file top to bottom.
        let ordered = decoder.diagnostics.enumerated().sorted { a, b in
            (a.element.location.line, a.element.location.column, a.offset) < (b.element.location.line, b.element.location.column, b.offset)
        }.map(\.element)
        return .failure(SpecProblems(path: path, source: text, diagnostics: ordered))
    }
}

/// Every problem of one file, with its text for rendering.
public struct SpecProblems: Error, Sendable {
    public var path: String
    public var source: String
    public var diagnostics: [Diagnostic]
}

extension SpecDecoder {
    mutating func decodeRoot(_ root: YAMLNode, path: String, source: String) -> SpecFile? {
        guard let members = mapping(root, "a spec file", allowed: SpecLoader.rootKeys) else { return nil }
        guard let suiteNode = members["suite"] else {
            error("a spec file needs a suite name (suite: …)", at: root.location)
            return nil
        }
        // `string` reports a suite that is not a string; an empty one is refused here, with a
        // diagnostic too (found by fuzzing: it used to be refused silently).
        guard let suite = string(suiteNode, "suite") else { return nil }
        guard !suite.isEmpty else {
            error("the suite name must not be empty", at: suiteNode.location)
            return nil
        }
        let variables = (members["variables"].map { pairs($0, "variables") } ?? []).compactMap { pair -> (name: String, value: Template)? in
            guard Template.isName(pair.key) else {
                error("'\(pair.key)' is not a valid variable name", at: pair.keyNode.location)
                return nil
            }
            return template(pair.value, "a variable").map { (name: pair.key, value: $0) }
        }
        var defaultHeaders: [(name: String, value: Template)] = []
        var defaultHTTP: String?
        if let defaultsNode = members["defaults"], let defaults = mapping(defaultsNode, "defaults", allowed: ["headers", "timeout", "http"]) {
            if let httpNode = defaults["http"], let text = scalarText(httpNode, "http") {
                if ["1.1", "2", "2-prior-knowledge"].contains(text) { defaultHTTP = text } else {
                    error("http must be \"1.1\", \"2\" (ALPN over TLS) or \"2-prior-knowledge\" (cleartext), not '\(text)'", at: httpNode.location)
                }
            }
            defaultHeaders = defaults["headers"].map { namedTemplates($0, "default headers") } ?? []
            defaultTimeout = defaults["timeout"].flatMap { duration($0, "timeout") }.map { max($0, 1) }
        }
        let cases = members["cases"].map { decodeCases($0) } ?? []
        let endpoints = members["endpoints"].map { decodeEndpoints($0) } ?? []
        let scenarios = members["scenarios"].map { decodeScenarios($0, endpoints: endpoints.map(\.name.value)) } ?? []
        let subjects = endpoints.map(\.name.value) + scenarios.map(\.name.value)
        let targets = members["targets"].map {
            decodeTargets($0, subjects: subjects, endpoints: endpoints.map(\.name.value), scenarios: scenarios.map(\.name.value))
        } ?? []
        if cases.isEmpty, endpoints.isEmpty, members["cases"] == nil, members["endpoints"] == nil {
            error("a spec file needs cases: (or endpoints: for load)", at: suiteNode.location)
        }
        let data = decodeLoadData(members, endpoints: endpoints.map(\.name.value), specPath: path)
        let seed = members["seed"].map { decodeSeed($0) } ?? []
        checkUndefinedNames(variables: variables.map(\.name), pools: data.pools.map(\.name.value), feeders: data.feeders.map(\.name.value))
        var spec = SpecFile(
            path: path, source: source, suite: Located(suite, at: suiteNode.location),
            description: members["description"].flatMap { string($0, "description") },
            tags: members["tags"].map { stringList($0, "tags") } ?? [], variables: variables, cases: cases,
            endpoints: endpoints, targets: targets, scenarios: scenarios, data: data)
        spec.seed = seed
        spec.claims = members["claims"].map { decodeClaims($0, endpoints: endpoints.map(\.name.value), scenarios: scenarios.map(\.name.value)) } ?? []
        spec.level = members["level"].flatMap { level($0) }
        spec.defaultHeaders = defaultHeaders
        spec.defaultHTTP = defaultHTTP
        return spec
    }
}
