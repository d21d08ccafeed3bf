import AccordJSON

/// How values appear in failures: compact JSON with members in the order the response wrote
/// them, cut after about 200 characters.
enum Rendering {
    static let limit = 200

    static func value(_ value: JSON) -> String {
        var bytes: [UInt8] = []
        value.write(into: &bytes, sortKeys: false)
        return truncated(String(decoding: bytes, as: UTF8.self))
    }

    /// `[a, b, c]` for a selection of several values.
    static func selection(_ values: [JSON]) -> String {
        switch values.count {
        case 0: return "nothing"
        case 1: return value(values[0])
        default: return truncated("[" + values.map(value).joined(separator: ", ") + "]")
        }
    }

    static func truncated(_ text: String) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "…"
    }

    /// A bound or length as written: `5`, `2.5`.
    static func number(_ number: Double) -> String {
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return String(number)
    }

    /// `5 (integer)`: a value with its JSON type, for type mismatches.
    static func typed(_ value: JSON) -> String {
        "\(Rendering.value(value)) (\(value.typeName))"
    }
}
