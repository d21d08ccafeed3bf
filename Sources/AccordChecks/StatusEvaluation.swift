import AccordResults
import AccordHTTPTypes
import AccordSpec

extension StatusExpectation {
    /// Whether a response with this status meets the expectation.
    public func accepts(_ status: Int) -> Bool {
        switch self {
        case let .code(code): return status == code
        case let .anyOf(codes): return codes.contains(status)
        case let .classOf(hundreds): return status / 100 == hundreds && status >= 100
        }
    }
}

/// `expect.status`: nil when the response's status is accepted.
public func evaluate(_ expectation: StatusExpectation, on response: ClientResponse) -> CheckFailure? {
    guard !expectation.accepts(response.status) else { return nil }
    return CheckFailure(message: "unexpected status", expected: expectation.description, actual: String(response.status))
}
