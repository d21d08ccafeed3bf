import AccordJSON

extension SpecDecoder {
    static let caseKeys = ["name", "level", "tags", "opt_in", "request", "expect", "capture", "verify", "parallel", "aggregate"]
    static let requestKeys = ["method", "path", "query", "headers", "json", "body", "timeout"]
    static let expectKeys = ["status", "headers", "body", "schema", "max_time", "body_not_contains"]
    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    mutating func decodeCases(_ node: YAMLNode) -> [Case] {
        var cases: [Case] = []
        var firstLine: [String: Int] = [:]
        for (index, item) in sequence(node, "cases").enumerated() {
            currentCase = index
            afterResponse = false
            let decoded = decodeCase(item)
            capturesByCase.append(decoded?.captures.map(\.name) ?? [])
            guard let decoded else { continue }
            if let line = firstLine[decoded.name.value] {
                error("duplicate case name '\(decoded.name.value)' (first at line \(line))", at: decoded.name.location)
            } else {
                firstLine[decoded.name.value] = decoded.name.location.line
            }
            cases.append(decoded)
        }
        currentCase = nil
        afterResponse = false
        return cases
    }

    mutating func decodeCase(_ node: YAMLNode) -> Case? {
        guard let members = mapping(node, "a case", allowed: Self.caseKeys) else { return nil }
        guard let nameNode = members["name"], let name = string(nameNode, "a case's name"), !name.isEmpty else {
            if members["name"] == nil { error("a case needs a name", at: node.location) }
            return nil
        }
        guard let requestNode = members["request"] else {
            error("case '\(name)' needs a request", at: nameNode.location)
            return nil
        }
        let request = decodeRequest(requestNode)
        afterResponse = true
        let expect = members["expect"].map { decodeExpectations($0) } ?? Expectations()
        let captures = members["capture"].map { decodeCaptures($0) } ?? []
        let verifications = members["verify"].map { decodeVerifications($0) } ?? []
        let parallel = members["parallel"].flatMap { integer($0, "parallel", in: 1...1000) } ?? 1
        let aggregates = members["aggregate"].map { decodeAggregates($0, captures: captures.map(\.name)) } ?? []
        if !aggregates.isEmpty, parallel == 1, let node = members["aggregate"] {
            error("aggregate checks need parallel: N (N > 1)", at: node.location)
        }
        let level = members["level"].flatMap { self.level($0) }
        guard let request else { return nil }
        var decoded = Case(
            name: Located(name, at: nameNode.location), tags: members["tags"].map { stringList($0, "tags") } ?? [],
            optIn: members["opt_in"].flatMap { boolean($0, "opt_in") } ?? false, request: request, expect: expect,
            captures: captures, verifications: verifications, parallel: parallel, aggregates: aggregates)
        decoded.level = level
        return decoded
    }

    /// `level: core | strict | extended`, with a suggestion for a misspelt one.
    mutating func level(_ node: YAMLNode) -> Located<ConformanceLevel>? {
        guard let text = string(node, "level") else { return nil }
        guard let level = ConformanceLevel(rawValue: text) else {
            let suggestion = Suggestion.closest(to: text, among: ConformanceLevel.names).map { " (did you mean '\($0)'?)" } ?? ""
            error("unknown level '\(text)'\(suggestion)", at: node.location, help: "levels: \(ConformanceLevel.names.joined(separator: ", "))")
            return nil
        }
        return Located(level, at: node.location)
    }

    mutating func decodeRequest(_ node: YAMLNode) -> RequestTemplate? {
        guard let members = mapping(node, "a request", allowed: Self.requestKeys) else { return nil }
        var method = "GET"
        if let methodNode = members["method"], let text = string(methodNode, "method") {
            if Self.methods.contains(text.uppercased()) {
                method = text.uppercased()
            } else {
                let suggestion = Suggestion.closest(to: text.uppercased(), among: Self.methods).map { " (did you mean '\($0)'?)" } ?? ""
                error("unknown HTTP method '\(text)'\(suggestion)", at: methodNode.location)
            }
        }
        guard let pathNode = members["path"] else {
            error("a request needs a path", at: node.location)
            return nil
        }
        guard let path = template(pathNode, "path") else { return nil }
        if let literal = path.literalValue, !literal.hasPrefix("/") {
            error("path must start with '/'", at: pathNode.location)
        }
        let query = members["query"].map { namedTemplates($0, "query") } ?? []
        var headers: [(name: String, value: Template)] = []
        var dropped: Set<String> = []
        if let headersNode = members["headers"] {
            for pair in pairs(headersNode, "headers") {
                if pair.value.isNull {
                    dropped.insert(pair.key.lowercased())
                } else if let value = template(pair.value, "a value of headers") {
                    headers.append((name: pair.key, value: value))
                }
            }
        }
        var body: RequestTemplate.Body?
        if let jsonNode = members["json"], let value = json(jsonNode) {
            body = .json(value)
        }
        if let bodyNode = members["body"] {
            if members["json"] != nil {
                error("a request has either json or body, not both", at: bodyNode.location)
            } else if let raw = template(bodyNode, "body") {
                body = .raw(raw)
            }
        }
        let timeout = members["timeout"].flatMap { duration($0, "timeout") } ?? defaultTimeout ?? 10_000
        var request = RequestTemplate(
            method: method, path: path, query: query, headers: headers, body: body, timeoutMilliseconds: max(timeout, 1),
            location: node.location)
        request.droppedHeaders = dropped
        return request
    }

    mutating func namedTemplates(_ node: YAMLNode, _ what: String) -> [(name: String, value: Template)] {
        pairs(node, what).compactMap { pair in
            template(pair.value, "a value of \(what)").map { (name: pair.key, value: $0) }
        }
    }

    mutating func decodeExpectations(_ node: YAMLNode) -> Expectations {
        guard let members = mapping(node, "expect", allowed: Self.expectKeys) else { return Expectations() }
        var expect = Expectations()
        if let statusNode = members["status"], let status = decodeStatus(statusNode) {
            expect.status = Located(status, at: statusNode.location)
        }
        if let headersNode = members["headers"] {
            for pair in pairs(headersNode, "expect.headers") {
                for predicate in decodePredicates(pair.value) {
                    expect.headers.append(HeaderAssertion(name: pair.key, predicate: predicate, location: pair.keyNode.location))
                }
            }
        }
        if let bodyNode = members["body"] {
            for pair in pairs(bodyNode, "expect.body") {
                guard let path = jsonPath(pair.key, at: pair.keyNode) else { continue }
                for predicate in decodePredicates(pair.value) {
                    expect.body.append(BodyAssertion(path: path, predicate: predicate, location: pair.keyNode.location))
                }
            }
        }
        if let schemaNode = members["schema"], let schema = decodeSchema(schemaNode) {
            expect.schema = Located(schema, at: schemaNode.location)
        }
        if let timeNode = members["max_time"], let milliseconds = duration(timeNode, "max_time") {
            expect.maxTimeMicroseconds = Located(Int64(milliseconds) * 1000, at: timeNode.location)
        }
        if let forbiddenNode = members["body_not_contains"] {
            expect.bodyNotContains = items(forbiddenNode).compactMap { item in
                guard let text = string(item, "body_not_contains") else { return nil }
                recordTemplates(in: .string(text), at: item.location)
                return Located(text, at: item.location)
            }
        }
        return expect
    }

    mutating func decodeStatus(_ node: YAMLNode) -> StatusExpectation? {
        if case let .sequence(items) = node.kind {
            let codes = items.compactMap { integer($0, "a status code", in: 100...599) }
            guard codes.count == items.count, !codes.isEmpty else {
                if items.isEmpty { error("status must list at least one code", at: node.location) }
                return nil
            }
            return .anyOf(codes)
        }
        if case let .scalar(text, _) = node.kind, text.count == 3, text.hasSuffix("xx"), let digit = Int(text.prefix(1)), (1...5).contains(digit) {
            return .classOf(digit)
        }
        guard case let .scalar(text, .plain) = node.kind, let code = Int(text), (100...599).contains(code) else {
            error("status must be a code (201), a list of codes ([200, 201]) or a class (\"2xx\")", at: node.location)
            return nil
        }
        return .code(code)
    }

    mutating func jsonPath(_ text: String, at node: YAMLNode) -> JSONPath? {
        do {
            return try JSONPath(parsing: text)
        } catch {
            var location = node.location
            if case let .scalar(_, style) = node.kind { location.column += error.offset + (style == .quoted ? 1 : 0) }
            self.error("invalid JSONPath '\(text)': \(error.message)", at: location)
            return nil
        }
    }

    mutating func decodeCaptures(_ node: YAMLNode) -> [Capture] {
        pairs(node, "capture").compactMap { pair in
            guard Template.isName(pair.key) else {
                error("'\(pair.key)' is not a valid variable name", at: pair.keyNode.location)
                return nil
            }
            if case let .scalar(text, _) = pair.value.kind {
                return jsonPath(text, at: pair.value).map { Capture(name: pair.key, source: .body($0), location: pair.keyNode.location) }
            }
            guard let members = mapping(pair.value, "a capture", allowed: ["header", "body"]) else { return nil }
            if let header = members["header"], let name = string(header, "header") {
                return Capture(name: pair.key, source: .header(name), location: pair.keyNode.location)
            }
            if let body = members["body"], let text = string(body, "body") {
                return jsonPath(text, at: body).map { Capture(name: pair.key, source: .body($0), location: pair.keyNode.location) }
            }
            error("a capture takes a JSONPath, {header: Name} or {body: JSONPath}", at: pair.value.location)
            return nil
        }
    }

    mutating func decodeAggregates(_ node: YAMLNode, captures: [String]) -> [Aggregate] {
        sequence(node, "aggregate").compactMap { item in
            guard let members = mapping(item, "an aggregate check", allowed: ["distinct", "status", "count"]) else { return nil }
            guard let countNode = members["count"], let count = integer(countNode, "count", in: 0...1000) else {
                if members["count"] == nil { error("an aggregate check needs a count", at: item.location) }
                return nil
            }
            if let distinct = members["distinct"], let name = string(distinct, "distinct") {
                guard captures.contains(name) else {
                    error("distinct: '\(name)' is not captured by this case", at: distinct.location,
                        help: "capture it under capture: to count its distinct values")
                    return nil
                }
                return Aggregate(subject: .distinct(name), count: count, location: item.location)
            }
            if let statusNode = members["status"], let status = integer(statusNode, "status", in: 100...599) {
                return Aggregate(subject: .status(status), count: count, location: item.location)
            }
            error("an aggregate check counts distinct: NAME or status: CODE", at: item.location)
            return nil
        }
    }
}
