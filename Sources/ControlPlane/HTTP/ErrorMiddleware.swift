import AccordJSON
import HTTPTypes
import Hummingbird
import Logging

/// Gives every answer a request id (`X-Request-Id`, echoed when the client sent a sane one)
/// and a `Server-Timing` header (db, redis, app), and turns every error into a
/// `{"detail": …}` body. Only `APIError` and Hummingbird's own
/// HTTP errors reach the client as they are; anything else is logged with the request id and
/// answered `500 {"detail":"internal error","request_id":"…"}`, so no SQL, parameter or
/// stack trace ever leaves the server.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    var metrics: ServerMetrics?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestID = Self.requestID(from: request)
        let clock = ContinuousClock()
        let started = clock.now
        let scope = RequestScope()
        var response: Response
        do {
            response = try await RequestScope.$current.withValue(scope) { try await next(request, context) }
        } catch let error as APIError {
            response = .json(error.status, ["detail": error.detail], headers: error.headers)
        } catch let error as DependencyError {
            logger.error(
                "dependency failed", metadata: ["request_id": "\(requestID)", "path": "\(request.uri.path)", "error": "\(error)"])
            response = .json(
                .serviceUnavailable, ["detail": .string("\(error.dependency.rawValue) unavailable"), "request_id": .string(requestID)],
                headers: [.retryAfter: "1"])
        } catch let error as any HTTPResponseError {
            // Hummingbird's own answers: unknown route, body too large, bad request.
            let message = (error as? HTTPError)?.body ?? error.status.reasonPhrase
            response = .json(error.status, ["detail": .string(message)], headers: (error as? HTTPError)?.headers ?? [:])
        } catch {
            logger.error(
                "unhandled error", metadata: ["request_id": "\(requestID)", "path": "\(request.uri.path)", "error": "\(error)"])
            response = .json(.internalServerError, ["detail": "internal error", "request_id": .string(requestID)])
        }
        response.headers[.requestID] = requestID
        response.headers[.serverTiming] = scope.header(total: clock.now - started)
        response.headers.append(contentsOf: scope.extraHeaders)
        let elapsed = clock.now - started
        metrics?.record(
            route: ServerMetrics.route(method: request.method.rawValue, path: request.uri.path), status: response.status.code,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        return response
    }

    /// The client's `X-Request-Id` when it is 1–128 visible ASCII characters, else a new one.
    static func requestID(from request: Request) -> String {
        if let given = request.headers[.requestID], (1...128).contains(given.utf8.count),
            given.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        {
            return given
        }
        return JobID.random()
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
    static let serverTiming = Self("Server-Timing")!
}
