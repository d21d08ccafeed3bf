import Hummingbird
import NIOCore

/// The request context of the reference server: Hummingbird's basics plus the client's
/// address (rate limiting falls back to it when a request carries no API key).
struct ControlPlaneContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
