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
    /// The longest header field (name and value) — and the longest request target, which
    /// NIO's decoder counts as a field: the largest request CONTRACT.md accepts (every text
    /// parameter at its maximum length in 4-byte UTF-8, percent-encoded) is about 31 KB.
    public var maxHeaderFieldSize = 32 * 1024
    /// The request target and all header fields together.
    public var maxHeaderListSize = 64 * 1024
    /// How many header fields a request may have.
    public var maxHeaderCount = 100
    /// After an answer that closes the connection (`Connection: close`), how long the client
    /// has to read it before the connection is closed outright.
    public var lingerAfterClose: Duration = .seconds(2)

    public init() {}

    /// Hummingbird's HTTP/1.1 server with these limits.
    var serverBuilder: HTTPServerBuilder {
        let linger = lingerAfterClose
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [CloseAfterResponseHandler(linger: TimeAmount(linger))],
                idleTimeout: TimeAmount(idleTimeout),
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: maxHeaderFieldSize, maxHeaderListSize: maxHeaderListSize, maxHeaderFieldCount: maxHeaderCount)
            ))
    }
}
