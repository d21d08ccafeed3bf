import AccordHTTPTypes

/// The `Server-Timing` response header (W3C Server Timing), as the reference server sends it
/// so that a load can break latency down by phase:
///
///     Server-Timing: db;dur=1.23, redis;dur=0.4, app;desc="handler";dur=2.0
///
/// Pure: a header value in, the phases that carry a duration out.
public enum ServerTiming {
    /// One phase of one answer: its name and its duration in milliseconds.
    public struct Phase: Sendable, Equatable {
        public var name: String
        public var milliseconds: Double

        public init(name: String, milliseconds: Double) {
            self.name = name
            self.milliseconds = milliseconds
        }

        /// The duration in whole microseconds, as histograms record it; the server's number
        /// is capped at an hour, so that no value can trap.
        public var microseconds: UInt64 { UInt64(min(milliseconds * 1000, 3_600_000_000).rounded()) }
    }

    /// The phases of a header value, in order. A metric without a valid `dur` (absent, not a
    /// finite non-negative number) is skipped, as is a metric without a name; parameters other
    /// than `dur` (such as `desc`, quoted or not) are ignored; parameter names are
    /// case-insensitive; the first `dur` of a metric counts.
    public static func parse(_ value: Substring) -> [Phase] {
        var phases: [Phase] = []
        for metric in splitOutsideQuotes(value, on: ",") {
            let parts = splitOutsideQuotes(metric, on: ";")
            guard let first = parts.first else { continue }
            let name = trimmed(first)
            guard HTTPToken.isToken(name) else { continue }
            for parameter in parts.dropFirst() {
                guard let equals = parameter.firstIndex(of: "=") else { continue }
                guard trimmed(parameter[..<equals]).lowercased() == "dur" else { continue }
                var text = trimmed(parameter[parameter.index(after: equals)...])
                if text.count >= 2, text.first == "\"", text.last == "\"" { text = text.dropFirst().dropLast() }
                if let duration = Double(text), duration.isFinite, duration >= 0 {
                    phases.append(Phase(name: String(name), milliseconds: duration))
                }
                break
            }
        }
        return phases
    }

    /// The value of a raw header line when it is a `Server-Timing` header (name matched
    /// case-insensitively, the line's CRLF dropped), else nil.
    public static func value(ofHeaderLine line: Substring) -> Substring? {
        let name = "server-timing:".utf8
        guard line.utf8.count >= name.count,
            zip(line.utf8, name).allSatisfy({ byte, expected in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 == expected : byte == expected
            })
        else { return nil }
        var value = line.dropFirst(name.count)
        while let last = value.last, last == "\r" || last == "\n" || last == "\r\n" { value = value.dropLast() }
        return value
    }

    /// Splits on `separator` except inside double-quoted strings (which may escape with `\`).
    static func splitOutsideQuotes(_ text: Substring, on separator: Character) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex
        var quoted = false
        var escaped = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if escaped {
                escaped = false
            } else if quoted && character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if !quoted && character == separator {
                parts.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        parts.append(text[start...])
        return parts
    }

    static func trimmed(_ text: Substring) -> Substring {
        var result = text
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
