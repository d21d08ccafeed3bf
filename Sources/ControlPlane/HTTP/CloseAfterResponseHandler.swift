import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Keeps the promise of a `Connection: close` answer (413, 408, a 400 for a broken body):
/// once that response is written the server stops sending (a FIN, so the client reads the
/// whole answer) and, `linger` later, closes the connection — whatever the client is still
/// sending, it cannot keep the connection or have the rest of its body parsed as requests.
final class CloseAfterResponseHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let linger: TimeAmount
    private var closing = false

    init(linger: TimeAmount) {
        self.linger = linger
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case let .head(head):
            closing = head.headerFields[.connection]?.lowercased() == "close"
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closing else {
                context.write(data, promise: promise)
                return
            }
            context.writeAndFlush(data, promise: promise)
            context.close(mode: .output, promise: nil)
            let channel = context.channel
            context.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
        }
    }
}
