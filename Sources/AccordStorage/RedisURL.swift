/// Where a Redis server is and how to log in: `redis://[[user]:password@]host[:port][/db]`.
///
/// ```swift
/// let url = try RedisURL(parsing: "redis://:s%40cret@cache.internal:6380/2")
/// url.password   // "s@cret"
/// url.redacted   // redis://:***@cache.internal:6380/2
/// ```
///
/// Only plain TCP is supported (hiredis 0.14 has no TLS); `rediss://`, `unix://`, query
/// parameters and fragments are rejected rather than silently ignored.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    /// A host name or an IP address (an IPv6 address without its brackets).
    public var host: String
    public var port: Int
    /// The logical database to `SELECT` (0 needs no SELECT).
    public var database: Int
    /// An ACL user (Redis 6+); nil logs in as `default` with `AUTH password` alone.
    public var username: String?
    /// nil means no `AUTH` at all.
    public var password: String?

    public static let defaultPort = 6379
    static let expectedForm = "redis://[[user]:password@]host[:port][/db]"

    public init(host: String, port: Int = RedisURL.defaultPort, database: Int = 0, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
    }

    /// Parses `text`; user and password may be percent-encoded (`%40` for `@`, `%3A` for `:`).
    public init(parsing text: String) throws(RedisURLError) {
        let (scheme, rest) = try Self.splitScheme(text)
        guard scheme == "redis" else {
            let why = scheme == "rediss" ? "TLS (rediss://) is not supported" : "the scheme is \(scheme)://"
            throw RedisURLError("\(why); only redis:// is supported")
        }
        if rest.contains("?") || rest.contains("#") {
            throw RedisURLError("query parameters and fragments are not supported; put the database number in the path")
        }
        let (authority, path) = rest.firstIndex(of: "/").map { (rest[..<$0], rest[$0...]) } ?? (rest[...], "")
        if path.contains("@") {
            throw RedisURLError("a / in the user or password must be percent-encoded as %2F")
        }
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            guard let colon = userInfo.firstIndex(of: ":") else {
                throw RedisURLError("the part before @ must be [user]:password")
            }
            let user = try Self.percentDecoded(userInfo[..<colon], what: "user")
            let password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...], what: "password")
            if password.isEmpty {
                throw RedisURLError("the password before @ is empty; leave out the user info to connect without AUTH")
            }
            self.username = user.isEmpty ? nil : user
            self.password = password
        } else {
            self.username = nil
            self.password = nil
        }
        (self.host, self.port) = try Self.parseHostPort(hostPort)
        self.database = try Self.parseDatabase(path)
    }

    /// The URL without its password, for logs and error messages.
    public var redacted: String {
        var text = "redis://"
        if password != nil { text += "\(username.map(Self.percentEncoded) ?? ""):***@" }
        text += host.contains(":") ? "[\(host)]" : host
        return text + ":\(port)/\(database)"
    }

    public var description: String { redacted }
}

/// A Redis URL that cannot be used. The message never repeats the password.
public struct RedisURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String {
        "invalid Redis URL: \(message) (expected \(RedisURL.expectedForm))"
    }
}

extension RedisURL {
    private static func splitScheme(_ text: String) throws(RedisURLError) -> (scheme: String, rest: Substring) {
        guard let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://") else {
            throw RedisURLError("it does not start with redis://")
        }
        return (text[..<colon].lowercased(), text[text.index(colon, offsetBy: 3)...])
    }

    private static func parseHostPort(_ text: Substring) throws(RedisURLError) -> (host: String, port: Int) {
        var host: Substring
        var portText: Substring?
        let bracketed = text.hasPrefix("[")
        if bracketed {
            // An IPv6 literal: its colons are not the port separator.
            guard let close = text.firstIndex(of: "]") else { throw RedisURLError("an IPv6 host lacks its closing ]") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw RedisURLError("unexpected text after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw RedisURLError("write an IPv6 host in brackets, as [::1]") }
            host = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
        }
        guard !host.isEmpty else { throw RedisURLError("the host is empty") }
        let allowed = host.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                return true
            case UInt8(ascii: ":"), UInt8(ascii: "%"):  // IPv6 separators and a zone index
                return bracketed
            default:
                return false
            }
        }
        guard allowed else { throw RedisURLError("the host \"\(host)\" contains characters a host name cannot have") }
        guard let portText else { return (String(host), defaultPort) }
        guard let port = decimal(portText), (1...65535).contains(port) else {
            throw RedisURLError("the port \"\(portText)\" is not a number from 1 to 65535")
        }
        return (String(host), port)
    }

    private static func parseDatabase(_ path: Substring) throws(RedisURLError) -> Int {
        let digits = path.dropFirst()  // the leading "/"
        if digits.isEmpty { return 0 }
        guard let database = decimal(digits), database <= Int(Int32.max) else {
            throw RedisURLError("the path \"\(path)\" is not a database number such as /0")
        }
        return database
    }

    /// Plain ASCII digits only (no sign, no spaces), without overflow.
    private static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 10, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        return Int(text)
    }

    private static func percentDecoded(_ text: Substring, what: String) throws(RedisURLError) -> String {
        guard let decoded = PercentDecoding.decode(text) else {
            throw RedisURLError("the \(what) has a % not followed by two hex digits, or is not UTF-8 once percent-decoded")
        }
        return decoded
    }

    /// Escapes what would change the meaning of a user name inside the URL.
    private static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
