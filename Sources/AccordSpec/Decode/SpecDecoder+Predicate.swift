import AccordJSON

extension SpecDecoder {
    static let predicateKeys = [
        "equals", "not_equals", "in", "matches", "type", "exists", "absent", "<", "<=", ">", ">=", "length", "contains",
        "not_contains",
    ]

    /// A bare value means `equals`; a mapping holds predicates (write `{equals: {…}}` to
    /// expect an object, so that a misspelt predicate is an error, never an expected value).
    mutating func decodePredicates(_ node: YAMLNode) -> [Predicate] {
        guard case let .mapping(pairs) = node.kind else {
            return json(node).map { [.equals($0)] } ?? []
        }
        var predicates: [Predicate] = []
        guard let members = mapping(node, "an assertion", allowed: Self.predicateKeys) else { return [] }
        // Keep the written order so failures come out in the order they were written.
        for (key, _) in pairs {
            guard case let .scalar(name, _) = key.kind, let value = members[name] else { continue }
            if let predicate = decodePredicate(name, value) { predicates.append(predicate) }
        }
        return predicates
    }

    mutating func decodePredicate(_ name: String, _ value: YAMLNode) -> Predicate? {
        switch name {
        case "equals": return json(value).map(Predicate.equals)
        case "not_equals": return json(value).map(Predicate.notEquals)
        case "contains": return json(value).map(Predicate.contains)
        case "not_contains": return json(value).map(Predicate.notContains)
        case "in":
            guard case .sequence = value.kind, case let .array(options)? = json(value) else {
                error("in: takes a list of values", at: value.location)
                return nil
            }
            return .oneOf(options)
        case "matches":
            return string(value, "matches").flatMap { decodePattern($0, at: value) }.map(Predicate.matches)
        case "type":
            guard let text = string(value, "type") else { return nil }
            guard let type = JSONType(rawValue: text) else {
                let names = JSONType.allCases.map(\.rawValue)
                let suggestion = Suggestion.closest(to: text, among: names).map { " (did you mean '\($0)'?)" } ?? ""
                error("unknown type '\(text)'\(suggestion)", at: value.location, help: "types: \(names.joined(separator: ", "))")
                return nil
            }
            return .type(type)
        case "exists": return boolean(value, "exists").map(Predicate.exists)
        case "absent": return boolean(value, "absent").map { .exists(!$0) }
        case "<": return number(value, "<").map(Predicate.lessThan)
        case "<=": return number(value, "<=").map(Predicate.lessThanOrEqual)
        case ">": return number(value, ">").map(Predicate.greaterThan)
        case ">=": return number(value, ">=").map(Predicate.greaterThanOrEqual)
        case "length":
            if case .mapping = value.kind {
                let inner = decodePredicates(value)
                return inner.isEmpty ? nil : .length(inner)
            }
            return integer(value, "length", in: 0...Int(Int32.max)).map { .length([.equals(.int(Int64($0)))]) }
        default:
            return nil
        }
    }

    /// A named format (`uuid`, `iso8601`, `url`) or a regular expression, checked now.
    mutating func decodePattern(_ text: String, at node: YAMLNode) -> Pattern? {
        switch text {
        case "uuid": return .uuid
        case "iso8601": return .iso8601
        case "url": return .url
        default:
            if text.contains("{{") {
                // Checked once rendered, at run time; the template itself is checked now.
                recordTemplates(in: .string(text), at: node.location)
                return .regex(text)
            }
            if let problem = Pattern.validateRegex(text) {
                error(problem, at: node.location)
                return nil
            }
            return .regex(text)
        }
    }

    static let schemaKeys = [
        "type", "required", "properties", "additionalProperties", "items", "enum", "pattern", "minimum", "maximum",
        "minLength", "maxLength", "format",
    ]

    mutating func decodeSchema(_ node: YAMLNode) -> JSONSchema? {
        if case let .mapping(pairs) = node.kind, pairs.contains(where: { $0.key.scalar == "file" }) {
            return decodeSchemaFile(node)
        }
        guard let members = mapping(node, "a schema", allowed: Self.schemaKeys) else { return nil }
        var keywords = JSONSchema.Keywords()
        if let typeNode = members["type"] {
            keywords.types = items(typeNode).compactMap { item in
                guard let text = string(item, "type") else { return nil }
                guard let type = JSONType(rawValue: text) else {
                    error("unknown type '\(text)'", at: item.location)
                    return nil
                }
                return type
            }
        }
        if let requiredNode = members["required"] { keywords.required = sequence(requiredNode, "required").compactMap { string($0, "required") } }
        if let propertiesNode = members["properties"] {
            keywords.properties = pairs(propertiesNode, "properties").compactMap { pair in
                decodeSchema(pair.value).map { (name: pair.key, schema: $0) }
            }
        }
        if let additional = members["additionalProperties"] {
            if case .mapping = additional.kind {
                keywords.additionalProperties = decodeSchema(additional).map(JSONSchema.Additional.schema)
            } else {
                keywords.additionalProperties = boolean(additional, "additionalProperties").map(JSONSchema.Additional.allowed)
            }
        }
        if let itemsNode = members["items"] { keywords.items = decodeSchema(itemsNode) }
        if let enumNode = members["enum"] {
            guard case .sequence = enumNode.kind, case let .array(values)? = json(enumNode) else {
                error("enum takes a list of values", at: enumNode.location)
                return .schema(keywords)
            }
            keywords.enumValues = values
        }
        if let patternNode = members["pattern"], let text = string(patternNode, "pattern") {
            if let problem = Pattern.validateRegex(text) {
                error(problem, at: patternNode.location)
            } else {
                keywords.pattern = text
            }
        }
        keywords.minimum = members["minimum"].flatMap { number($0, "minimum") }
        keywords.maximum = members["maximum"].flatMap { number($0, "maximum") }
        keywords.minLength = members["minLength"].flatMap { integer($0, "minLength", in: 0...Int(Int32.max)) }
        keywords.maxLength = members["maxLength"].flatMap { integer($0, "maxLength", in: 0...Int(Int32.max)) }
        if let formatNode = members["format"], let text = string(formatNode, "format") {
            if JSONSchema.checkedFormats.contains(text) {
                keywords.format = text
            } else {
                let suggestion = Suggestion.closest(to: text, among: JSONSchema.checkedFormats).map { " (did you mean '\($0)'?)" } ?? ""
                error("unknown format '\(text)'\(suggestion)", at: formatNode.location, help: "checked formats: \(JSONSchema.checkedFormats.joined(separator: ", "))")
            }
        }
        return .schema(keywords)
    }
}
