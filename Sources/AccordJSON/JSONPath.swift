/// A JSONPath query (the RFC 9535 subset specs use): where in a response body a value is.
///
/// ```swift
/// let path = try JSONPath(parsing: "$.items[*]['job-id']")
/// path.select(in: try JSON.parse(#"{"items": [{"job-id": 1}, {"job-id": 2}]}"#))   // [1, 2]
/// path.description   // $.items[*]['job-id']
/// ```
///
/// Grammar: `$`, then any of `.name`, `['name']` / `["name"]` (JSON-style escapes), `[0]`,
/// `[-1]` (from the end), `[*]` / `.*` (every element or member value), and `..` before a name,
/// `*` or a bracket (that selector applied to the node and all its descendants). A dot name
/// starts with a letter, `_` or a non-ASCII character and goes on with those or digits; any
/// other name needs brackets. Whitespace is allowed only inside quotes.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// What one segment picks out of a node.
    public enum Selector: Sendable, Hashable {
        /// The member with this name, of an object.
        case name(String)
        /// The element at this index of an array; negative counts from the end.
        case index(Int)
        /// Every element of an array, every member value of an object.
        case wildcard
    }

    /// One step of a path: a selector, applied to the current nodes or (descendant) to them
    /// and everything below them.
    public struct Segment: Sendable, Hashable {
        /// What the step picks.
        public var selector: Selector
        /// True for `..`: the selector applies to each current node and all its descendants.
        public var isDescendant: Bool

        /// A child step, or (with `descendant`) a `..` step.
        public init(_ selector: Selector, descendant: Bool = false) {
            self.selector = selector
            self.isDescendant = descendant
        }
    }

    /// The steps after `$`, in order; empty for `$` itself.
    public var segments: [Segment]

    /// A path made of these segments (no parsing involved).
    public init(segments: [Segment]) {
        self.segments = segments
    }

    /// `$`: the whole document.
    public static let root = JSONPath(segments: [])

    /// Parses `text`; an error carries the offset (in Unicode scalars, as YAML counts columns)
    /// of the character where the path goes wrong.
    public init(parsing text: String) throws(JSONPathError) {
        var parser = JSONPathParser(text)
        self.segments = try parser.parse()
    }

    /// True when the path can select at most one value: no wildcard and no descendant step.
    public var isSingular: Bool {
        segments.allSatisfy { !$0.isDescendant && $0.selector != .wildcard }
    }

    /// This path with one more (child) step.
    public func appending(_ selector: Selector) -> JSONPath {
        JSONPath(segments: segments + [Segment(selector)])
    }

    /// The values the path selects in `root`, in document order. A missing member, an index
    /// out of range or a step into the wrong kind of value selects nothing.
    public func select(in root: JSON) -> [JSON] {
        var current = [root]
        for segment in segments {
            var next: [JSON] = []
            for node in current {
                if segment.isDescendant {
                    // Pre-order with an explicit stack: document order, and no recursion
                    // however deep a hand-built value is.
                    var stack = [node]
                    while let visited = stack.popLast() {
                        Self.apply(segment.selector, to: visited, into: &next)
                        stack.append(contentsOf: Self.children(of: visited).reversed())
                    }
                } else {
                    Self.apply(segment.selector, to: node, into: &next)
                }
            }
            current = next
            if current.isEmpty { break }
        }
        return current
    }

    private static func apply(_ selector: Selector, to node: JSON, into out: inout [JSON]) {
        switch (selector, node) {
        case let (.name(name), .object(members)):
            if let member = members.last(where: { $0.key == name }) { out.append(member.value) }
        case let (.index(index), .array(elements)):
            let position = index < 0 ? elements.count + index : index
            if elements.indices.contains(position) { out.append(elements[position]) }
        case (.wildcard, _):
            out.append(contentsOf: children(of: node))
        default:
            break
        }
    }

    private static func children(of node: JSON) -> [JSON] {
        switch node {
        case let .array(elements): return elements
        case let .object(members): return members.map(\.value)
        default: return []
        }
    }

    /// The normalized text: dot names where the name allows it, `['…']` otherwise, `[*]` for
    /// wildcards. Parsing it gives back an equal path.
    public var description: String {
        var text = "$"
        for segment in segments {
            if segment.isDescendant { text += ".." }
            switch segment.selector {
            case let .name(name) where Self.isShorthandName(name):
                text += segment.isDescendant ? name : "." + name
            case let .name(name):
                text += "[" + Self.quoted(name) + "]"
            case let .index(index):
                text += "[\(index)]"
            case .wildcard:
                text += "[*]"
            }
        }
        return text
    }

    /// Whether `name` can be written after a dot.
    static func isShorthandName(_ name: String) -> Bool {
        var scalars = name.unicodeScalars.makeIterator()
        guard let first = scalars.next(), isNameStart(first) else { return false }
        while let scalar = scalars.next() {
            guard isNameContinuation(scalar) else { return false }
        }
        return true
    }

    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "_": return true
        default: return scalar.value >= 0x80 && !scalar.properties.isWhitespace
        }
    }

    static func isNameContinuation(_ scalar: Unicode.Scalar) -> Bool {
        isNameStart(scalar) || ("0"..."9").contains(scalar)
    }

    private static func quoted(_ name: String) -> String {
        var text = "'"
        for scalar in name.unicodeScalars {
            switch scalar {
            case "'": text += "\\'"
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "'"
    }
}

/// Why a text is not a JSONPath, and where.
public struct JSONPathError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, and how to write it instead when that is clear.
    public var message: String
    /// 0-based offset of the offending character, in Unicode scalars (the unit YAML columns
    /// count); the length of the text when something is missing at the end.
    public var offset: Int

    /// An error at `offset` (0-based, in Unicode scalars).
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// `message (at character N)`, N counted from 1.
    public var description: String { "\(message) (at character \(offset + 1))" }
}

/// A recursive-descent reader over the path's Unicode scalars.
struct JSONPathParser {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private func failure(_ message: String, at offset: Int? = nil) -> JSONPathError {
        JSONPathError(message: message, offset: offset ?? index)
    }

    mutating func parse() throws(JSONPathError) -> [JSONPath.Segment] {
        guard let first = current else { throw failure("the path is empty; it must start with '$'") }
        guard first == "$" else {
            if JSONPath.isNameStart(first) {
                throw failure("a path starts with '$'; write $.\(String(String.UnicodeScalarView(scalars)))")
            }
            throw failure("a path starts with '$'")
        }
        index += 1
        var segments: [JSONPath.Segment] = []
        while let scalar = current {
            switch scalar {
            case "." where index + 1 < scalars.count && scalars[index + 1] == ".":
                index += 2
                segments.append(JSONPath.Segment(try descendantSelector(), descendant: true))
            case ".":
                index += 1
                segments.append(JSONPath.Segment(try dotSelector()))
            case "[":
                segments.append(JSONPath.Segment(try bracketSelector()))
            default:
                throw unexpected(scalar, expecting: "'.', '..' or '['")
            }
        }
        return segments
    }

    private func unexpected(_ scalar: Unicode.Scalar, expecting: String) -> JSONPathError {
        if scalar.properties.isWhitespace {
            return failure("whitespace is not allowed in a path outside quotes")
        }
        return failure("unexpected '\(scalar)'; expected \(expecting)")
    }

    /// After `..`: a name, `*` or a bracket.
    private mutating func descendantSelector() throws(JSONPathError) -> JSONPath.Selector {
        guard let scalar = current else { throw failure("expected a name, '*' or '[' after '..'") }
        if scalar == "[" { return try bracketSelector() }
        if scalar == "*" || JSONPath.isNameStart(scalar) { return try dotSelector() }
        throw unexpected(scalar, expecting: "a name, '*' or '[' after '..'")
    }

    /// After `.`: a name or `*`.
    private mutating func dotSelector() throws(JSONPathError) -> JSONPath.Selector {
        guard let scalar = current else { throw failure("expected a name or '*' after '.'") }
        if scalar == "*" {
            index += 1
            return .wildcard
        }
        if ("0"..."9").contains(scalar) {
            throw failure("a name after '.' cannot start with a digit; write [\(scalar)] for an index or ['…'] for a member")
        }
        guard JSONPath.isNameStart(scalar) else { throw unexpected(scalar, expecting: "a name or '*' after '.'") }
        let start = index
        while let next = current, JSONPath.isNameContinuation(next) { index += 1 }
        if let stop = current, stop != ".", stop != "[", !stop.properties.isWhitespace {
            // A name such as job-id: say how to write it rather than just "unexpected '-'".
            var end = index
            while end < scalars.count, scalars[end] != ".", scalars[end] != "[" { end += 1 }
            let whole = String(String.UnicodeScalarView(scalars[start..<end]))
            throw failure("'\(stop)' cannot appear in a name after '.'; write ['\(whole)']")
        }
        return .name(String(String.UnicodeScalarView(scalars[start..<index])))
    }

    /// `[*]`, `[N]`, `['name']` or `["name"]`, starting at the `[`.
    private mutating func bracketSelector() throws(JSONPathError) -> JSONPath.Selector {
        index += 1
        guard let scalar = current else { throw failure("expected a quoted name, an index or '*' after '['") }
        let selector: JSONPath.Selector
        switch scalar {
        case "*":
            index += 1
            selector = .wildcard
        case "'", "\"":
            selector = .name(try quotedName())
        case "-", "0"..."9":
            selector = .index(try integer())
        case "?":
            throw failure("filter expressions ([?…]) are not supported; select the values and use a predicate")
        case _ where JSONPath.isNameStart(scalar):
            throw failure("a name in brackets needs quotes: ['name']")
        default:
            throw unexpected(scalar, expecting: "a quoted name, an index or '*' after '['")
        }
        guard current == "]" else {
            if current == "." { throw failure("an index is a whole number") }
            if let other = current { throw unexpected(other, expecting: "']'") }
            throw failure("expected ']'")
        }
        index += 1
        return selector
    }

    private mutating func integer() throws(JSONPathError) -> Int {
        let start = index
        let negative = current == "-"
        if negative { index += 1 }
        guard let first = current, ("0"..."9").contains(first) else {
            throw failure("expected a digit after '-'")
        }
        var value = 0
        while let digit = current, ("0"..."9").contains(digit) {
            if index > start + (negative ? 1 : 0), value == 0 {
                throw failure("an index has no leading zeros", at: start)
            }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(digit.value - 0x30))
            guard !overflow1, !overflow2 else { throw failure("the index is too large", at: start) }
            value = sum
            index += 1
        }
        if negative, value == 0 { throw failure("-0 is not an index; write [0]", at: start) }
        return negative ? -value : value
    }

    /// A quoted name with JSON-style escapes (and `\'`), starting at the quote.
    private mutating func quotedName() throws(JSONPathError) -> String {
        guard let quote = current else { throw failure("expected a quote") }
        index += 1
        var name = String.UnicodeScalarView()
        while true {
            guard let scalar = current else { throw failure("unterminated quoted name: add the closing \(quote)") }
            switch scalar {
            case quote:
                index += 1
                return String(name)
            case "\\":
                name.append(try escape())
            case "\u{00}"..."\u{1F}":
                throw failure("a control character must be escaped inside quotes (\\n, \\t, \\u00XX)")
            default:
                name.append(scalar)
                index += 1
            }
        }
    }

    /// One escape sequence, starting at the backslash.
    private mutating func escape() throws(JSONPathError) -> Unicode.Scalar {
        let start = index
        index += 1
        guard let letter = current else { throw failure("unterminated escape sequence", at: start) }
        index += 1
        switch letter {
        case "'", "\"", "\\", "/": return letter
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "u":
            let high = try hexQuad(escapeStart: start)
            if (0xD800...0xDBFF).contains(high) {
                guard current == "\\", index + 1 < scalars.count, scalars[index + 1] == "u" else {
                    throw failure("a high surrogate must be followed by a \\u low surrogate", at: start)
                }
                index += 2
                let low = try hexQuad(escapeStart: start)
                guard (0xDC00...0xDFFF).contains(low),
                    let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                else { throw failure("invalid surrogate pair", at: start) }
                return scalar
            }
            guard let scalar = Unicode.Scalar(high) else { throw failure("a lone low surrogate is not a character", at: start) }
            return scalar
        default:
            throw failure("unknown escape '\\\(letter)'", at: start)
        }
    }

    private mutating func hexQuad(escapeStart: Int) throws(JSONPathError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let scalar = current, let digit = Self.hexValue(scalar) else {
                throw failure("\\u needs four hex digits", at: escapeStart)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": return scalar.value - 0x30
        case "a"..."f": return scalar.value - 0x61 + 10
        case "A"..."F": return scalar.value - 0x41 + 10
        default: return nil
        }
    }
}
