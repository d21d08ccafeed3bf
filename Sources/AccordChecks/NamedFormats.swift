/// The named formats `matches` knows, each checked exactly (whole string) and without
/// Foundation, so the same string passes on every platform.
enum NamedFormat {
    /// 8-4-4-4-12 hex digits, either case (no version or variant check).
    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (offset, byte) in bytes.enumerated() {
            let isDash = byte == UInt8(ascii: "-")
            guard [8, 13, 18, 23].contains(offset) ? isDash : isHexDigit(byte) else { return false }
        }
        return true
    }

    /// An RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, with the ranges
    /// checked (the day against its month, leap years included; seconds up to 60 for a leap
    /// second). `t` and `z` may be lower case, as RFC 3339 allows.
    static func isRFC3339DateTime(_ text: String) -> Bool {
        var reader = DigitReader(bytes: Array(text.utf8))
        guard let year = reader.number(4), reader.skip("-"), let month = reader.number(2), reader.skip("-"),
            let day = reader.number(2), reader.skip("T") || reader.skip("t"),
            let hour = reader.number(2), reader.skip(":"), let minute = reader.number(2), reader.skip(":"),
            let second = reader.number(2)
        else { return false }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour <= 23, minute <= 59, second <= 60
        else { return false }
        if reader.skip(".") {
            guard reader.digitRun() > 0 else { return false }
        }
        if reader.skip("Z") || reader.skip("z") { return reader.atEnd }
        guard reader.skip("+") || reader.skip("-"), let offsetHour = reader.number(2), reader.skip(":"),
            let offsetMinute = reader.number(2)
        else { return false }
        return offsetHour <= 23 && offsetMinute <= 59 && reader.atEnd
    }

    /// An absolute `http` or `https` URL (scheme in any case) with a non-empty host: a name,
    /// an IPv4 address or a bracketed IPv6 address, an optional port up to 65535, and no
    /// whitespace, control characters or characters RFC 3986 excludes (`"<>\^`{|}`).
    static func isHTTPURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let schemeLength: Int
        if lower.hasPrefix("http://") {
            schemeLength = 7
        } else if lower.hasPrefix("https://") {
            schemeLength = 8
        } else {
            return false
        }
        let bytes = Array(text.utf8)
        let excluded = Set(#" "<>\^`{|}"#.utf8)
        guard !bytes.contains(where: { $0 < 0x21 || $0 == 0x7F || excluded.contains($0) }) else { return false }
        let rest = bytes[schemeLength...]
        let authorityEnd = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
        var authority = rest[..<(authorityEnd ?? rest.endIndex)]
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) {
            authority = authority[authority.index(after: at)...]
        }
        return isHostAndPort(authority)
    }

    private static func isHostAndPort(_ authority: ArraySlice<UInt8>) -> Bool {
        var host = authority
        var port: ArraySlice<UInt8>?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = authority[authority.index(after: authority.startIndex)..<close]
            let allowed = Set("0123456789abcdefABCDEF:.".utf8)
            guard literal.contains(UInt8(ascii: ":")), literal.allSatisfy(allowed.contains) else { return false }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if let colon = after.first {
                guard colon == UInt8(ascii: ":") else { return false }
                port = after.dropFirst()
            }
        } else {
            if let colon = authority.lastIndex(of: UInt8(ascii: ":")) {
                host = authority[..<colon]
                port = authority[authority.index(after: colon)...]
            }
            guard !host.isEmpty, isRegisteredName(host) else { return false }
        }
        guard let port else { return true }
        guard (1...5).contains(port.count), port.allSatisfy({ (0x30...0x39).contains($0) }) else { return false }
        return port.reduce(0) { $0 * 10 + Int($1 - 0x30) } <= 65_535
    }

    /// RFC 3986 `reg-name` (unreserved, sub-delims, %XX), plus non-ASCII for IRIs.
    private static func isRegisteredName(_ host: ArraySlice<UInt8>) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=".utf8)
        var index = host.startIndex
        while index < host.endIndex {
            let byte = host[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < host.endIndex, isHexDigit(host[index + 1]), isHexDigit(host[index + 2]) else { return false }
                index += 3
                continue
            }
            guard byte >= 0x80 || allowed.contains(byte) else { return false }
            index += 1
        }
        return true
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"):
            return true
        default:
            return false
        }
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// Reads fixed-width ASCII digit fields and literal characters from the front of a text.
private struct DigitReader {
    let bytes: [UInt8]
    var index = 0

    var atEnd: Bool { index == bytes.count }

    /// Exactly `width` digits as a number, or nil (nothing consumed).
    mutating func number(_ width: Int) -> Int? {
        guard index + width <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + width] {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        index += width
        return value
    }

    /// Consumes `literal` when it comes next.
    mutating func skip(_ literal: Unicode.Scalar) -> Bool {
        guard index < bytes.count, UInt32(bytes[index]) == literal.value else { return false }
        index += 1
        return true
    }

    /// Consumes a run of digits and says how long it was.
    mutating func digitRun() -> Int {
        let start = index
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
        return index - start
    }
}
