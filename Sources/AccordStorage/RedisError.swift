import CHiredis

/// A Redis connection failed: it could not be opened, the login was refused, or I/O or the
/// protocol broke. (An error *reply* is not one of these: see `RedisReply.error`.)
///
/// The description is the cause alone, e.g. `timed out after 5 s` or `cannot connect:
/// Connection refused`; callers add what they were doing and where.
public struct RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The TCP connection could not be made.
        case connect
        /// `AUTH` or `SELECT` was refused while opening the connection.
        case handshake
        /// A command took longer than the command timeout.
        case timeout
        /// The server closed the connection.
        case closed
        /// Reading or writing the socket failed.
        case io
        /// The server's bytes were not valid RESP, or the connection's replies were out of step.
        case `protocol`
        case outOfMemory
        /// The command itself was unusable (empty, too many arguments).
        case invalidCommand
    }

    public var kind: Kind
    public var detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String {
        switch kind {
        case .connect: return "cannot connect: \(detail)"
        case .handshake: return "login refused: \(detail)"
        case .timeout: return "timed out: \(detail)"
        case .closed: return "connection closed by the server: \(detail)"
        case .io: return "I/O error: \(detail)"
        case .protocol: return "protocol error: \(detail)"
        case .outOfMemory: return "out of memory in hiredis: \(detail)"
        case .invalidCommand: return "invalid command: \(detail)"
        }
    }

    /// The error hiredis recorded in `context` (its `err` and `errstr`).
    init(context: UnsafePointer<redisContext>, connecting: Bool = false, timeout: Duration) {
        var message = context.pointee.errstr
        let detail = withUnsafeBytes(of: &message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        switch context.pointee.err {
        case REDIS_ERR_IO where connecting:
            self.init(.connect, detail)
        case REDIS_ERR_IO where detail.contains("temporarily unavailable") || detail.contains("timed out"):
            // hiredis reports an expired SO_RCVTIMEO/SO_SNDTIMEO as EAGAIN.
            self.init(.timeout, "no answer within \(timeout)")
        case REDIS_ERR_IO: self.init(.io, detail)
        case REDIS_ERR_EOF: self.init(.closed, detail)
        case REDIS_ERR_PROTOCOL: self.init(.protocol, detail)
        case REDIS_ERR_OOM: self.init(.outOfMemory, detail)
        default: self.init(connecting ? .connect : .io, detail)
        }
    }
}
