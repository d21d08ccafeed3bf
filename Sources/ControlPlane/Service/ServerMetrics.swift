import Synchronization

/// What `GET /metrics` exposes, in Prometheus's text format: requests and latency per route,
/// jobs enqueued by the relay, connection pools, and the dependencies' health.
///
/// ```
/// accord_http_requests_total{route="create_job",status="201"} 1204
/// accord_http_request_duration_seconds_bucket{route="create_job",le="0.005"} 1180
/// accord_pool_connections{pool="database",state="open"} 8
/// ```
public final class ServerMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let bounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private struct Route {
        var statuses: [Int: Int] = [:]
        var buckets = [Int](repeating: 0, count: ServerMetrics.bounds.count)
        var count = 0
        var sum = 0.0
    }

    private let routes = Mutex<[String: Route]>([:])
    private let relayed = Mutex(0)

    public init() {}

    /// The route a path belongs to, with ids folded away (bounded label values).
    static func route(method: String, path: String) -> String {
        switch (method, path) {
        case (_, "/health"): return "health"
        case (_, "/"): return "root"
        case (_, "/metrics"): return "metrics"
        case ("POST", "/api/v1/jobs"): return "create_job"
        case (_, "/api/v1/queue/stats"): return "queue_stats"
        case ("POST", _) where path.hasPrefix("/api/v1/jobs/") && path.hasSuffix("/cancel"): return "cancel_job"
        case (_, _) where path.hasPrefix("/api/v1/jobs/"): return "job_status"
        default: return "other"
        }
    }

    func record(route: String, status: Int, seconds: Double) {
        routes.withLock { routes in
            var entry = routes[route] ?? Route()
            entry.statuses[status, default: 0] += 1
            entry.count += 1
            entry.sum += seconds
            for (index, bound) in Self.bounds.enumerated() where seconds <= bound { entry.buckets[index] += 1 }
            routes[route] = entry
        }
    }

    func recordRelayed(_ count: Int) {
        relayed.withLock { $0 += count }
    }

    /// The exposition text; `gauges` are sampled by the caller at scrape time.
    func render(gauges: [(name: String, labels: String, value: Double)]) -> String {
        var text = "# HELP accord_http_requests_total Answers by route and status.\n# TYPE accord_http_requests_total counter\n"
        let snapshot = routes.withLock { $0 }
        for (route, entry) in snapshot.sorted(by: { $0.key < $1.key }) {
            for (status, count) in entry.statuses.sorted(by: { $0.key < $1.key }) {
                text += "accord_http_requests_total{route=\"\(route)\",status=\"\(status)\"} \(count)\n"
            }
        }
        text += "# HELP accord_http_request_duration_seconds Time from request to answer, by route.\n"
        text += "# TYPE accord_http_request_duration_seconds histogram\n"
        for (route, entry) in snapshot.sorted(by: { $0.key < $1.key }) {
            for (index, bound) in Self.bounds.enumerated() {
                text += "accord_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"\(bound)\"} \(entry.buckets[index])\n"
            }
            text += "accord_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"+Inf\"} \(entry.count)\n"
            text += "accord_http_request_duration_seconds_sum{route=\"\(route)\"} \(entry.sum)\n"
            text += "accord_http_request_duration_seconds_count{route=\"\(route)\"} \(entry.count)\n"
        }
        text += "# HELP accord_relay_enqueued_total Jobs the relay enqueued after Redis was unavailable at create time.\n"
        text += "# TYPE accord_relay_enqueued_total counter\naccord_relay_enqueued_total \(relayed.withLock { $0 })\n"
        var declared = Set<String>()
        for gauge in gauges {
            if declared.insert(gauge.name).inserted { text += "# TYPE \(gauge.name) gauge\n" }
            text += "\(gauge.name)\(gauge.labels.isEmpty ? "" : "{\(gauge.labels)}") \(gauge.value)\n"
        }
        return text
    }
}
