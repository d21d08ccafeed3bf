extension SpecDecoder {
    static let scenarioKeys = ["name", "users", "rate", "spawn_rate", "duration", "think", "mix", "stages", "faults"]
    static let stageKeys = ["duration", "users", "rate"]
    static let faultKeys = ["at", "action", "for"]

    mutating func decodeScenarios(_ node: YAMLNode, endpoints: [String]) -> [Scenario] {
        var seen: [String: Int] = [:]
        return sequence(node, "scenarios").compactMap { item -> Scenario? in
            guard let members = mapping(item, "a scenario", allowed: Self.scenarioKeys) else { return nil }
            guard let nameNode = members["name"], let name = string(nameNode, "a scenario's name") else {
                if members["name"] == nil { error("a scenario needs a name", at: item.location) }
                return nil
            }
            if let line = seen[name] {
                error("duplicate scenario name '\(name)' (first at line \(line))", at: nameNode.location)
            }
            seen[name] = nameNode.location.line
            // With stages, users/rate is where the ramp starts, and may be 0.
            let staged = members["stages"] != nil
            let users = members["users"].flatMap { integer($0, "users", in: (staged ? 0 : 1)...100_000) }
            let rate = members["rate"].flatMap { perSecond($0, "rate", zeroAllowed: staged) }
            if (members["users"] == nil) == (members["rate"] == nil) {
                error("a scenario has users: N (closed model) or rate: R (open model), exactly one", at: nameNode.location)
            }
            let open: Bool? = members["users"] == nil && members["rate"] != nil ? true : members["users"] != nil && members["rate"] == nil ? false : nil
            var stages: [ScenarioStage] = []
            var length: Int?
            if let stagesNode = members["stages"] {
                stages = decodeStages(stagesNode, open: open)
                if let durationNode = members["duration"] {
                    error(
                        "a scenario with stages takes its duration from them", at: durationNode.location,
                        help: "remove duration:, or the stages: for a constant load")
                }
                if !stages.isEmpty { length = stages.reduce(0) { $0 + $1.durationMilliseconds } }
                if let spawnNode = members["spawn_rate"], open == false {
                    error("spawn_rate does not combine with stages: the stages ramp the users", at: spawnNode.location)
                }
            } else {
                length = members["duration"].flatMap { duration($0, "duration") }
                if members["duration"] == nil { error("a scenario needs a duration (or stages:)", at: nameNode.location) }
            }
            if let spawnNode = members["spawn_rate"], open == true {
                error("spawn_rate is for users (closed model); an open scenario sends at its rate from the start", at: spawnNode.location)
            }
            var think: ClosedRange<Int>?
            if let thinkNode = members["think"] {
                let bounds = sequence(thinkNode, "think").compactMap { duration($0, "think") }
                if bounds.count == 2, bounds[0] <= bounds[1] {
                    think = bounds[0]...bounds[1]
                } else {
                    error("think takes two durations, low first: [1s, 3s]", at: thinkNode.location)
                }
            }
            let mix = decodeMix(members["mix"], endpoints: endpoints, scenario: nameNode)
            let faults = members["faults"].map { decodeFaults($0, scenarioMilliseconds: length) } ?? []
            guard let length else { return nil }
            return Scenario(
                name: Located(name, at: nameNode.location), users: users, rate: rate,
                spawnRate: members["spawn_rate"].flatMap { perSecond($0, "spawn_rate", zeroAllowed: false) }, durationMilliseconds: length,
                thinkMilliseconds: think, mix: mix, stages: stages, faults: faults, location: item.location)
        }
    }

    private mutating func decodeMix(_ node: YAMLNode?, endpoints: [String], scenario nameNode: YAMLNode) -> [(endpoint: String, weight: Int)] {
        guard let node else {
            error("a scenario needs a mix of endpoints: {endpoint: weight}", at: nameNode.location)
            return []
        }
        var mix: [(endpoint: String, weight: Int)] = []
        for pair in pairs(node, "mix") {
            if !endpoints.contains(pair.key) {
                let suggestion = Suggestion.closest(to: pair.key, among: endpoints).map { " (did you mean '\($0)'?)" } ?? ""
                error("unknown endpoint '\(pair.key)'\(suggestion)", at: pair.keyNode.location)
            }
            if let weight = integer(pair.value, "a weight", in: 1...1_000_000) { mix.append((endpoint: pair.key, weight: weight)) }
        }
        return mix
    }

    /// A rate in requests (or users) per second: a positive number, or 0 where allowed.
    private mutating func perSecond(_ node: YAMLNode, _ what: String, zeroAllowed: Bool) -> Double? {
        guard let value = number(node, what) else { return nil }
        guard value > 0 || (zeroAllowed && value == 0) else {
            error("\(what) must be \(zeroAllowed ? "0 or more" : "more than 0"), not \(value)", at: node.location)
            return nil
        }
        return value
    }

    /// `- {duration: 30s, users: 100}` (closed) or `- {duration: 30s, rate: 500}` (open).
    /// `open` is nil when the scenario's own model is unclear (already reported).
    private mutating func decodeStages(_ node: YAMLNode, open: Bool?) -> [ScenarioStage] {
        let items = sequence(node, "stages")
        if case .sequence = node.kind, items.isEmpty {
            error("stages needs at least one stage: - {duration: 30s, users: 100}", at: node.location)
        }
        return items.compactMap { item -> ScenarioStage? in
            guard let members = mapping(item, "a stage", allowed: Self.stageKeys) else { return nil }
            var length: Int?
            if let durationNode = members["duration"] {
                length = duration(durationNode, "a stage's duration")
                if length == 0 {
                    error("a stage's duration must be longer than 0", at: durationNode.location)
                    length = nil
                }
            } else {
                error("a stage needs a duration: {duration: 30s, \(open == true ? "rate: 500" : "users: 100")}", at: item.location)
            }
            var target: Double?
            switch (members["users"], members["rate"]) {
            case let (usersNode?, nil):
                if open == true {
                    error("a stage of an open scenario (rate:) ramps the rate: write rate:, not users:", at: usersNode.location)
                } else {
                    target = integer(usersNode, "a stage's users", in: 0...100_000).map(Double.init)
                }
            case let (nil, rateNode?):
                if open == false {
                    error("a stage of a closed scenario (users:) ramps the users: write users:, not rate:", at: rateNode.location)
                } else {
                    target = perSecond(rateNode, "a stage's rate", zeroAllowed: true)
                }
            default:
                error("a stage has users: N or rate: R as its target, exactly one", at: item.location)
            }
            guard let length, let target else { return nil }
            return ScenarioStage(durationMilliseconds: length, target: target, location: item.location)
        }
    }

    /// `- {at: 2s, action: stop_redis, for: 3s}`: inside the scenario, not overlapping.
    /// `scenarioMilliseconds` is nil when the scenario's own length is broken (already reported).
    private mutating func decodeFaults(_ node: YAMLNode, scenarioMilliseconds: Int?) -> [FaultSpec] {
        let actions = FaultAction.allCases.map(\.rawValue)
        var faults: [(fault: FaultSpec, atNode: YAMLNode)] = []
        for item in sequence(node, "faults") {
            guard let members = mapping(item, "a fault", allowed: Self.faultKeys) else { continue }
            let at = members["at"].flatMap { duration($0, "at") }
            if members["at"] == nil { error("a fault needs at: (when, from the scenario's start), such as at: 2s", at: item.location) }
            var action: FaultAction?
            if let actionNode = members["action"], let name = string(actionNode, "action") {
                action = FaultAction(rawValue: name)
                if action == nil {
                    let suggestion = Suggestion.closest(to: name, among: actions).map { " (did you mean '\($0)'?)" } ?? ""
                    error(
                        "unknown fault action '\(name)'\(suggestion)", at: actionNode.location,
                        help: suggestion.isEmpty ? "actions: \(actions.joined(separator: ", "))" : nil)
                }
            } else if members["action"] == nil {
                error("a fault needs an action: \(actions.joined(separator: ", "))", at: item.location)
            }
            var downtime: Int? = FaultSpec.defaultForMilliseconds
            if let forNode = members["for"] {
                downtime = duration(forNode, "for")
                if downtime == 0 {
                    error("for must be longer than 0: how long the dependency stays down", at: forNode.location)
                    downtime = nil
                }
            }
            guard let at, let action, let downtime, let atNode = members["at"] else { continue }
            let fault = FaultSpec(action: action, atMilliseconds: at, forMilliseconds: downtime, location: item.location)
            if let total = scenarioMilliseconds, fault.endMilliseconds > total {
                error(
                    "this fault lasts until \(FaultSpec.seconds(fault.endMilliseconds)), after the scenario ends at \(FaultSpec.seconds(total))",
                    at: item.location, help: "a fault must be over (its dependency back) before the scenario ends")
                continue
            }
            faults.append((fault: fault, atNode: atNode))
        }
        // Overlaps, in time order: one dependency is down at a time, so recovery is measurable.
        let ordered = faults.sorted { $0.fault.atMilliseconds < $1.fault.atMilliseconds }
        for (earlier, later) in zip(ordered, ordered.dropFirst()) where later.fault.atMilliseconds < earlier.fault.endMilliseconds {
            error(
                "this fault starts at \(FaultSpec.seconds(later.fault.atMilliseconds)), while the fault at line \(earlier.fault.location.line) "
                    + "(\(earlier.fault)) lasts until \(FaultSpec.seconds(earlier.fault.endMilliseconds))",
                at: later.atNode.location, help: "faults must not overlap: start this one later, or shorten the other's for:")
        }
        return ordered.map(\.fault)
    }
}
