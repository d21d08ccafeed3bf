/// A failure reported by libpq or by the server: what went wrong, the SQLSTATE when the server
/// sent one, and whether the connection is still usable.
///
/// `message` may quote SQL or parameter values (the server's messages do): it belongs in the
/// log, never in a response body.
public struct PGError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The five-character SQLSTATE (`23505` unique violation, `40P01` deadlock, …); nil when the
    /// failure happened on the client side or the connection was lost.
    public var sqlstate: String?
    /// libpq's or the server's primary message, without the trailing newline.
    public var message: String
    /// True when the connection cannot be used any more; the pool then replaces it.
    public var connectionBroken: Bool

    public init(sqlstate: String? = nil, message: String, connectionBroken: Bool) {
        self.sqlstate = sqlstate
        self.message = message
        self.connectionBroken = connectionBroken
    }

    public var description: String {
        var text = message.isEmpty ? "unknown libpq error" : message
        if let sqlstate { text += " (SQLSTATE \(sqlstate))" }
        if connectionBroken { text += " [connection lost]" }
        return text
    }

    /// SQLSTATE 23505: a unique constraint refused the row.
    public var isUniqueViolation: Bool { sqlstate == "23505" }
}

extension String {
    /// libpq's messages end with a newline (sometimes several lines): keep them on one line.
    func trimmingLibPQMessage() -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        return scalars.split(whereSeparator: \.isNewline).joined(separator: " | ")
    }
}
