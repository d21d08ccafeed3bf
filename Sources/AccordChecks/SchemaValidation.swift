import AccordResults
import AccordJSON
import AccordSpec

/// One way a value breaks a schema: where (a normalized JSONPath such as `$.items[2].id`) and
/// what.
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    /// The normalized JSONPath of the offending value (`$` for the document itself).
    public var path: String
    /// What is wrong there: `missing required member 'id'`, `expected type string, found 7 (integer)`.
    public var message: String

    /// A violation at `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `$.items[2].id: expected type string, found 7 (integer)`
    public var description: String { "\(path): \(message)" }
}

/// Every violation of `schema` by `value`, in document order (empty: valid). Keywords that do
/// not apply to a value's type are ignored, as JSON Schema says (`minLength` on a number,
/// `required` on an array); lengths count Unicode scalars, as JSON Schema does. Recursion
/// follows the schema, which is finite, and the value, whose depth the parser bounds.
public func validate(_ value: JSON, against schema: JSONSchema) -> [SchemaViolation] {
    var violations: [SchemaViolation] = []
    validate(value, against: schema.keywords, at: .root, into: &violations)
    return violations
}

private func validate(_ value: JSON, against schema: JSONSchema.Keywords, at path: JSONPath, into out: inout [SchemaViolation]) {
    func violation(_ message: String) {
        out.append(SchemaViolation(path: path.description, message: message))
    }

    if let types = schema.types, !types.contains(where: { $0.accepts(value) }) {
        let names = types.map(\.rawValue)
        let wanted = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        violation("expected type \(wanted), found \(Rendering.typed(value))")
    }
    if let allowed = schema.enumValues, !allowed.contains(value) {
        violation("expected one of \(Rendering.value(.array(allowed))), found \(Rendering.value(value))")
    }
    switch value {
    case let .object(members):
        validateMembers(members, against: schema, at: path, into: &out)
    case let .array(elements):
        if let items = schema.items {
            for (index, element) in elements.enumerated() {
                validate(element, against: items.keywords, at: path.appending(.index(index)), into: &out)
            }
        }
    case let .string(text):
        validateString(text, against: schema, report: violation)
    case .int, .double:
        if let minimum = schema.minimum, let order = NumberOrder.compare(value, with: minimum), order < 0 {
            violation("expected >= \(Rendering.number(minimum)), found \(Rendering.value(value))")
        }
        if let maximum = schema.maximum, let order = NumberOrder.compare(value, with: maximum), order > 0 {
            violation("expected <= \(Rendering.number(maximum)), found \(Rendering.value(value))")
        }
    case .null, .bool:
        break
    }
}

private func validateMembers(
    _ members: [(key: String, value: JSON)], against schema: JSONSchema.Keywords, at path: JSONPath,
    into out: inout [SchemaViolation]
) {
    for name in schema.required ?? [] where !members.contains(where: { $0.key == name }) {
        out.append(SchemaViolation(path: path.description, message: "missing required member '\(name)'"))
    }
    let declared = schema.properties ?? []
    for member in members {
        let memberPath = path.appending(.name(member.key))
        if let property = declared.first(where: { $0.name == member.key }) {
            validate(member.value, against: property.schema.keywords, at: memberPath, into: &out)
            continue
        }
        switch schema.additionalProperties {
        case .allowed(false):
            out.append(
                SchemaViolation(
                    path: memberPath.description,
                    message: "member '\(member.key)' is not allowed (additionalProperties: false)"))
        case let .schema(other):
            validate(member.value, against: other.keywords, at: memberPath, into: &out)
        case .allowed(true), nil:
            break
        }
    }
}

private func validateString(_ text: String, against schema: JSONSchema.Keywords, report: (String) -> Void) {
    let length = text.unicodeScalars.count
    if let minLength = schema.minLength, length < minLength {
        report("expected at least \(minLength) character\(minLength == 1 ? "" : "s"), found \(length): \(Rendering.value(.string(text)))")
    }
    if let maxLength = schema.maxLength, length > maxLength {
        report("expected at most \(maxLength) character\(maxLength == 1 ? "" : "s"), found \(length): \(Rendering.value(.string(text)))")
    }
    switch schema.format {
    case "uuid" where !NamedFormat.isUUID(text):
        report("expected format uuid, found \(Rendering.value(.string(text)))")
    case "date-time" where !NamedFormat.isRFC3339DateTime(text):
        report("expected format date-time (RFC 3339), found \(Rendering.value(.string(text)))")
    default:
        break
    }
    if let pattern = schema.pattern {
        do {
            if try !Pattern.regex(pattern).matches(text) {
                report("expected to match /\(pattern)/, found \(Rendering.value(.string(text)))")
            }
        } catch {
            report(error.reason)
        }
    }
}

/// The schema as one assertion on a response body: nil when the body is JSON and valid; else one
/// failure that lists the violations (the first ten; the count of the rest).
public func evaluate(_ schema: JSONSchema, on body: ResponseBody) -> CheckFailure? {
    let value: JSON
    switch body.json {
    case let .success(json): value = json
    case let .failure(error): return body.notJSONFailure(error, expected: "a body valid against the schema")
    }
    let violations = validate(value, against: schema)
    guard !violations.isEmpty else { return nil }
    let shown = violations.prefix(10).map(\.description)
    let more = violations.count > 10 ? ["… and \(violations.count - 10) more"] : []
    return CheckFailure(
        message: "the body does not match the schema (\(violations.count) violation\(violations.count == 1 ? "" : "s"))",
        expected: "a body valid against the schema",
        actual: (shown + more).joined(separator: "; "))
}
