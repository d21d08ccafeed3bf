import AccordResults
import AccordJSON
import AccordSpec

/// Evaluates `predicate` on the values a JSONPath (or a header name) selected.
///
/// - `exists: true` passes when something is selected; `exists: false` (`absent`) when nothing is.
/// - `length` reads the one value when exactly one is selected (the characters of a string,
///   the elements of an array, the members of an object) and otherwise the number of values
///   selected. Body assertions know their path and use `evaluate(_:on:fromSingularPath:)`,
///   which decides by the path's shape instead.
/// - Every other predicate needs at least one value (an empty selection fails — a misspelt
///   path must not pass silently) and passes only when every selected value passes.
///
/// Returns nil when the predicate holds.
public func evaluate(_ predicate: Predicate, on selection: [JSON]) -> CheckFailure? {
    evaluate(predicate, on: selection, subject: Subject(shape: .bySize, label: nil, nothing: "nothing is selected"))
}

/// Evaluates `predicate` on what a path selected, `length` reading by the path's shape: for a
/// singular path (no wildcard, no `..`) the length of the one value (failing when nothing is
/// selected); for any other path the number of values selected, even when that is 0 or 1. The
/// other predicates read as in `evaluate(_:on:)`.
public func evaluate(_ predicate: Predicate, on selection: [JSON], fromSingularPath singular: Bool) -> CheckFailure? {
    let subject = Subject(shape: singular ? .singular : .multiple, label: nil, nothing: "nothing is selected")
    return evaluate(predicate, on: selection, subject: subject)
}

/// What a selection came from: how `length` reads it, and how failures name it.
struct Subject {
    enum Shape {
        /// At most one value: `length` measures it.
        case singular
        /// A wildcard or descendant path: `length` counts the values.
        case multiple
        /// Unknown: `length` measures a lone value and counts otherwise.
        case bySize
    }

    var shape: Shape
    /// Prefix for messages, e.g. `$.status` or `header Content-Type`; nil for none.
    var label: String?
    /// The message when nothing is selected, e.g. `$.status selects nothing`.
    var nothing: String

    func labelled(_ failure: CheckFailure) -> CheckFailure {
        guard let label else { return failure }
        var copy = failure
        copy.message = "\(label): \(failure.message)"
        return copy
    }
}

func evaluate(_ predicate: Predicate, on selection: [JSON], subject: Subject) -> CheckFailure? {
    switch predicate {
    case let .exists(wanted):
        if selection.isEmpty == !wanted { return nil }
        return wanted
            ? CheckFailure(message: subject.nothing, expected: "exists", actual: "nothing")
            : subject.labelled(CheckFailure(message: "present, but must be absent", expected: "absent", actual: Rendering.selection(selection)))
    case let .length(checks) where countsSelection(subject.shape, selection):
        guard let failure = checkLength(selection.count, checks) else { return nil }
        let actual = "length \(selection.count) (\(selection.count == 1 ? "1 value" : "\(selection.count) values") selected)"
        return subject.labelled(CheckFailure(message: failure.message, expected: failure.expected, actual: actual))
    default:
        guard !selection.isEmpty else {
            return CheckFailure(message: subject.nothing, expected: predicate.expectationText, actual: "nothing")
        }
        let failures = selection.lazy.enumerated().compactMap { entry in
            check(predicate, on: entry.element).map { (position: entry.offset, failure: $0) }
        }
        guard let first = failures.first else { return nil }
        guard selection.count > 1 else { return subject.labelled(first.failure) }
        let failing = failures.count
        var failure = first.failure
        failure.message = "value \(first.position + 1) of \(selection.count): \(failure.message)"
            + (failing > 1 ? " (\(failing) of \(selection.count) values fail)" : "")
        return subject.labelled(failure)
    }
}

private func countsSelection(_ shape: Subject.Shape, _ selection: [JSON]) -> Bool {
    switch shape {
    case .singular: return false
    case .multiple: return true
    case .bySize: return selection.count != 1
    }
}

/// The predicate on one value.
func check(_ predicate: Predicate, on value: JSON) -> CheckFailure? {
    let expected = predicate.expectationText
    func failure(_ message: String, actual: String? = nil) -> CheckFailure {
        CheckFailure(message: message, expected: expected, actual: actual ?? Rendering.value(value))
    }
    switch predicate {
    case let .equals(wanted):
        guard value != wanted else { return nil }
        let sameKind = value.typeName == wanted.typeName || (value.doubleValue != nil && wanted.doubleValue != nil)
        return sameKind
            ? failure("values differ")
            : failure("values differ: \(article(wanted.typeName)) is expected, the value is \(article(value.typeName))")
    case let .notEquals(unwanted):
        return value == unwanted ? failure("the value is the one it must not be") : nil
    case let .oneOf(allowed):
        return allowed.contains(value) ? nil : failure("the value is not one of those allowed")
    case let .matches(pattern):
        guard case let .string(text) = value else {
            return failure("matches applies to strings; the value is \(article(value.typeName))", actual: Rendering.typed(value))
        }
        return patternFailure(pattern, text).map { failure($0) }
    case let .type(type):
        return type.accepts(value) ? nil : failure("the value has another type", actual: Rendering.typed(value))
    case .exists(true):
        return nil
    case .exists(false):
        return failure("present, but must be absent")
    case let .lessThan(bound): return compare(value, bound, "<", expected) { $0 < 0 }
    case let .lessThanOrEqual(bound): return compare(value, bound, "<=", expected) { $0 <= 0 }
    case let .greaterThan(bound): return compare(value, bound, ">", expected) { $0 > 0 }
    case let .greaterThanOrEqual(bound): return compare(value, bound, ">=", expected) { $0 >= 0 }
    case let .length(checks):
        guard let length = measure(value) else {
            return failure("length applies to strings, arrays and objects; the value is \(article(value.typeName))", actual: Rendering.typed(value))
        }
        guard let broken = checkLength(length, checks) else { return nil }
        return failure(broken.message, actual: "length \(length) (\(Rendering.value(value)))")
    case let .contains(needle):
        return containment(needle, in: value, expected: expected, wanted: true)
    case let .notContains(needle):
        return containment(needle, in: value, expected: expected, wanted: false)
    }
}

/// The length of a string (in Unicode scalars, as JSON Schema counts), array or object.
func measure(_ value: JSON) -> Int? {
    switch value {
    case let .string(text): return text.unicodeScalars.count
    case let .array(elements): return elements.count
    case let .object(members): return members.count
    default: return nil
    }
}

/// The first of `checks` that `length` fails, as a failure whose message and expectation speak
/// of the length.
private func checkLength(_ length: Int, _ checks: [Predicate]) -> CheckFailure? {
    for inner in checks {
        if let broken = check(inner, on: .int(Int64(length))) {
            return CheckFailure(
                message: "wrong length: \(broken.message)", expected: Predicate.length(checks).expectationText,
                actual: "length \(length)")
        }
    }
    return nil
}

private func compare(
    _ value: JSON, _ bound: Double, _ symbol: String, _ expected: String, holds: (Int) -> Bool
) -> CheckFailure? {
    guard let order = NumberOrder.compare(value, with: bound) else {
        return CheckFailure(
            message: "\(symbol) compares numbers; the value is \(article(value.typeName))", expected: expected,
            actual: Rendering.typed(value))
    }
    guard !holds(order) else { return nil }
    return CheckFailure(message: "the value is not \(symbol) \(Rendering.number(bound))", expected: expected, actual: Rendering.value(value))
}

private func containment(_ needle: JSON, in value: JSON, expected: String, wanted: Bool) -> CheckFailure? {
    let found: Bool
    switch (value, needle) {
    case let (.string(text), .string(part)):
        found = text.contains(part)
    case (.string, _):
        return CheckFailure(
            message: "a string can only contain a string, and \(Rendering.value(needle)) is \(article(needle.typeName))",
            expected: expected, actual: Rendering.value(value))
    case let (.array(elements), _):
        found = elements.contains(needle)
    default:
        return CheckFailure(
            message: "\(wanted ? "contains" : "not_contains") applies to strings and arrays; the value is \(article(value.typeName))",
            expected: expected, actual: Rendering.typed(value))
    }
    guard found != wanted else { return nil }
    let container = value.typeName == "string" ? "the string" : "the array"
    let message = wanted
        ? "\(container) does not contain \(Rendering.value(needle))"
        : "\(container) contains \(Rendering.value(needle))"
    return CheckFailure(message: message, expected: expected, actual: Rendering.value(value))
}

/// `an integer`, `a string`.
func article(_ typeName: String) -> String {
    let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
    guard let first = typeName.first else { return typeName }
    return (vowels.contains(first) ? "an " : "a ") + typeName
}

extension JSONType {
    /// Whether `value` has this type; `integer` takes a number without a fraction (2.0 too),
    /// `number` takes any number.
    func accepts(_ value: JSON) -> Bool {
        switch (self, value) {
        case (.null, .null), (.boolean, .bool), (.string, .string), (.array, .array), (.object, .object): return true
        case (.number, .int), (.number, .double), (.integer, .int): return true
        case let (.integer, .double(number)): return number.rounded() == number
        default: return false
        }
    }
}

extension Predicate {
    /// The expectation as a short text: `== "created"`, `matches uuid`, `length >= 1`.
    var expectationText: String {
        switch self {
        case let .equals(value): return "== \(Rendering.value(value))"
        case let .notEquals(value): return "!= \(Rendering.value(value))"
        case let .oneOf(values): return "in \(Rendering.value(.array(values)))"
        case let .matches(pattern): return "matches \(pattern)"
        case let .type(type): return "type \(type.rawValue)"
        case let .exists(wanted): return wanted ? "exists" : "absent"
        case let .lessThan(bound): return "< \(Rendering.number(bound))"
        case let .lessThanOrEqual(bound): return "<= \(Rendering.number(bound))"
        case let .greaterThan(bound): return "> \(Rendering.number(bound))"
        case let .greaterThanOrEqual(bound): return ">= \(Rendering.number(bound))"
        case let .length(checks):
            guard !checks.isEmpty else { return "any length" }
            return checks.map { "length \($0.expectationText)" }.joined(separator: " and ")
        case let .contains(value): return "contains \(Rendering.value(value))"
        case let .notContains(value): return "not contains \(Rendering.value(value))"
        }
    }
}
