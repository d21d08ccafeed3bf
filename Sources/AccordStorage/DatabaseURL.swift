/// Database URLs as they may appear in logs and error messages: without their password.
public enum DatabaseURL {
    /// `url` with every password (`password`, `sslpassword`) replaced by `***`, in the forms
    /// libpq accepts: `postgres://user:secret@host/db` → `postgres://user:***@host/db`,
    /// `…?password=secret` → `…?password=***`, `host=h password='s e'` → `host=h password=***`.
    public static func redacted(_ url: String) -> String {
        for scheme in ["postgresql://", "postgres://"] where url.hasPrefix(scheme) {
            return scheme + redactURI(url.dropFirst(scheme.count))
        }
        return redactKeywordValue(url)
    }

    private static func isPasswordKey(_ key: some StringProtocol) -> Bool {
        key.lowercased().hasSuffix("password")
    }

    /// `[user[:password]@]host[:port][/db][?key=value&…]`, the part after the scheme.
    private static func redactURI(_ rest: Substring) -> String {
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var output = String(authority)
        // The user info ends at the last '@' of the authority (a password may contain '@').
        if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
            output = authority[..<colon] + ":***" + authority[at...]
        }
        let tail = rest[authorityEnd...]
        guard let questionMark = tail.firstIndex(of: "?") else { return output + tail }
        let parameters = tail[tail.index(after: questionMark)...]
            .split(separator: "&", omittingEmptySubsequences: false)
            .map { parameter -> String in
                let key = parameter.prefix(while: { $0 != "=" })
                return isPasswordKey(key) && key.count < parameter.count ? key + "=***" : String(parameter)
            }
        return output + tail[...questionMark] + parameters.joined(separator: "&")
    }

    /// `key = value …` connection strings; values may be single-quoted with `\` escapes.
    private static func redactKeywordValue(_ conninfo: String) -> String {
        var output = ""
        var cursor = conninfo.startIndex
        func skipSpaces() {
            while cursor < conninfo.endIndex, conninfo[cursor].isWhitespace {
                output.append(conninfo[cursor])
                cursor = conninfo.index(after: cursor)
            }
        }
        while cursor < conninfo.endIndex {
            skipSpaces()
            let keyStart = cursor
            while cursor < conninfo.endIndex, conninfo[cursor] != "=", !conninfo[cursor].isWhitespace {
                cursor = conninfo.index(after: cursor)
            }
            let key = conninfo[keyStart..<cursor]
            output += key
            skipSpaces()
            guard cursor < conninfo.endIndex, conninfo[cursor] == "=" else { continue }
            output.append("=")
            cursor = conninfo.index(after: cursor)
            skipSpaces()
            let valueEnd = endOfValue(in: conninfo, from: cursor)
            output += isPasswordKey(key) ? "***" : conninfo[cursor..<valueEnd]
            cursor = valueEnd
        }
        return output
    }

    private static func endOfValue(in text: String, from start: String.Index) -> String.Index {
        var cursor = start
        guard cursor < text.endIndex, text[cursor] == "'" else {
            while cursor < text.endIndex, !text[cursor].isWhitespace { cursor = text.index(after: cursor) }
            return cursor
        }
        cursor = text.index(after: cursor)
        while cursor < text.endIndex {
            switch text[cursor] {
            case "\\":
                cursor = text.index(after: cursor)
                if cursor < text.endIndex { cursor = text.index(after: cursor) }
            case "'":
                return text.index(after: cursor)
            default:
                cursor = text.index(after: cursor)
            }
        }
        return cursor
    }
}
