import AccordStorage

/// Token buckets in Redis, shared by every server instance: one hash per bucket, updated by
/// one atomic script that reads Redis's own clock (no skew between instances).
public final class RedisRateLimitStore: RateLimitStore {
    private let queue: StreamQueue

    public init(queue: StreamQueue) {
        self.queue = queue
    }

    /// KEYS[1] bucket; ARGV[1] capacity, ARGV[2] tokens per millisecond. Answers
    /// {allowed 0|1, remaining tokens, milliseconds until the next token}.
    static let script = """
        local capacity = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1]) or capacity
        local at = tonumber(state[2]) or now
        tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
        local allowed = 0
        local wait = 0
        if tokens >= 1 then
            tokens = tokens - 1
            allowed = 1
        else
            wait = math.ceil((1 - tokens) / rate)
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
        redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
        return {allowed, math.floor(tokens), wait}
        """

    public func take(bucket: String, limit: Int, windowSeconds: Int) async throws -> RateDecision {
        let perMillisecond = Double(limit) / (Double(max(1, windowSeconds)) * 1000)
        let reply = try await queue.withConnection("to take a rate-limit token") { connection in
            try connection.command(["EVAL", Self.script, "1", "ratelimit:\(bucket)", String(limit), String(perMillisecond)])
        }
        guard let parts = reply.arrayValue, parts.count == 3, let allowed = parts[0].integerValue, let remaining = parts[1].integerValue,
            let wait = parts[2].integerValue
        else {
            throw DependencyError(.redis, "rate-limit script answered \(reply)")
        }
        return RateDecision(
            allowed: allowed == 1, limit: limit, remaining: Int(remaining), retryAfterSeconds: max(1, Int((wait + 999) / 1000)))
    }
}
