/// What a plain scalar means under the YAML 1.2 core schema (the tag resolution of
/// https://yaml.org/spec/1.2.2/#1033-core-schema), restricted to what JSON can hold.
enum CoreSchema {
    /// A scalar resolved to a JSON value, or why it cannot be one.
    enum Resolution: Equatable {
        case value(JSONValue)
        case nonFinite
        case outOfRange

        /// The JSON cases a scalar can resolve to (no collections).
        enum JSONValue: Equatable {
            case null, bool(Bool), int(Int64), double(Double), string(String)
        }
    }

    static func isNull(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`: an exact integer, `.outOfRange` for a
    /// hex or octal literal past 64 bits, a double for a decimal one (as JSON parsers do), or
    /// nil when the text is not an integer.
    static func integer(_ text: String) -> Resolution? {
        let bytes = Array(text.utf8)
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
            let digits = String(decoding: bytes[2...], as: UTF8.self)
            if bytes[1] == UInt8(ascii: "x"), bytes[2...].allSatisfy(\.isHexDigit) {
                return UInt64(digits, radix: 16).flatMap(Int64.init(exactly:)).map { .value(.int($0)) } ?? .outOfRange
            }
            if bytes[1] == UInt8(ascii: "o"), bytes[2...].allSatisfy(\.isOctalDigit) {
                return UInt64(digits, radix: 8).flatMap(Int64.init(exactly:)).map { .value(.int($0)) } ?? .outOfRange
            }
        }
        var body = bytes[...]
        if let sign = body.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { body = body.dropFirst() }
        guard !body.isEmpty, body.allSatisfy(\.isDecimalDigit) else { return nil }
        // Int64's parser rejects a leading '+', which the core schema allows.
        let normalized = bytes.first == UInt8(ascii: "+") ? String(decoding: body, as: UTF8.self) : text
        if let value = Int64(normalized) { return .value(.int(value)) }
        guard let double = Double(normalized), double.isFinite else { return .outOfRange }
        return .value(.double(double))
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?.inf` and `.nan` (any of
    /// their three spellings): a finite double, `.nonFinite`, or nil when not a float.
    static func float(_ text: String) -> Resolution? {
        var body = Substring(text)
        if let sign = body.first, sign == "-" || sign == "+" { body = body.dropFirst() }
        if [".inf", ".Inf", ".INF"].contains(body) { return .nonFinite }
        if [".nan", ".NaN", ".NAN"].contains(text) { return .nonFinite }
        guard matchesFloatSyntax(Array(body.utf8)) else { return nil }
        // Swift's Double parser accepts "1." and ".5"; it rejects a leading '+'.
        guard let value = Double(body) else { return nil }
        let signed = text.hasPrefix("-") ? -value : value
        return signed.isFinite ? .value(.double(signed)) : .nonFinite
    }

    /// The plain-scalar resolution order of the core schema: null, bool, int, float, string.
    static func resolvePlain(_ text: String) -> Resolution {
        // Most scalars are words: only these first characters can start a null, a boolean or
        // a number.
        guard let first = text.utf8.first else { return .value(.null) }
        guard Self.specialFirstBytes.contains(first) else { return .value(.string(text)) }
        if isNull(text) { return .value(.null) }
        if let value = bool(text) { return .value(.bool(value)) }
        if let resolution = integer(text) { return resolution }
        if let resolution = float(text) { return resolution }
        return .value(.string(text))
    }

    private static let specialFirstBytes = Set("~nNtTfF+-.0123456789".utf8)

    /// The float syntax without a sign: digits with an optional fraction, or a fraction
    /// alone, then an optional exponent.
    private static func matchesFloatSyntax(_ bytes: [UInt8]) -> Bool {
        var index = 0
        var mantissaDigits = 0
        while index < bytes.count, bytes[index].isDecimalDigit { index += 1; mantissaDigits += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var fractionDigits = 0
            while index < bytes.count, bytes[index].isDecimalDigit { index += 1; fractionDigits += 1 }
            // ".": neither side has a digit; ".5" needs its fraction, "1." is fine.
            if mantissaDigits == 0 && fractionDigits == 0 { return false }
        } else if mantissaDigits == 0 {
            return false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                index += 1
            }
            var exponentDigits = 0
            while index < bytes.count, bytes[index].isDecimalDigit { index += 1; exponentDigits += 1 }
            if exponentDigits == 0 { return false }
        }
        return index == bytes.count
    }
}

extension UInt8 {
    fileprivate var isDecimalDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isOctalDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "7") }
    fileprivate var isHexDigit: Bool {
        isDecimalDigit || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
            || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "F"))
    }
}
