import Synchronization

/// What `GET /metrics` exposes, in Prometheus's text format: requests and latency per route,
/// batch sizes of group commit (and of batched reads), jobs enqueued by the relay, connection
/// pools, and the dependencies' health.
///
/// ```
/// accord_http_requests_total{route="create_job",status="201"} 1204
/// accord_http_request_duration_seconds_bucket{route="create_job",le="0.005"} 1180
/// accord_batch_size_bucket{batch="create",le="16"} 310
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

    /// Upper bounds of the batch-size buckets (requests per batch).
    static let batchBounds: [Int] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

    private struct BatchSizes {
        var buckets = [Int](repeating: 0, count: ServerMetrics.batchBounds.count)
        var count = 0
        var sum = 0
    }

    typealias Gauge = (name: String, labels: String, value: Double)

    private let routes = Mutex<[String: Route]>([:])
    private let relayed = Mutex(0)
    private let relayBacklog = Mutex(0)
    private let batches = Mutex<[String: BatchSizes]>([:])
    private let gaugeSources = Mutex<[@Sendable () -> [Gauge]]>([])

    public init() {}

    /// The route a path belongs to, with ids folded away (bounded label values).
    static func route(method: String, path: String) -> String {
        switch (method, path) {
        case (_, "/health"): return "health"
        case (_, "/"): return "root"
        case (_, "/metrics"): return "metrics"
        case (_, "/openapi.json"): return "openapi"
        case ("POST", "/api/v1/jobs"): return "create_job"
        case (_, "/api/v1/queue/stats"): return "queue_stats"
        case ("POST", _) where path.hasPrefix("/api/v1/jobs/") && path.hasSuffix("/cancel"): return "cancel_job"
        case (_, _) where path.hasPrefix("/api/v1/jobs/"): return "job_status"
        default: return "other"
        }
    }

    func record(route: String, status: Int, seconds: Double) {
        // Mutated in place (no copy of the entry's arrays): this runs on every request.
        routes.withLock { routes in
            Self.add(status: status, seconds: seconds, to: &routes[route, default: Route()])
        }
    }

    private static func add(status: Int, seconds: Double, to entry: inout Route) {
        entry.statuses[status, default: 0] += 1
        entry.count += 1
        entry.sum += seconds
        for index in bounds.indices where seconds <= bounds[index] { entry.buckets[index] += 1 }
    }

    func recordRelayed(_ count: Int) {
        relayed.withLock { $0 += count }
    }

    /// Jobs committed but not yet in their stream, as the relay last counted them.
    func recordRelayBacklog(_ count: Int) {
        relayBacklog.withLock { $0 = count }
    }

    /// One batch of `size` requests was flushed by the batcher `name` (create, read, stats).
    func recordBatch(_ name: String, size: Int) {
        batches.withLock { batches in
            var entry = batches[name] ?? BatchSizes()
            entry.count += 1
            entry.sum += size
            for (index, bound) in Self.batchBounds.enumerated() where size <= bound { entry.buckets[index] += 1 }
            batches[name] = entry
        }
    }

    /// Adds gauges sampled at every scrape (batchers' queues, the Redis pool, the relay).
    func addGauges(_ source: @escaping @Sendable () -> [Gauge]) {
        gaugeSources.withLock { $0.append(source) }
    }

    /// What each sampled gauge means, for the exposition's `# HELP` lines.
    static let gaugeHelp = [
        "accord_dependency_up": "1 while the dependency (database, redis) answers the health monitor, else 0.",
        "accord_workers": "Workers registered, as the health document counts them.",
        "accord_pool_connections": "Connections of each pool, by state.",
        "accord_pool_waiters": "Requests waiting for a connection of each pool.",
        "accord_batch_waiting": "Requests waiting to join a batch.",
        "accord_batches_in_flight": "Batches being executed.",
    ]

    /// The exposition text; `gauges` are sampled by the caller at scrape time.
    func render(gauges given: [(name: String, labels: String, value: Double)]) -> String {
        // One family's lines must stay together: group by name, in order of first appearance.
        let all = given + gaugeSources.withLock { $0 }.flatMap { $0() }
        var order: [String] = []
        for gauge in all where !order.contains(gauge.name) { order.append(gauge.name) }
        let gauges = order.flatMap { name in all.filter { $0.name == name } }
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
        text += "# HELP accord_relay_backlog Jobs committed but not yet in their stream, as the relay last counted them (at most 100000).\n"
        text += "# TYPE accord_relay_backlog gauge\naccord_relay_backlog \(relayBacklog.withLock { $0 })\n"
        text += "# HELP accord_batch_size Requests per batch: creates sharing one commit, reads one query, stats one fetch.\n"
        text += "# TYPE accord_batch_size histogram\n"
        for (name, entry) in batches.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            for (index, bound) in Self.batchBounds.enumerated() {
                text += "accord_batch_size_bucket{batch=\"\(name)\",le=\"\(bound)\"} \(entry.buckets[index])\n"
            }
            text += "accord_batch_size_bucket{batch=\"\(name)\",le=\"+Inf\"} \(entry.count)\n"
            text += "accord_batch_size_sum{batch=\"\(name)\"} \(entry.sum)\n"
            text += "accord_batch_size_count{batch=\"\(name)\"} \(entry.count)\n"
        }
        var declared = Set<String>()
        for gauge in gauges {
            if declared.insert(gauge.name).inserted {
                if let help = Self.gaugeHelp[gauge.name] { text += "# HELP \(gauge.name) \(help)\n" }
                text += "# TYPE \(gauge.name) gauge\n"
            }
            text += "\(gauge.name)\(gauge.labels.isEmpty ? "" : "{\(gauge.labels)}") \(gauge.value)\n"
        }
        return text
    }
}
