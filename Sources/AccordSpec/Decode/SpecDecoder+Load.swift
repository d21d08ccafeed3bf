extension SpecDecoder {
    static let endpointKeys = requestKeys + ["expect_status"]

    mutating func decodeEndpoints(_ node: YAMLNode) -> [Endpoint] {
        pairs(node, "endpoints").compactMap { pair in
            guard case .mapping = pair.value.kind else {
                error("endpoint '\(pair.key)' must be a request mapping", at: pair.value.location)
                return nil
            }
            var requestNode = pair.value
            var expectStatus: StatusExpectation?
            if case let .mapping(members) = pair.value.kind {
                // expect_status sits beside the request's own keys.
                if let statusPair = members.first(where: { $0.key.scalar == "expect_status" }) {
                    expectStatus = decodeStatus(statusPair.value)
                }
                requestNode.kind = .mapping(members.filter { $0.key.scalar != "expect_status" })
            }
            return decodeRequest(requestNode).map {
                Endpoint(name: Located(pair.key, at: pair.keyNode.location), request: $0, expectStatus: expectStatus)
            }
        }
    }

    mutating func decodeTargets(_ node: YAMLNode, subjects: [String], endpoints: [String], scenarios: [String] = []) -> [TargetSet] {
        pairs(node, "targets").compactMap { pair in
            if !subjects.contains(pair.key) {
                let suggestion = Suggestion.closest(to: pair.key, among: subjects).map { " (did you mean '\($0)'?)" } ?? ""
                error("targets name '\(pair.key)', which is neither an endpoint nor a scenario of this file\(suggestion)", at: pair.keyNode.location)
            }
            let names = TargetMetric.allCases.map(\.rawValue) + ["at"]
            let isScenario = scenarios.contains(pair.key)
            guard let members = mapping(pair.value, "targets of '\(pair.key)'", allowed: names + (isScenario ? ["endpoints"] : [])) else { return nil }
            var thresholds: [(metric: TargetMetric, threshold: Threshold, location: SourceLocation)] = []
            for metric in TargetMetric.allCases {
                guard let valueNode = members[metric.rawValue], let text = scalarText(valueNode, metric.rawValue) else { continue }
                guard let threshold = Self.threshold(text, for: metric) else {
                    let example = metric.isLatency ? "\"< 50ms\"" : metric == .rps ? "\">= 1000\"" : "\"< 1%\""
                    error("\(metric.rawValue) must be a comparison such as \(example)", at: valueNode.location)
                    continue
                }
                thresholds.append((metric: metric, threshold: threshold, location: valueNode.location))
            }
            let rate = members["at"].flatMap { decodeJudgingRate($0, subject: pair.key, thresholds: thresholds, endpoints: endpoints) }
            let scaling = members["endpoints"].flatMap { decodeScaling($0) }
            return TargetSet(subject: Located(pair.key, at: pair.keyNode.location), thresholds: thresholds, rate: rate, endpoints: scaling)
        }
    }

    /// `at: "500/s"`: the rate an endpoint's latency targets are judged at. Only for an
    /// endpoint (a scenario has its own users or rate) with a latency or error-rate target.
    mutating func decodeJudgingRate(
        _ node: YAMLNode, subject: String, thresholds: [(metric: TargetMetric, threshold: Threshold, location: SourceLocation)],
        endpoints: [String]
    ) -> Located<Double>? {
        guard let text = scalarText(node, "at") else { return nil }
        guard let rate = Self.perSecond(text) else {
            error("at must be a rate of requests per second such as \"500/s\", not '\(text)'", at: node.location)
            return nil
        }
        guard endpoints.contains(subject) else {
            error("at is for an endpoint's targets; scenario '\(subject)' is loaded at its own users or rate", at: node.location)
            return nil
        }
        guard thresholds.contains(where: { $0.metric != .rps }) else {
            error("at is the rate latency and error-rate targets are judged at; '\(subject)' has none (an rps target is judged by capacity)", at: node.location)
            return nil
        }
        return Located(rate, at: node.location)
    }

    /// `"500/s"`, `"500 req/s"` or `500`: a finite rate above 0 and at most 1,000,000 req/s.
    static func perSecond(_ text: String) -> Double? {
        var number = text.filter { $0 != " " }
        for suffix in ["req/s", "/s"] where number.hasSuffix(suffix) {
            number = String(number.dropLast(suffix.count))
            break
        }
        guard let value = Double(number), value.isFinite, value > 0, value <= 1_000_000 else { return nil }
        return value
    }

    /// `{within: 2x, metrics: [p95]}` (`within: 1x` alone: every latency metric and the error rate).
    mutating func decodeScaling(_ node: YAMLNode) -> EndpointScaling? {
        guard let members = mapping(node, "endpoints", allowed: ["within", "metrics"]) else { return nil }
        guard let withinNode = members["within"], let text = scalarText(withinNode, "within") else {
            error("endpoints needs within: how far each endpoint may be from its own targets, such as 1x or 2x", at: node.location)
            return nil
        }
        guard text.hasSuffix("x"), let factor = Double(text.dropLast()), factor.isFinite, factor >= 1, factor <= 100 else {
            error("within must be a factor from 1x to 100x, such as 2x, not '\(text)'", at: withinNode.location)
            return nil
        }
        var metrics: [TargetMetric]?
        if let metricsNode = members["metrics"] {
            let allowed = TargetMetric.allCases.filter { $0 != .rps }
            metrics = stringList(metricsNode, "metrics").compactMap { name in
                guard let metric = TargetMetric(rawValue: name), metric != .rps else {
                    error("metrics lists \(allowed.map(\.rawValue).joined(separator: ", ")), not '\(name)' (rps does not apply within a scenario)", at: metricsNode.location)
                    return nil
                }
                return metric
            }
        }
        return EndpointScaling(factor: factor, metrics: metrics, location: node.location)
    }

    /// `"< 50ms"` (latencies, in ms), `">= 1000"` (rps), `"< 1%"` (error rate, as a fraction).
    static func threshold(_ text: String, for metric: TargetMetric) -> Threshold? {
        let trimmed = text.filter { $0 != " " }
        // Longest operators first, so "<=" is not read as "<".
        guard let comparison = Threshold.Comparison.allCases.sorted(by: { $0.rawValue.count > $1.rawValue.count })
            .first(where: { trimmed.hasPrefix($0.rawValue) })
        else { return nil }
        let bound = String(trimmed.dropFirst(comparison.rawValue.count))
        switch metric {
        case .rps:
            return Double(bound).flatMap { $0.isFinite && $0 >= 0 ? Threshold(comparison, $0) : nil }
        case .errorRate:
            guard bound.hasSuffix("%"), let percent = Double(bound.dropLast()), (0...100).contains(percent) else { return nil }
            return Threshold(comparison, percent / 100)
        default:
            return Durations.milliseconds(bound).map { Threshold(comparison, Double($0)) }
                ?? (bound.hasSuffix("ms") ? Double(bound.dropLast(2)).map { Threshold(comparison, $0) } : nil)
        }
    }
}
