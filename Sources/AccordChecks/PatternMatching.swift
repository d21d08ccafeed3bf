import AccordSpec

extension Pattern {
    /// Whether `text` matches: a regex is searched anywhere in the text (anchor it with ^…$);
    /// a named format must match the whole text. An invalid regex is a thrown reason, never a
    /// crash.
    func matches(_ text: String) throws(InvalidRegex) -> Bool {
        switch self {
        case let .regex(pattern):
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex(pattern)
            } catch {
                throw InvalidRegex(reason: Self.validateRegex(pattern) ?? "\(error)")
            }
            return text.contains(regex)
        case .uuid: return NamedFormat.isUUID(text)
        case .iso8601: return NamedFormat.isRFC3339DateTime(text)
        case .url: return NamedFormat.isHTTPURL(text)
        }
    }
}

struct InvalidRegex: Error {
    var reason: String
}

/// Why `text` does not match `pattern`, or nil when it does.
func patternFailure(_ pattern: Pattern, _ text: String) -> String? {
    do {
        guard try !pattern.matches(text) else { return nil }
    } catch {
        return error.reason
    }
    switch pattern {
    case .regex: return "the string does not match"
    case .uuid: return "the string is not a UUID (8-4-4-4-12 hex digits)"
    case .iso8601: return "the string is not an RFC 3339 date-time with a zone (2026-11-30T09:12:01Z)"
    case .url: return "the string is not an absolute http(s) URL with a host"
    }
}
