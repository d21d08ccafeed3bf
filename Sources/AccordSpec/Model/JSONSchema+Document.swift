import AccordJSON

/// A schema taken from a JSON document — an OpenAPI 3.1 file, a JSON Schema file — by JSON
/// pointer, into the subset `expect.schema` checks, with every `$ref` inside the document
/// inlined. Pure: the caller reads the file.
///
/// ```swift
/// let schema = try JSONSchema.fromDocument(openapi, pointer: "#/components/schemas/JobCreated")
/// ```
///
/// Keywords outside the subset are refused, never ignored, so a document cannot claim a rule
/// the checks would not apply; annotations (`title`, `description`, `default`, `examples`, …)
/// are skipped, and so are `format`s other than `uuid` and `date-time`, which JSON Schema
/// 2020-12 makes annotations by default.
extension JSONSchema {
    /// Why a document's schema could not be taken: a pointer that names nothing, a `$ref`
    /// outside the document or in a cycle, a keyword outside the subset.
    public struct DocumentProblem: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String

        public init(_ message: String) {
            self.message = message
        }

        public var description: String { message }
    }

    /// The keywords the subset checks, as a document spells them.
    static let documentKeywords = [
        "type", "required", "properties", "additionalProperties", "items", "enum", "const", "pattern", "minimum",
        "maximum", "minLength", "maxLength", "format", "$ref",
    ]
    /// Keywords that say nothing about validity.
    static let annotationKeywords: Set<String> = [
        "title", "description", "default", "examples", "example", "deprecated", "readOnly", "writeOnly", "$comment",
        "externalDocs", "xml",
    ]

    /// The schema at `pointer` (RFC 6901, with or without a leading `#`) in `document`.
    public static func fromDocument(_ document: JSON, pointer: String) throws(DocumentProblem) -> JSONSchema {
        let value = try resolve(pointer: pointer, in: document)
        var converter = DocumentSchemaConverter(document: document)
        return try converter.schema(value, at: normalized(pointer))
    }

    /// The value `pointer` names in `document`, or what is missing where (with a "did you
    /// mean" among the members that are there).
    public static func resolve(pointer: String, in document: JSON) throws(DocumentProblem) -> JSON {
        let text = normalized(pointer)
        guard text == "#" || text.hasPrefix("#/") else {
            throw DocumentProblem("'\(pointer)' is not a JSON pointer: write it as #/components/schemas/Name")
        }
        var value = document
        var walked = "#"
        for raw in text.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) where text != "#" {
            let token = unescaped(raw)
            switch value {
            case let .object(members):
                guard let member = members.first(where: { $0.key == token }) else {
                    let suggestion = Suggestion.closest(to: token, among: members.map(\.key)).map { " (did you mean '\($0)'?)" } ?? ""
                    throw DocumentProblem("nothing at \(text): \(walked) has no member '\(token)'\(suggestion)")
                }
                value = member.value
            case let .array(elements):
                guard let index = Int(token), elements.indices.contains(index) else {
                    throw DocumentProblem("nothing at \(text): \(walked) is an array of \(elements.count), without an element '\(token)'")
                }
                value = elements[index]
            default:
                throw DocumentProblem("nothing at \(text): \(walked) is \(value.typeName), not an object or array")
            }
            walked += "/" + raw
        }
        return value
    }

    /// A pointer token with RFC 6901's escapes undone: `~1` is `/`, then `~0` is `~`.
    static func unescaped(_ token: Substring) -> String {
        var out = ""
        var index = token.startIndex
        while index < token.endIndex {
            let next = token.index(after: index)
            if token[index] == "~", next < token.endIndex, token[next] == "1" || token[next] == "0" {
                out.append(token[next] == "1" ? "/" : "~")
                index = token.index(after: next)
            } else {
                out.append(token[index])
                index = next
            }
        }
        return out
    }

    /// `/a/b` → `#/a/b`; `#/a/b` as it is.
    static func normalized(_ pointer: String) -> String {
        pointer.hasPrefix("/") ? "#" + pointer : (pointer.isEmpty ? "#" : pointer)
    }
}

/// Walks one schema of a document into `JSONSchema`, inlining `$ref`s; `expanding` holds the
/// references being expanded, so a cycle is refused instead of recursing forever.
struct DocumentSchemaConverter {
    let document: JSON
    var expanding: [String] = []

    mutating func schema(_ value: JSON, at pointer: String) throws(JSONSchema.DocumentProblem) -> JSONSchema {
        typealias Problem = JSONSchema.DocumentProblem
        if case .bool(true) = value { return .schema(.init()) }
        guard case let .object(members) = value else {
            throw Problem("the schema at \(pointer) is \(value.typeName); accord checks object schemas (and true)")
        }
        for member in members where !JSONSchema.documentKeywords.contains(member.key) && !JSONSchema.annotationKeywords.contains(member.key) {
            let suggestion = Suggestion.closest(to: member.key, among: JSONSchema.documentKeywords).map { " (did you mean '\($0)'?)" } ?? ""
            throw Problem(
                "keyword '\(member.key)' at \(pointer) is outside the schema subset accord checks\(suggestion); "
                    + "supported: \(JSONSchema.documentKeywords.joined(separator: ", "))")
        }
        func member(_ name: String) -> JSON? { members.first { $0.key == name }?.value }
        if let reference = member("$ref") {
            return try expand(reference, siblings: members.map(\.key), at: pointer)
        }
        var keywords = JSONSchema.Keywords()
        if let type = member("type") {
            let names: [JSON]
            if case let .array(list) = type { names = list } else { names = [type] }
            keywords.types = try names.map { name throws(Problem) in
                guard let text = name.stringValue, let known = JSONType(rawValue: text) else {
                    throw Problem("unknown type \(name) at \(pointer)/type")
                }
                return known
            }
        }
        if let required = member("required") {
            guard case let .array(names) = required, names.allSatisfy({ $0.stringValue != nil }) else {
                throw Problem("required at \(pointer) must be a list of names")
            }
            keywords.required = names.compactMap(\.stringValue)
        }
        if let properties = member("properties") {
            guard case let .object(entries) = properties else { throw Problem("properties at \(pointer) must be an object") }
            var converted: [(name: String, schema: JSONSchema)] = []
            for entry in entries {
                converted.append((entry.key, try schema(entry.value, at: "\(pointer)/properties/\(entry.key)")))
            }
            keywords.properties = converted
        }
        if let additional = member("additionalProperties") {
            if case let .bool(allowed) = additional {
                keywords.additionalProperties = .allowed(allowed)
            } else {
                keywords.additionalProperties = .schema(try schema(additional, at: "\(pointer)/additionalProperties"))
            }
        }
        if let items = member("items") { keywords.items = try schema(items, at: "\(pointer)/items") }
        if let values = member("enum") {
            guard case let .array(list) = values else { throw Problem("enum at \(pointer) must be a list") }
            keywords.enumValues = list
        }
        if let constant = member("const") { keywords.enumValues = [constant] }
        if let pattern = member("pattern") {
            guard let text = pattern.stringValue else { throw Problem("pattern at \(pointer) must be a string") }
            if let problem = Pattern.validateRegex(text) { throw Problem("\(problem) (at \(pointer)/pattern)") }
            keywords.pattern = text
        }
        keywords.minimum = try number(member("minimum"), "minimum", at: pointer)
        keywords.maximum = try number(member("maximum"), "maximum", at: pointer)
        keywords.minLength = try length(member("minLength"), "minLength", at: pointer)
        keywords.maxLength = try length(member("maxLength"), "maxLength", at: pointer)
        if let format = member("format")?.stringValue, JSONSchema.checkedFormats.contains(format) {
            keywords.format = format
        }
        return .schema(keywords)
    }

    private mutating func expand(_ reference: JSON, siblings: [String], at pointer: String) throws(JSONSchema.DocumentProblem) -> JSONSchema {
        typealias Problem = JSONSchema.DocumentProblem
        guard let target = reference.stringValue, target.hasPrefix("#") else {
            throw Problem("$ref at \(pointer) must point inside the document (#/…), not \(reference)")
        }
        if let other = siblings.first(where: { $0 != "$ref" && !JSONSchema.annotationKeywords.contains($0) }) {
            throw Problem("'\(other)' beside $ref at \(pointer) is not supported: move it into the referenced schema")
        }
        guard !expanding.contains(target) else {
            throw Problem("$ref at \(pointer) is recursive (\((expanding + [target]).joined(separator: " → "))); accord checks finite schemas")
        }
        let value = try JSONSchema.resolve(pointer: target, in: document)
        expanding.append(target)
        defer { expanding.removeLast() }
        return try schema(value, at: target)
    }

    private func number(_ value: JSON?, _ name: String, at pointer: String) throws(JSONSchema.DocumentProblem) -> Double? {
        guard let value else { return nil }
        guard let number = value.doubleValue else { throw JSONSchema.DocumentProblem("\(name) at \(pointer) must be a number") }
        return number
    }

    private func length(_ value: JSON?, _ name: String, at pointer: String) throws(JSONSchema.DocumentProblem) -> Int? {
        guard let value else { return nil }
        guard let number = value.intValue, number >= 0, number <= Int64(Int32.max) else {
            throw JSONSchema.DocumentProblem("\(name) at \(pointer) must be a non-negative integer")
        }
        return Int(number)
    }
}
