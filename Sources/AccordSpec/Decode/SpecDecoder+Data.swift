/// `health:`, `pools:`, `feeders:` and `reconcile:`: what a spec tells the runner about its API.
extension SpecDecoder {
    mutating func decodeLoadData(_ members: [String: YAMLNode], endpoints: [String], specPath: String) -> LoadData {
        var data = LoadData()
        if let node = members["health"] { data.health = decodeHealth(node) }
        if let node = members["metrics"], let path = string(node, "metrics") {
            if path.hasPrefix("/") { data.metrics = Located(path, at: node.location) } else { error("metrics must be a path starting with '/', such as /metrics", at: node.location) }
        }
        if let node = members["pools"] { data.pools = decodePools(node, endpoints: endpoints) }
        if let node = members["feeders"] { data.feeders = decodeFeeders(node, specPath: specPath) }
        if let node = members["reconcile"] { data.reconcile = decodeReconcile(node, endpoints: endpoints) }
        return data
    }

    /// The names `{{pool.NAME}}` and `{{feed.NAME.COLUMN}}` that templates may use.
    static func isDataName(_ name: String, pools: [String], feeders: [String]) -> Bool {
        if name.hasPrefix("pool.") { return pools.contains(String(name.dropFirst(5))) }
        guard name.hasPrefix("feed.") else { return false }
        let rest = name.dropFirst(5).split(separator: ".", maxSplits: 1)
        return rest.count == 2 && feeders.contains(String(rest[0]))
    }

    private mutating func decodeHealth(_ node: YAMLNode) -> HealthRequest? {
        if case let .scalar(text, _) = node.kind, !node.isNull {
            guard text.hasPrefix("/") else {
                error("health must be a path starting with '/' or {path: /health, status: 200}", at: node.location)
                return nil
            }
            return HealthRequest(path: text, location: node.location)
        }
        guard let members = mapping(node, "health", allowed: ["path", "status"]) else { return nil }
        guard let pathNode = members["path"], let path = string(pathNode, "health path") else {
            error("health needs a path: {path: /health}", at: node.location)
            return nil
        }
        guard path.hasPrefix("/") else {
            error("the health path must start with '/'", at: pathNode.location)
            return nil
        }
        let status = members["status"].flatMap { integer($0, "health status", in: 100...599) } ?? 200
        return HealthRequest(path: path, status: status, location: node.location)
    }

    private mutating func decodePools(_ node: YAMLNode, endpoints: [String]) -> [Pool] {
        pairs(node, "pools").compactMap { pair in
            guard Template.isName(pair.key), !pair.key.contains(".") else {
                error("'\(pair.key)' is not a valid pool name (letters, digits, _ and -)", at: pair.keyNode.location)
                return nil
            }
            guard let members = mapping(pair.value, "pool '\(pair.key)'", allowed: ["from", "collect", "size", "draw"]) else { return nil }
            guard let fromNode = members["from"], let from = string(fromNode, "from") else {
                error("pool '\(pair.key)' needs from: the endpoint whose answers fill it", at: pair.value.location)
                return nil
            }
            if !endpoints.contains(from) {
                let suggestion = Suggestion.closest(to: from, among: endpoints).map { " (did you mean '\($0)'?)" } ?? ""
                error("pool '\(pair.key)' is filled from '\(from)', which is not an endpoint of this file\(suggestion)", at: fromNode.location)
            }
            guard let collect = collectPath(members["collect"], owner: "pool '\(pair.key)'", at: pair.value) else { return nil }
            let size = members["size"].flatMap { integer($0, "size", in: 1...10_000_000) } ?? 1000
            var draw = Pool.Draw.uniform
            if let drawNode = members["draw"] { draw = decodeDraw(drawNode) ?? .uniform }
            return Pool(name: Located(pair.key, at: pair.keyNode.location), from: Located(from, at: fromNode.location), collect: collect, size: size, draw: draw)
        }
    }

    /// `uniform`, `sequential` or `{zipf: 1.1}`.
    private mutating func decodeDraw(_ node: YAMLNode) -> Pool.Draw? {
        if case let .scalar(text, _) = node.kind {
            switch text {
            case "uniform": return .uniform
            case "sequential": return .sequential
            case "zipf": return .zipf(1)
            default:
                error("draw must be uniform, sequential, zipf or {zipf: EXPONENT}, not '\(text)'", at: node.location)
                return nil
            }
        }
        guard let members = mapping(node, "draw", allowed: ["zipf"]), let exponentNode = members["zipf"],
            let exponent = number(exponentNode, "the zipf exponent")
        else { return nil }
        guard exponent > 0, exponent <= 10 else {
            error("the zipf exponent must be above 0 and at most 10", at: exponentNode.location)
            return nil
        }
        return .zipf(exponent)
    }

    private mutating func decodeFeeders(_ node: YAMLNode, specPath: String) -> [Feeder] {
        pairs(node, "feeders").compactMap { pair in
            guard Template.isName(pair.key), !pair.key.contains(".") else {
                error("'\(pair.key)' is not a valid feeder name (letters, digits, _ and -)", at: pair.keyNode.location)
                return nil
            }
            guard let members = mapping(pair.value, "feeder '\(pair.key)'", allowed: ["file", "format", "order", "exhausted"]) else { return nil }
            guard let fileNode = members["file"], let file = string(fileNode, "file") else {
                error("feeder '\(pair.key)' needs file: a CSV or JSON Lines file", at: pair.value.location)
                return nil
            }
            var format: Feeder.Format = file.hasSuffix(".jsonl") || file.hasSuffix(".ndjson") ? .jsonl : .csv
            if let formatNode = members["format"], let text = string(formatNode, "format") {
                guard let chosen = Feeder.Format(rawValue: text) else {
                    error("format must be csv or jsonl, not '\(text)'", at: formatNode.location)
                    return nil
                }
                format = chosen
            }
            var order = Feeder.Order.sequential
            if let orderNode = members["order"], let text = string(orderNode, "order") {
                guard let chosen = Feeder.Order(rawValue: text) else {
                    error("order must be sequential, random or unique, not '\(text)'", at: orderNode.location)
                    return nil
                }
                order = chosen
            }
            var wraps = order != .unique
            if let exhaustedNode = members["exhausted"], let text = string(exhaustedNode, "exhausted") {
                switch text {
                case "wrap": wraps = true
                case "stop" where order == .unique: wraps = false
                case "stop":
                    error("only a unique feeder runs out: exhausted: stop needs order: unique", at: exhaustedNode.location)
                default:
                    error("exhausted must be wrap or stop, not '\(text)'", at: exhaustedNode.location)
                }
            }
            let folder = specPath.contains("/") ? String(specPath[..<(specPath.lastIndex(of: "/") ?? specPath.endIndex)]) : "."
            let path = file.hasPrefix("/") ? file : folder + "/" + file
            return Feeder(
                name: Located(pair.key, at: pair.keyNode.location), file: Located(file, at: fileNode.location), path: path, format: format,
                order: order, wraps: wraps)
        }
    }

    private mutating func decodeReconcile(_ node: YAMLNode, endpoints: [String]) -> [ReconcileRule] {
        pairs(node, "reconcile").compactMap { pair in
            if !endpoints.contains(pair.key) {
                let suggestion = Suggestion.closest(to: pair.key, among: endpoints).map { " (did you mean '\($0)'?)" } ?? ""
                error("reconcile names '\(pair.key)', which is not an endpoint of this file\(suggestion)", at: pair.keyNode.location)
                return nil
            }
            guard let members = mapping(pair.value, "reconcile of '\(pair.key)'", allowed: ["collect", "postgres", "redis"]) else { return nil }
            guard let collect = collectPath(members["collect"], owner: "reconcile of '\(pair.key)'", at: pair.value) else { return nil }
            let postgres = members["postgres"].flatMap { string($0, "postgres") }
            if let query = postgres, let queryNode = members["postgres"], !query.contains("$1") {
                error("the postgres query must use $1, the acknowledged ids as a text array", at: queryNode.location,
                    help: "for example: SELECT id FROM items WHERE id = ANY($1::text[])")
            }
            var streams: String?
            var field: String?
            if let redisNode = members["redis"], let redis = mapping(redisNode, "redis", allowed: ["streams", "field"]) {
                streams = redis["streams"].flatMap { string($0, "streams") }
                field = redis["field"].flatMap { string($0, "field") }
                if streams == nil || field == nil {
                    error("redis needs streams (a key pattern) and field (the entry field holding the id)", at: redisNode.location)
                }
            }
            if postgres == nil && streams == nil {
                error("reconcile of '\(pair.key)' needs postgres (a query) or redis (streams and field), or both", at: pair.value.location)
            }
            return ReconcileRule(
                endpoint: Located(pair.key, at: pair.keyNode.location), collect: collect, postgres: postgres, streams: streams, field: field,
                location: pair.value.location)
        }
    }

    /// A `collect:` JSONPath, required.
    private mutating func collectPath(_ node: YAMLNode?, owner: String, at parent: YAMLNode) -> String? {
        guard let node else {
            error("\(owner) needs collect: where the id is in each answer, a JSONPath such as $.id", at: parent.location)
            return nil
        }
        guard let text = string(node, "collect") else { return nil }
        guard text.hasPrefix("$") else {
            error("collect must be a JSONPath starting with '$', such as $.id", at: node.location)
            return nil
        }
        return jsonPath(text, at: node) == nil ? nil : text
    }
}
