import AccordResults
import AccordHTTPTypes
import AccordJSON
import AccordSpec

/// A response body parsed as JSON once, for every body assertion, the schema and the captures
/// of a case. A body that is not JSON is kept as the parse error: each assertion on it then
/// fails with `the body is not JSON: …` instead of anything crashing.
public struct ResponseBody: Sendable {
    /// The parsed document, or why the body is not JSON.
    public let json: Result<JSON, JSONParseError>
    /// The start of the raw body, for failures about it.
    let preview: String

    /// Parses `response`'s body (strictly, depth at most `JSON.defaultMaxDepth`).
    public init(_ response: ClientResponse) {
        self.init(bytes: response.body)
    }

    /// Parses `bytes` as a JSON body.
    public init(bytes: [UInt8]) {
        json = Result { () throws(JSONParseError) -> JSON in try JSON.parse(bytes: bytes) }
        preview = bytes.isEmpty ? "an empty body" : Rendering.value(.string(String(decoding: bytes.prefix(400), as: UTF8.self)))
    }

    /// `predicate` on what `path` selects: see `evaluate(_:on:fromSingularPath:)` for how
    /// selections of several values and `length` read. Failures name the path.
    public func evaluate(_ predicate: Predicate, at path: JSONPath) -> CheckFailure? {
        switch json {
        case let .success(document):
            let subject = Subject(
                shape: path.isSingular ? .singular : .multiple, label: path.description,
                nothing: "\(path) selects nothing")
            return AccordChecks.evaluate(predicate, on: path.select(in: document), subject: subject)
        case let .failure(error):
            return notJSONFailure(error, expected: "\(path) \(predicate.expectationText)")
        }
    }

    func notJSONFailure(_ error: JSONParseError, expected: String) -> CheckFailure {
        CheckFailure(message: "the body is not JSON: \(error)", expected: expected, actual: preview)
    }
}
