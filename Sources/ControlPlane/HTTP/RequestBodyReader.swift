import Hummingbird
import NIOCore

/// Reads a request body within bounds: at most `limit` bytes (413 above, refused before
/// reading when Content-Length already says so) and all of it within `timeout` (408 after,
/// for bodies trickled byte by byte); a body whose framing breaks is 400. Past any of these
/// the connection stops being read — the rest of the body is not worth the server's time —
/// and closes once the answer is sent.
struct RequestBodyReader {
    let limit: Int
    let timeout: Duration

    private enum Outcome: Sendable {
        case body(ByteBuffer)
        case tooLarge
        case timedOut
        case failed(any Error)
    }

    func read<Context: ConnectionControl & Sendable>(_ request: Request, _ context: Context) async throws -> [UInt8] {
        if let declared = request.headers[.contentLength], let length = Int(declared), length > limit {
            context.stopReading()
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
                    return .failed(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .timedOut
            }
            let first = await group.next() ?? .timedOut
            // A body still arriving ends when its connection stops being read.
            if case .timedOut = first { context.stopReading() }
            group.cancelAll()
            return first
        }
        switch outcome {
        case let .body(buffer):
            return buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
        case .tooLarge:
            context.stopReading()
            throw tooLarge
        case .timedOut:
            throw APIError(.requestTimeout, detail: .string("Request body not received within \(timeout.components.seconds) s"))
        case .failed:
            // The body's framing broke (bad chunked encoding, an unknown transfer coding) or
            // the connection failed mid-body: the client's doing, never a 5xx.
            context.stopReading()
            throw APIError(.badRequest, detail: "Malformed request body: its framing (Content-Length or chunked encoding) is invalid")
        }
    }

    private var tooLarge: APIError {
        APIError(.contentTooLarge, detail: .string("Request body larger than \(limit) bytes"))
    }
}
