import Synchronization

/// Where one request's time went, for the `Server-Timing` header: time spent waiting on
/// PostgreSQL and on Redis, summed over every call the request made (calls that overlap, as
/// the two halves of queue stats do, both count).
public final class RequestTiming: Sendable {
    private let totals = Mutex<(database: Duration, redis: Duration)>((.zero, .zero))

    /// The timing of the request this task serves, if a middleware started one.
    @TaskLocal public static var current: RequestTiming?

    public init() {}

    func add(_ elapsed: Duration, to dependency: Dependency) {
        totals.withLock { totals in
            switch dependency {
            case .database: totals.database += elapsed
            case .redis: totals.redis += elapsed
            }
        }
    }

    public var database: Duration { totals.withLock { $0.database } }
    public var redis: Duration { totals.withLock { $0.redis } }

    /// `db;dur=0.412, redis;dur=0.087, app;dur=0.250` in milliseconds, where `app` is the
    /// rest of `total`: the three add up to the time the server spent on the request.
    public func header(total: Duration) -> String {
        let (database, redis) = totals.withLock { ($0.database, $0.redis) }
        let app = max(.zero, total - database - redis)
        return "db;dur=\(Self.milliseconds(database)), redis;dur=\(Self.milliseconds(redis)), app;dur=\(Self.milliseconds(app))"
    }

    static func milliseconds(_ duration: Duration) -> String {
        let microseconds = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        let whole = microseconds / 1000
        let fraction = String(microseconds % 1000)
        return "\(whole).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
