import Synchronization

/// Requests per minute allowed per client and route class (CONTRACT.md's defaults: create
/// 100, status 1000, stats 200).
public struct RateLimits: Sendable, Equatable {
    public enum RouteClass: String, Sendable, CaseIterable {
        case create, status, stats
    }

    public var perMinute: [RouteClass: Int]
    /// The window the limits are spread over: a full bucket refills in this many seconds
    /// (60: "per minute"). A longer window keeps the same burst with a slower refill.
    public var windowSeconds: Int = 60

    public static let contractDefaults = RateLimits(perMinute: [.create: 100, .status: 1000, .stats: 200])

    public init(perMinute: [RouteClass: Int], windowSeconds: Int = 60) {
        self.perMinute = perMinute
        self.windowSeconds = windowSeconds
    }

    /// `default`, or `create=100,status=1000,stats=200` (classes not named keep their
    /// default), optionally with `window=SECONDS` (default 60).
    public init?(parsing text: String) {
        var limits = RateLimits.contractDefaults
        for part in text.split(separator: ",") {
            if part == "default" || part == "on" { continue }
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == "window", let seconds = Int(pair[1]), (1...86_400).contains(seconds) {
                limits.windowSeconds = seconds
                continue
            }
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
    /// Takes a token from `bucket`, which holds at most `limit` and refills `limit` per
    /// `windowSeconds`.
    func take(bucket: String, limit: Int, windowSeconds: Int) async throws -> RateDecision
}

/// Buckets in this process (the memory store).
public final class MemoryRateLimitStore: RateLimitStore {
    private let buckets = Mutex<[String: (tokens: Double, at: ContinuousClock.Instant)]>([:])

    public init() {}

    public func take(bucket: String, limit: Int, windowSeconds: Int) async throws -> RateDecision {
        let now = ContinuousClock.now
        let perSecond = Double(limit) / Double(max(1, windowSeconds))
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
