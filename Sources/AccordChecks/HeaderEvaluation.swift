import AccordResults
import AccordHTTPTypes
import AccordJSON
import AccordSpec

/// `predicate` on the response's header `name` (case-insensitive). An absent header selects
/// nothing; a repeated header selects each of its values, in order, and (as for a wildcard
/// path) every value must pass. Header values are strings, with two conveniences for values
/// written as YAML scalars: a number or boolean expected by `equals`, `in`, `contains` and
/// their negations is compared as its text (`Content-Length: 42` means "42"), and `<`, `<=`,
/// `>`, `>=` read a value that is a JSON number as that number (`Retry-After: {">=": 1}`).
/// `length` is the length of the value when there is one, else the number of values.
public func evaluate(_ predicate: Predicate, onHeader name: String, of response: ClientResponse) -> CheckFailure? {
    let wanted = name.lowercased()
    let values = response.headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    let subject = Subject(shape: .bySize, label: "header \(name)", nothing: "header \(name) is absent")
    let selection: [JSON]
    switch predicate {
    case .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual:
        selection = values.map(numberIfNumeric)
    default:
        selection = values.map(JSON.string)
    }
    return evaluate(asText(predicate), on: selection, subject: subject)
}

private func numberIfNumeric(_ text: String) -> JSON {
    guard let first = text.utf8.first, first == UInt8(ascii: "-") || (0x30...0x39).contains(first),
        let number = try? JSON.parse(text), number.doubleValue != nil
    else { return .string(text) }
    return number
}

/// The predicate with expected scalars turned into the text a header would carry.
private func asText(_ predicate: Predicate) -> Predicate {
    switch predicate {
    case let .equals(value): return .equals(text(value))
    case let .notEquals(value): return .notEquals(text(value))
    case let .oneOf(values): return .oneOf(values.map(text))
    case let .contains(value): return .contains(text(value))
    case let .notContains(value): return .notContains(text(value))
    default: return predicate
    }
}

private func text(_ value: JSON) -> JSON {
    switch value {
    case .int, .bool: return .string(value.serialized())
    case let .double(number): return .string(Rendering.number(number))
    default: return value
    }
}
