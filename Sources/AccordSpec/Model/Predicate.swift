import AccordJSON

/// A test on one JSON value (or on the values a JSONPath selects), as written under
/// `expect.body` or `expect.headers`. Values may hold templates (`{{name}}`): they are
/// rendered before evaluation, so the evaluator sees plain JSON.
public enum Predicate: Sendable, Equatable {
    case equals(JSON)
    case notEquals(JSON)
    /// The value is one of these.
    case oneOf([JSON])
    case matches(Pattern)
    case type(JSONType)
    /// `exists: true` — the path selects at least one value; `exists: false` — none.
    case exists(Bool)
    case lessThan(Double)
    case lessThanOrEqual(Double)
    case greaterThan(Double)
    case greaterThanOrEqual(Double)
    /// The length of a string (in characters), array or object satisfies every predicate.
    case length([Predicate])
    /// A string contains a substring, or an array contains an element equal to the value.
    case contains(JSON)
    case notContains(JSON)
}

/// What `matches` compares against: a regular expression, or a named format.
public enum Pattern: Sendable, Equatable, CustomStringConvertible {
    /// An ICU/Swift regular expression, searched anywhere in the string (anchor it with ^…$).
    case regex(String)
    /// A lower-case 8-4-4-4-12 hex UUID (upper case accepted too).
    case uuid
    /// An ISO 8601 / RFC 3339 date-time with a time zone (`2026-11-30T09:12:01.123456Z`).
    case iso8601
    /// An absolute http(s) URL.
    case url

    public var description: String {
        switch self {
        case let .regex(pattern): return "/\(pattern)/"
        case .uuid: return "uuid"
        case .iso8601: return "iso8601"
        case .url: return "url"
        }
    }
}

extension Pattern {
    /// Nil when `pattern` compiles as a Swift `Regex`, else the compiler's reason, so the
    /// loader rejects a pattern where it is written rather than letting every run fail.
    public static func validateRegex(_ pattern: String) -> String? {
        do {
            _ = try Regex(pattern)
            return nil
        } catch {
            return "invalid regular expression /\(pattern)/: \(error)"
        }
    }
}

/// JSON types as JSON Schema names them; `integer` is a number without a fraction.
public enum JSONType: String, Sendable, CaseIterable {
    case string, number, integer, boolean, array, object, null
}

/// A JSON-Schema subset: what `expect.schema` may say.
public indirect enum JSONSchema: Sendable, Equatable {
    case schema(Keywords)

    public struct Keywords: Sendable, Equatable {
        public var types: [JSONType]?
        public var required: [String]?
        public var properties: [(name: String, schema: JSONSchema)]?
        /// `nil`: anything; `.allowed(false)`: no other members; `.schema(s)`: others match s.
        public var additionalProperties: Additional?
        public var items: JSONSchema?
        public var enumValues: [JSON]?
        public var pattern: String?
        public var minimum: Double?
        public var maximum: Double?
        public var minLength: Int?
        public var maxLength: Int?
        /// `uuid` or `date-time` (`JSONSchema.checkedFormats`), checked on strings.
        public var format: String?

        public init(
            types: [JSONType]? = nil, required: [String]? = nil, properties: [(name: String, schema: JSONSchema)]? = nil,
            additionalProperties: Additional? = nil, items: JSONSchema? = nil, enumValues: [JSON]? = nil, pattern: String? = nil,
            minimum: Double? = nil, maximum: Double? = nil, minLength: Int? = nil, maxLength: Int? = nil, format: String? = nil
        ) {
            self.types = types
            self.required = required
            self.properties = properties
            self.additionalProperties = additionalProperties
            self.items = items
            self.enumValues = enumValues
            self.pattern = pattern
            self.minimum = minimum
            self.maximum = maximum
            self.minLength = minLength
            self.maxLength = maxLength
            self.format = format
        }

        public static func == (lhs: Keywords, rhs: Keywords) -> Bool {
            let sameProperties: Bool
            switch (lhs.properties, rhs.properties) {
            case (nil, nil): sameProperties = true
            case let (a?, b?): sameProperties = a.elementsEqual(b) { $0.name == $1.name && $0.schema == $1.schema }
            default: sameProperties = false
            }
            return sameProperties && lhs.types == rhs.types && lhs.required == rhs.required
                && lhs.additionalProperties == rhs.additionalProperties && lhs.items == rhs.items
                && lhs.enumValues == rhs.enumValues && lhs.pattern == rhs.pattern && lhs.minimum == rhs.minimum
                && lhs.maximum == rhs.maximum && lhs.minLength == rhs.minLength && lhs.maxLength == rhs.maxLength
                && lhs.format == rhs.format
        }
    }

    public enum Additional: Sendable, Equatable {
        case allowed(Bool)
        case schema(JSONSchema)
    }

    /// The `format`s the checks assert (JSON Schema 2020-12's names); others are annotations.
    public static let checkedFormats = ["uuid", "date-time"]

    public var keywords: Keywords {
        switch self {
        case let .schema(keywords): return keywords
        }
    }
}
