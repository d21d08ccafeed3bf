extension SpecDecoder {
    /// `claims: {create_job: {p50: ~25ms, sustained: 500}, mixed: {peak: 2500}}`: an endpoint's
    /// single-request latencies and capacity, a scenario's mix capacity. `~` is allowed (the
    /// vendor writes its figures so) and means nothing more.
    mutating func decodeClaims(_ node: YAMLNode, endpoints: [String], scenarios: [String]) -> [Claim] {
        pairs(node, "claims").compactMap { pair in
            let isEndpoint = endpoints.contains(pair.key)
            if !isEndpoint, !scenarios.contains(pair.key) {
                let suggestion = Suggestion.closest(to: pair.key, among: endpoints + scenarios).map { " (did you mean '\($0)'?)" } ?? ""
                error("claims name '\(pair.key)', which is neither an endpoint nor a scenario of this file\(suggestion)", at: pair.keyNode.location)
                return nil
            }
            let allowed = (isEndpoint ? Claim.Metric.allCases : [.sustained, .peak]).map(\.rawValue)
            guard let members = mapping(pair.value, "claims of '\(pair.key)'", allowed: allowed) else { return nil }
            var figures: [(metric: Claim.Metric, value: Double, location: SourceLocation)] = []
            for metric in Claim.Metric.allCases {
                guard let valueNode = members[metric.rawValue], let raw = scalarText(valueNode, metric.rawValue) else { continue }
                let text = raw.hasPrefix("~") ? String(raw.dropFirst()).drop { $0 == " " }.description : raw
                if metric.isLatency {
                    guard let milliseconds = Durations.milliseconds(text), milliseconds > 0 else {
                        error("\(metric.rawValue) must be a duration such as 25ms or ~25ms", at: valueNode.location)
                        continue
                    }
                    figures.append((metric, Double(milliseconds), valueNode.location))
                } else {
                    guard let rate = Double(text.replacingUnderscores), rate.isFinite, rate > 0 else {
                        error("\(metric.rawValue) must be a rate in requests per second such as 500 or ~500", at: valueNode.location)
                        continue
                    }
                    figures.append((metric, rate, valueNode.location))
                }
            }
            return Claim(subject: Located(pair.key, at: pair.keyNode.location), figures: figures)
        }
    }
}

extension String {
    /// `1_500` → `1500`.
    fileprivate var replacingUnderscores: String { String(filter { $0 != "_" }) }
}
