import AccordJSON
import ControlPlane
import FuzzDriver

// Fuzz target: the parts of a create-job request a client controls — the query string and
// the body — through CreateJobValidation and the JSON parser, as the server runs them.
// Input layout: the query string up to the first line feed, the body after it.
// Properties: nothing traps; every request is either a JobRequest within CONTRACT.md's
// rules or a 422 whose detail is a non-empty list of {loc, msg, type}; a parsed body
// serializes canonically (serialize → parse → serialize gives the same bytes and value);
// the first line taken as a job id is a lower-case UUID or a short, readable 404.
// Seeds: fixtures/fuzz/request-validation/. See docs/reliability.md.
FuzzDriver.main { data, size in
    let input = FuzzDriver.bytes(data, size)
    let split = input.firstIndex(of: UInt8(ascii: "\n")) ?? input.endIndex
    let query = String(decoding: input[..<split], as: UTF8.self)
    let body = Array(input[min(split + 1, input.endIndex)...])

    switch CreateJobValidation.validate(query: Substring(query), body: body) {
    case let .success(request):
        let domainLength = request.domain.unicodeScalars.count
        let typeOK = !request.jobType.isEmpty && request.jobType.utf8.count <= 64
            && request.jobType.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
        let keyOK = request.idempotencyKey.map { (1...255).contains($0.unicodeScalars.count) } ?? true
        guard (1...253).contains(domainLength), typeOK, keyOK, (0...3).contains(request.priority),
            (1...86_400).contains(request.timeoutSeconds), (1...2048).contains(request.url.unicodeScalars.count),
            request.url.lowercased().hasPrefix("http://") || request.url.lowercased().hasPrefix("https://"),
            case .object = request.payload
        else {
            FuzzDriver.violated("an accepted request keeps CONTRACT.md's rules: \(request)", input: input)
        }
    case let .failure(error):
        guard error.status.code == 422, case let .array(issues) = error.detail, !issues.isEmpty else {
            FuzzDriver.violated("a refusal is a 422 with a non-empty detail list", input: input)
        }
        for issue in issues {
            guard case .array(let location)? = issue["loc"], !location.isEmpty, location.allSatisfy({ $0.stringValue != nil }),
                let message = issue["msg"]?.stringValue, !message.isEmpty, let type = issue["type"]?.stringValue, !type.isEmpty
            else {
                FuzzDriver.violated("each detail item is {loc, msg, type}: \(issue)", input: input)
            }
        }
        // The answer's body must itself be JSON the client can read.
        let answer: JSON = ["detail": error.detail]
        guard (try? JSON.parse(answer.serialized())) == answer else {
            FuzzDriver.violated("the 422 body round-trips through the parser", input: input)
        }
    }

    // The first line as a job id in a path: only a UUID names a job (lower-cased), and the
    // 404 for anything else echoes at most 128 characters, as readable JSON.
    if let id = JobID.canonical(query) {
        guard id.utf8.count == 36, id.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || $0 == 0x2D }) else {
            FuzzDriver.violated("a canonical job id is a lower-case UUID: \(id)", input: input)
        }
    } else {
        let notFound = APIError.jobNotFound(query)
        let answer: JSON = ["detail": notFound.detail]
        guard notFound.status.code == 404, let detail = notFound.detail.stringValue, detail.count <= 128 + 20,
            (try? JSON.parse(answer.serialized())) == answer
        else {
            FuzzDriver.violated("a 404 for an unknown id is short, readable JSON", input: input)
        }
    }

    // The parser on its own, with the server's depth bound: a value it accepts has one
    // canonical text.
    if let value = try? JSON.parse(bytes: body) {
        let text = value.serialized()
        guard let again = try? JSON.parse(text), again == value, again.serialized() == text else {
            FuzzDriver.violated("a parsed value serializes canonically: \(text)", input: input)
        }
    }
    return 0
}
