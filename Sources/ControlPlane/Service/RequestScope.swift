import HTTPTypes
import Synchronization

/// What one request gathers on its way, for its answer: where its time went (the
/// `Server-Timing` header: time spent waiting on PostgreSQL and on Redis, summed over every
/// call the request made — calls that overlap, as the two halves of queue stats do, both
/// count) and headers that must be on the answer whatever it is (the rate-limit headers, on
/// errors too).
public final class RequestScope: Sendable {
    private let totals = Mutex<(database: Duration, redis: Duration)>((.zero, .zero))
    private let headers = Mutex(HTTPFields())

    /// The scope of the request this task serves, if a middleware opened one.
    @TaskLocal public static var current: RequestScope?

    public init() {}

    func addHeaders(_ fields: HTTPFields) {
        headers.withLock { $0.append(contentsOf: fields) }
    }

    var extraHeaders: HTTPFields { headers.withLock { $0 } }

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
