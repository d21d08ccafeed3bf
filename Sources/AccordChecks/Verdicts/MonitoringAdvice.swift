import AccordResults

/// What to alert on, from the metric families a server exposes and the targets it was held to,
/// by Prometheus naming conventions: a latency histogram against the strictest p99 target, a
/// counter of answers by status against the error-rate target, a backlog or queue gauge that
/// must drain. Pure; names only what the server exposes.
public enum MonitoringAdvice {
    public struct Alert: Sendable, Equatable {
        public var metric: String
        /// A PromQL expression that is true while something is wrong.
        public var expression: String
        public var why: String
    }

    public static func alerts(_ monitoring: Monitoring, strictestP99Milliseconds: Double?, errorRate: Double?) -> [Alert] {
        monitoring.families.compactMap { family in
            let name = family.name
            let lower = name.lowercased()
            switch family.type {
            case "histogram" where lower.contains("duration") || lower.contains("latency") || lower.hasSuffix("_seconds"):
                let bound = (strictestP99Milliseconds ?? 100) / 1000
                let by = family.labels.contains("route") ? "le, route" : "le"
                return Alert(
                    metric: name, expression: "histogram_quantile(0.99, sum by (\(by)) (rate(\(name)_bucket[5m]))) > \(TargetEvaluation.trimmed(bound, 3))",
                    why: "p99 above \(TargetEvaluation.show(bound * 1000, .p99)) for 5 minutes: the strictest p99 target is being missed")
            case "counter" where family.labels.contains("status"):
                let share = errorRate ?? 0.01
                return Alert(
                    metric: name, expression: "sum(rate(\(name){status=~\"5..\"}[5m])) / sum(rate(\(name)[5m])) > \(TargetEvaluation.trimmed(share, 4))",
                    why: "more than \(TargetEvaluation.show(share, .errorRate)) of answers are 5xx: the error-rate target is being missed")
            case "gauge" where lower.hasSuffix("_up"):
                return Alert(metric: name, expression: "min_over_time(\(name)[1m]) == 0", why: "a dependency has been down for a minute")
            case "gauge" where ["backlog", "queue", "pending", "lag", "waiters"].contains(where: lower.contains):
                return Alert(metric: name, expression: "min_over_time(\(name)[10m]) > 0", why: "never empty for 10 minutes: work is not draining")
            case "counter" where lower.contains("relay") || lower.contains("retry") || lower.contains("fallback"):
                return Alert(metric: name, expression: "rate(\(name)[5m]) > 0", why: "a recovery path is in use: a dependency failed at request time")
            default:
                return nil
            }
        }
    }
}
