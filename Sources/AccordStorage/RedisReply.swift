import CHiredis

/// One RESP2 reply, copied out of hiredis's `redisReply` (which is freed at once).
///
/// An error reply (`-WRONGTYPE …`) is a value like any other: whether it is a failure is for
/// the caller to decide (`BUSYGROUP` on `XGROUP CREATE` is not one).
public enum RedisReply: Sendable, Equatable {
    /// A simple string: `+OK`, `+PONG`.
    case status(String)
    /// The whole error line, code first: `NOGROUP No such key …`.
    case error(String)
    case integer(Int64)
    /// A bulk string (decoded as UTF-8; invalid bytes become U+FFFD).
    case string(String)
    case array([RedisReply])
    /// A nil bulk string or nil array.
    case null

    /// The error's code, the first word of an error reply (`ERR`, `WRONGTYPE`, `NOGROUP`,
    /// `BUSYGROUP`); nil for any other reply.
    public var errorCode: Substring? {
        guard case let .error(message) = self else { return nil }
        return message.split(separator: " ", maxSplits: 1).first ?? ""
    }

    /// The error line of an error reply, else nil.
    public var errorMessage: String? {
        guard case let .error(message) = self else { return nil }
        return message
    }

    /// The value of an integer reply, else nil.
    public var integerValue: Int64? {
        guard case let .integer(value) = self else { return nil }
        return value
    }

    /// The text of a bulk string or a status reply, else nil.
    public var stringValue: String? {
        switch self {
        case let .string(text), let .status(text): return text
        default: return nil
        }
    }

    /// The elements of an array reply, else nil.
    public var arrayValue: [RedisReply]? {
        guard case let .array(elements) = self else { return nil }
        return elements
    }
}

extension RedisReply: CustomStringConvertible {
    /// Close to redis-cli's rendering, for error messages.
    public var description: String {
        switch self {
        case let .status(text): return text
        case let .error(message): return "(error) \(message)"
        case let .integer(value): return "(integer) \(value)"
        case let .string(text): return "\"\(text)\""
        case let .array(elements): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .null: return "(nil)"
        }
    }
}

extension RedisReply {
    /// A deep copy of `reply`; does not free it.
    init(copying reply: UnsafePointer<redisReply>) throws(RedisError) {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STATUS: self = .status(Self.text(of: value))
        case REDIS_REPLY_ERROR: self = .error(Self.text(of: value))
        case REDIS_REPLY_STRING: self = .string(Self.text(of: value))
        case REDIS_REPLY_INTEGER: self = .integer(Int64(value.integer))
        case REDIS_REPLY_NIL: self = .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(value.elements)
            for index in 0..<value.elements {
                guard let element = accord_redis_reply_element(reply, index) else {
                    elements.append(.null)
                    continue
                }
                elements.append(try RedisReply(copying: element))
            }
            self = .array(elements)
        default:
            throw RedisError(.protocol, "hiredis returned a reply of unknown type \(value.type)")
        }
    }

    private static func text(of reply: redisReply) -> String {
        String(decoding: UnsafeRawBufferPointer(start: UnsafeRawPointer(reply.str), count: reply.len), as: UTF8.self)
    }
}
