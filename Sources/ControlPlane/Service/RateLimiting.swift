import Synchronization

/// Requests per minute allowed per client and route class (CONTRACT.md's defaults: create
/// 100, status 1000, stats 200).
public struct RateLimits: Sendable, Equatable {
    public enum RouteClass: String, Sendable, CaseIterable {
        case create, status, stats
    }

    public var perMinute: [RouteClass: Int]

    public static let contractDefaults = RateLimits(perMinute: [.create: 100, .status: 1000, .stats: 200])

    public init(perMinute: [RouteClass: Int]) {
        self.perMinute = perMinute
    }

    /// `default`, or `create=100,status=1000,stats=200` (classes not named keep their default).
    public init?(parsing text: String) {
        var limits = RateLimits.contractDefaults
        if text == "default" || text == "on" {
            self = limits
            return
        }
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let routeClass = RouteClass(rawValue: String(pair[0])), let value = Int(pair[1]),
                (1...1_000_000).contains(value)
            else { return nil }
            limits.perMinute[routeClass] = value
        }
        self = limits
    }
}

/// The answer of a token bucket to one request.
public struct RateDecision: Sendable, Equatable {
    public var allowed: Bool
    public var limit: Int
    public var remaining: Int
    /// When refused: seconds until a token is back (at least 1).
    public var retryAfterSeconds: Int
}

/// Token buckets, one per (client, route class): full at `limit`, refilled at `limit` per
/// minute, one token per request.
public protocol RateLimitStore: Sendable {
    func take(bucket: String, limit: Int) async throws -> RateDecision
}

/// Buckets in this process (the memory store).
public final class MemoryRateLimitStore: RateLimitStore {
    private let buckets = Mutex<[String: (tokens: Double, at: ContinuousClock.Instant)]>([:])

    public init() {}

    public func take(bucket: String, limit: Int) async throws -> RateDecision {
        let now = ContinuousClock.now
        let perSecond = Double(limit) / 60
        return buckets.withLock { buckets in
            var state = buckets[bucket] ?? (tokens: Double(limit), at: now)
            let elapsed = now - state.at
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            state.tokens = min(Double(limit), state.tokens + seconds * perSecond)
            state.at = now
            var decision = RateDecision(allowed: false, limit: limit, remaining: 0, retryAfterSeconds: 0)
            if state.tokens >= 1 {
                state.tokens -= 1
                decision.allowed = true
            } else {
                decision.retryAfterSeconds = max(1, Int(((1 - state.tokens) / perSecond).rounded(.up)))
            }
            decision.remaining = Int(state.tokens.rounded(.down))
            buckets[bucket] = state
            return decision
        }
    }
}
