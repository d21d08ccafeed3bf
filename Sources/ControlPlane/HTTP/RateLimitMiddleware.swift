import HTTPTypes
import Hummingbird
import Logging

/// CONTRACT.md's optional rate limiting: one token bucket per client (its API key, else its
/// address) and route class. Every limited answer — errors included — carries
/// `X-RateLimit-Limit` and `X-RateLimit-Remaining`; over the limit, `429` with `Retry-After`.
/// When the bucket store (Redis) fails, requests pass (availability over strictness) and the
/// failure is logged.
struct RateLimitMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let limits: RateLimits
    let store: any RateLimitStore
    let logger: Logger

    /// The class of a request, or nil for routes that are not limited (`/health`, `/`).
    static func routeClass(of request: Request) -> RateLimits.RouteClass? {
        let path = request.uri.path
        if path == "/api/v1/jobs" { return request.method == .post ? .create : nil }
        if path == "/api/v1/queue/stats" { return .stats }
        if path.hasPrefix("/api/v1/jobs/") { return .status }
        return nil
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let routeClass = Self.routeClass(of: request), let limit = limits.perMinute[routeClass] else {
            return try await next(request, context)
        }
        let client = request.headers[.apiKey].map { "key:\(Self.fingerprint($0))" }
            ?? "ip:\(context.remoteAddress?.ipAddress ?? "unknown")"
        let decision: RateDecision
        do {
            decision = try await store.take(bucket: "\(routeClass.rawValue):\(client)", limit: limit, windowSeconds: limits.windowSeconds)
        } catch {
            logger.warning("rate limiting unavailable; request allowed", metadata: ["error": "\(error)"])
            return try await next(request, context)
        }
        RequestScope.current?.addHeaders([
            .rateLimitLimit: String(decision.limit), .rateLimitRemaining: String(decision.remaining),
        ])
        guard decision.allowed else {
            throw APIError(
                .tooManyRequests,
                detail: .string("Rate limit exceeded: \(limit) \(routeClass.rawValue) requests per \(limits.windowSeconds) s; retry in \(decision.retryAfterSeconds) s"),
                headers: [.retryAfter: String(decision.retryAfterSeconds)])
        }
        return try await next(request, context)
    }

    /// FNV-1a of the API key: buckets are named without storing keys in Redis.
    static func fingerprint(_ key: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

extension HTTPField.Name {
    static let rateLimitLimit = Self("X-RateLimit-Limit")!
    static let rateLimitRemaining = Self("X-RateLimit-Remaining")!
}
