/// A string with `{{…}}` placeholders, parsed once at load time:
/// `"race-{{uuid}}-{{seq}}"` → `[.literal("race-"), .uuid, .literal("-"), .sequence]`.
public struct Template: Sendable, Hashable, CustomStringConvertible {
    public enum Part: Sendable, Hashable {
        case literal(String)
        /// A suite variable, a `--var`, or a capture of an earlier case.
        case variable(String)
        /// A new random UUID each time it is rendered.
        case uuid
        /// An environment variable; rendering fails when it is unset.
        case environment(String)
        case randomInt(Int, Int)
        /// A counter shared by the whole run: 1, 2, 3 …
        case sequence
    }

    public var parts: [Part]

    public init(parts: [Part]) {
        self.parts = parts
    }

    /// A template with no placeholder.
    public init(literal: String) {
        self.parts = literal.isEmpty ? [] : [.literal(literal)]
    }

    /// The variable names this template needs.
    public var variables: [String] {
        parts.compactMap { if case let .variable(name) = $0 { return name } else { return nil } }
    }

    /// The text itself when there is no placeholder.
    public var literalValue: String? {
        if parts.isEmpty { return "" }
        if parts.count == 1, case let .literal(text) = parts[0] { return text }
        return nil
    }

    public var description: String {
        parts.map { part in
            switch part {
            case let .literal(text): return text
            case let .variable(name): return "{{\(name)}}"
            case .uuid: return "{{uuid}}"
            case let .environment(name): return "{{env.\(name)}}"
            case let .randomInt(low, high): return "{{random_int \(low) \(high)}}"
            case .sequence: return "{{seq}}"
            }
        }.joined()
    }
}

/// Why a `{{…}}` placeholder could not be parsed, and where in the string (a character offset).
public struct TemplateError: Error, Sendable, Equatable {
    public var message: String
    public var offset: Int
    public var length: Int
}

extension Template {
    /// Parses `text`. `{{` opens a placeholder that must close with `}}` on the same string;
    /// names are `[A-Za-z_][A-Za-z0-9_.-]*`.
    public init(parsing text: String) throws(TemplateError) {
        var parts: [Part] = []
        var literal = ""
        var index = text.startIndex
        var offset = 0
        while index < text.endIndex {
            if text[index...].hasPrefix("{{") {
                let innerStart = text.index(index, offsetBy: 2)
                guard let closeStart = Template.closing(in: text, from: innerStart) else {
                    throw TemplateError(message: "'{{' is never closed with '}}'", offset: offset, length: 2)
                }
                let closeEnd = text.index(closeStart, offsetBy: 2)
                let inner = text[innerStart..<closeStart]
                let length = text.distance(from: index, to: closeEnd)
                let part = try Template.placeholder(String(inner), offset: offset, length: length)
                if !literal.isEmpty {
                    parts.append(.literal(literal))
                    literal = ""
                }
                parts.append(part)
                offset += length
                index = closeEnd
            } else {
                literal.append(text[index])
                index = text.index(after: index)
                offset += 1
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    private static func placeholder(_ raw: String, offset: Int, length: Int) throws(TemplateError) -> Part {
        let words = raw.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let first = words.first else {
            throw TemplateError(message: "empty placeholder '{{}}'", offset: offset, length: length)
        }
        switch first {
        case "uuid" where words.count == 1: return .uuid
        case "seq" where words.count == 1: return .sequence
        case "random_int":
            guard words.count == 3, let low = Int(words[1]), let high = Int(words[2]), low <= high else {
                throw TemplateError(
                    message: "random_int takes two integers, low <= high: '{{random_int 1 100}}'", offset: offset, length: length)
            }
            return .randomInt(low, high)
        default:
            guard words.count == 1, isName(first) else {
                throw TemplateError(message: "'{{\(raw)}}' is not a placeholder: expected a name, uuid, seq, env.NAME or random_int A B",
                    offset: offset, length: length)
            }
            if first.hasPrefix("env.") {
                let name = String(first.dropFirst(4))
                guard !name.isEmpty else {
                    throw TemplateError(message: "env. needs a variable name: '{{env.HOME}}'", offset: offset, length: length)
                }
                return .environment(name)
            }
            return .variable(first)
        }
    }

    /// The index of the next `}}` at or after `start`.
    static func closing(in text: String, from start: String.Index) -> String.Index? {
        var index = start
        while index < text.endIndex {
            if text[index...].hasPrefix("}}") { return index }
            index = text.index(after: index)
        }
        return nil
    }

    static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || $0 == "." || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}
