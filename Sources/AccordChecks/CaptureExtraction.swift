import AccordResults
import AccordHTTPTypes
import AccordJSON
import AccordSpec

/// Takes a case's captures from an answer: the first value a JSONPath selects (strings as
/// they are, anything else as compact JSON), or a header's value.
public enum CaptureExtraction {
    public static func extract(_ captures: [Capture], from response: ClientResponse) -> (values: [String: String], failures: [CheckFailure]) {
        var values: [String: String] = [:]
        var failures: [CheckFailure] = []
        var body: Result<JSON, JSONParseError>?
        for capture in captures {
            switch capture.source {
            case let .header(name):
                if let value = response.header(name) {
                    values[capture.name] = value
                } else {
                    failures.append(.init(message: "capture '\(capture.name)'", expected: "a \(name) header", actual: "no such header", location: capture.location))
                }
            case let .body(path):
                if body == nil { body = Result { () throws(JSONParseError) in try JSON.parse(bytes: response.body) } }
                guard case let .success(document)? = body else {
                    failures.append(.init(message: "capture '\(capture.name)'", expected: "a JSON body", actual: "the body is not JSON", location: capture.location))
                    continue
                }
                guard let value = path.select(in: document).first else {
                    failures.append(.init(message: "capture '\(capture.name)'", expected: "\(path) to select a value", actual: "nothing selected", location: capture.location))
                    continue
                }
                values[capture.name] = value.stringValue ?? value.serialized()
            }
        }
        return (values, failures)
    }
}
