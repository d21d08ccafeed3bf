import Hummingbird
import NIOCore

/// The request context of the reference server: Hummingbird's basics plus the client's
/// address (rate limiting falls back to it when a request carries no API key) and a way to
/// stop reading the connection (`ConnectionControl`).
struct ControlPlaneContext: RequestContext, RemoteAddressRequestContext, ConnectionControl {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }

    func stopReading() {
        channel.close(mode: .input, promise: nil)
    }
}

/// A context whose connection can stop being read: after a 413 or 408 the rest of an
/// oversized or trickled body is not worth reading. The answer is still written, and the
/// connection closes once it is.
protocol ConnectionControl {
    func stopReading()
}
