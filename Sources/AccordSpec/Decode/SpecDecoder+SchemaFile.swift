import AccordJSON

/// `schema: {file: PATH, pointer: "#/components/schemas/Name"}`: a case's body checked
/// against a schema kept in a JSON document (the server's OpenAPI file), read once per
/// document. `file` is relative to the spec's folder; `pointer` defaults to the whole
/// document. Problems point at the `file:` or `pointer:` value that caused them.
///
/// ```yaml
/// expect:
///   schema: {file: openapi.json, pointer: "#/components/schemas/JobCreated"}
/// ```
extension SpecDecoder {
    static let schemaFileKeys = ["file", "pointer"]

    mutating func decodeSchemaFile(_ node: YAMLNode) -> JSONSchema? {
        let before = diagnostics.count
        // A misspelt key (`pointr:`) stops here rather than checking the whole document.
        guard let members = mapping(node, "a schema file reference", allowed: Self.schemaFileKeys), diagnostics.count == before,
            let fileNode = members["file"], let file = string(fileNode, "file")
        else { return nil }
        var pointer = "#"
        if let pointerNode = members["pointer"] {
            guard let text = string(pointerNode, "pointer") else { return nil }
            pointer = text
        }
        let folder = self.file.contains("/") ? String(self.file[..<(self.file.lastIndex(of: "/") ?? self.file.endIndex)]) : "."
        let path = file.hasPrefix("/") ? file : folder + "/" + file
        let document: JSON
        switch loadDocument(path) {
        case let .success(json): document = json
        case let .failure(problem):
            error(problem.message, at: fileNode.location, help: "file is relative to the spec's folder (\(folder))")
            return nil
        }
        do {
            return try JSONSchema.fromDocument(document, pointer: pointer)
        } catch {
            self.error(error.message, at: (members["pointer"] ?? fileNode).location, label: "in \(file)")
            return nil
        }
    }

    /// The JSON document at `path`, read and parsed once.
    private mutating func loadDocument(_ path: String) -> Result<JSON, JSONSchema.DocumentProblem> {
        if let known = documents[path] { return known }
        let result: Result<JSON, JSONSchema.DocumentProblem>
        if let bytes = readFile(path) {
            do {
                result = .success(try JSON.parse(bytes: bytes))
            } catch {
                result = .failure(.init("\(path) is not JSON: \(error)"))
            }
        } else {
            result = .failure(.init("cannot read the schema document \(path)"))
        }
        documents[path] = result
        return result
    }
}
