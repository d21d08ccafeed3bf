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
        /// What is wrong and where in the document (`nothing at #/a/b: #/a has no member 'b'`).
        public var message: String

        /// A problem saying `message`.
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
                    // A near miss, else a longer name that starts with the token (JobStatus → JobStatusName).
                    let names = members.map(\.key)
                    let close = Suggestion.closest(to: token, among: names)
                        ?? names.filter { !token.isEmpty && $0.lowercased().hasPrefix(token.lowercased()) }.sorted().first
                    let suggestion = close.map { " (did you mean '\($0)'?)" } ?? ""
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
