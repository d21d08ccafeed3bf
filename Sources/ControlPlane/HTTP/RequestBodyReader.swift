import HTTPTypes
import Hummingbird
import NIOCore

/// Reads a request body within bounds: at most `limit` bytes (413 above, refused before
/// reading when Content-Length already says so) and all of it within `timeout` (408 after,
/// for bodies trickled byte by byte); a body whose framing breaks is 400. Each of these
/// answers carries `Connection: close`, which `CloseAfterResponseHandler` keeps: the rest of
/// such a body is not worth the server's time, nor safe to parse as the next request.
struct RequestBodyReader {
    let limit: Int
    let timeout: Duration

    private enum Outcome: Sendable {
        case body(ByteBuffer)
        case tooLarge
        case timedOut
        case broken
    }

    func read(_ request: Request) async throws -> [UInt8] {
        if let declared = request.headers[.contentLength], let length = Int(declared), length > limit {
            throw tooLarge
        }
        let limit = self.limit
        let timeout = self.timeout
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do {
                    return .body(try await request.body.collect(upTo: limit))
                } catch is NIOTooManyBytesError {
                    return .tooLarge
                } catch {
                    // The body's framing broke (bad chunked encoding, an unknown transfer
                    // coding) or the connection failed mid-body: the client's doing.
                    return .broken
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .timedOut
            }
            // Cancelling a body read ends the body stream: the group does not wait for it.
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
        switch outcome {
        case let .body(buffer):
            return buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
        case .tooLarge:
            throw tooLarge
        case .timedOut:
            throw APIError(
                .requestTimeout, detail: .string("Request body not received within \(timeout.components.seconds) s"),
                headers: [.connection: "close"])
        case .broken:
            throw APIError(
                .badRequest, detail: "Malformed request body: its framing (Content-Length or chunked encoding) is invalid",
                headers: [.connection: "close"])
        }
    }

    private var tooLarge: APIError {
        APIError(.contentTooLarge, detail: .string("Request body larger than \(limit) bytes"), headers: [.connection: "close"])
    }
}
