import Hummingbird
import HummingbirdCore
import NIOCore

/// What one connection may send, and how slowly, before the server stops listening to it.
/// Broken or oversized heads are refused by the HTTP decoder (a bare 400, then the connection
/// closes); bodies are bounded by `CreateJobValidation.maxBodyBytes` (413). See
/// docs/reliability.md for the hostile-input corpus that holds the server to these.
public struct HTTPLimits: Sendable {
    /// A connection that completes no part of a request (its head, a piece of its body) for
    /// this long is closed. Bounds stalled and trickling heads (slowloris) and idle keep-alive.
    public var idleTimeout: Duration = .seconds(30)
    /// The whole body of a create-job request must arrive within this time: a body trickled
    /// byte by byte is answered 408 and the connection closed.
    public var bodyTimeout: Duration = .seconds(30)
    /// The longest header field (name and value).
    public var maxHeaderFieldSize = 16 * 1024
    /// All header fields together.
    public var maxHeaderListSize = 32 * 1024
    /// How many header fields a request may have.
    public var maxHeaderCount = 100

    public init() {}

    /// Hummingbird's HTTP/1.1 server with these limits.
    var serverBuilder: HTTPServerBuilder {
        .http1(
            configuration: .init(
                idleTimeout: TimeAmount(idleTimeout),
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: maxHeaderFieldSize, maxHeaderListSize: maxHeaderListSize, maxHeaderFieldCount: maxHeaderCount)
            ))
    }
}
