import HTTPTypes
import Hummingbird

/// CONTRACT.md's optional API keys: with keys configured, every route but `/health`, `/` and
/// `/openapi.json` (open, as the original's FastAPI serves its document) needs an `X-API-Key` equal to one of them, compared in constant time (the time taken does
/// not depend on how much of a key matched, nor on which key matched). Otherwise:
/// `401 {"detail": …}` with `WWW-Authenticate: ApiKey`, before the route says anything — not
/// even whether a job exists. The key is never echoed.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: [[UInt8]]

    static var openPaths: Set<String> { ["/health", "/", "/openapi.json"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if keys.isEmpty || Self.openPaths.contains(request.uri.path) {
            return try await next(request, context)
        }
        guard let given = request.headers[.apiKey], !given.isEmpty else {
            throw APIError(.unauthorized, detail: "Missing API key: send it in the X-API-Key header", headers: [.wwwAuthenticate: "ApiKey"])
        }
        guard Self.matches(Array(given.utf8), anyOf: keys) else {
            throw APIError(.unauthorized, detail: "Invalid API key", headers: [.wwwAuthenticate: "ApiKey"])
        }
        return try await next(request, context)
    }

    /// True when `given` equals one of `keys`. Every key is compared in full, byte by byte
    /// over the longer of the two lengths, with no early exit.
    static func matches(_ given: [UInt8], anyOf keys: [[UInt8]]) -> Bool {
        var found: UInt8 = 0
        for key in keys {
            var difference = UInt8(truncatingIfNeeded: given.count ^ key.count) | (given.count == key.count ? 0 : 1)
            let length = max(given.count, key.count)
            for index in 0..<length {
                let a = given.isEmpty ? 0 : given[index % given.count]
                let b = key.isEmpty ? 0 : key[index % key.count]
                difference |= a ^ b
            }
            found |= difference == 0 ? 1 : 0
        }
        return found == 1
    }
}

extension HTTPField.Name {
    static let apiKey = Self("X-API-Key")!
}
