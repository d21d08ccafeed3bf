/// What `expect.status` accepts: one code (`201`), a list (`[200, 201]`) or a class (`"2xx"`).
/// Evaluated by AccordChecks (`StatusExpectation.accepts(_:)`).
public enum StatusExpectation: Sendable, Equatable, CustomStringConvertible {
    /// Exactly this code.
    case code(Int)
    /// Any of these codes.
    case anyOf([Int])
    /// The hundreds digit of a class: 2 for `2xx`.
    case classOf(Int)

    /// As a person would write it: `201`, `200 or 201`, `200, 201 or 204`, `2xx`.
    public var description: String {
        switch self {
        case let .code(code):
            return String(code)
        case let .anyOf(codes):
            guard let last = codes.last else { return "no status" }
            let rest = codes.dropLast().map(String.init)
            return rest.isEmpty ? String(last) : rest.joined(separator: ", ") + " or \(last)"
        case let .classOf(hundreds):
            return "\(hundreds)xx"
        }
    }
}
