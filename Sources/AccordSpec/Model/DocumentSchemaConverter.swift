import AccordJSON

/// Walks one schema of a document into `JSONSchema`, inlining `$ref`s; `expanding` holds the
/// references being expanded, so a cycle is refused instead of recursing forever.
struct DocumentSchemaConverter {
    let document: JSON
    var expanding: [String] = []

    mutating func schema(_ value: JSON, at pointer: String) throws(JSONSchema.DocumentProblem) -> JSONSchema {
        typealias Problem = JSONSchema.DocumentProblem
        if case .bool(true) = value { return .schema(.init()) }
        guard case let .object(members) = value else {
            throw Problem("the schema at \(pointer) is \(value.typeName); accord checks object schemas (and true)")
        }
        for member in members where !JSONSchema.documentKeywords.contains(member.key) && !JSONSchema.annotationKeywords.contains(member.key) {
            let suggestion = Suggestion.closest(to: member.key, among: JSONSchema.documentKeywords).map { " (did you mean '\($0)'?)" } ?? ""
            throw Problem(
                "keyword '\(member.key)' at \(pointer) is outside the schema subset accord checks\(suggestion); "
                    + "supported: \(JSONSchema.documentKeywords.joined(separator: ", "))")
        }
        func member(_ name: String) -> JSON? { members.first { $0.key == name }?.value }
        if let reference = member("$ref") {
            return try expand(reference, siblings: members.map(\.key), at: pointer)
        }
        var keywords = JSONSchema.Keywords()
        if let type = member("type") {
            let names: [JSON]
            if case let .array(list) = type { names = list } else { names = [type] }
            keywords.types = try names.map { name throws(Problem) in
                guard let text = name.stringValue, let known = JSONType(rawValue: text) else {
                    throw Problem("unknown type \(name) at \(pointer)/type")
                }
                return known
            }
        }
        if let required = member("required") {
            guard case let .array(names) = required, names.allSatisfy({ $0.stringValue != nil }) else {
                throw Problem("required at \(pointer) must be a list of names")
            }
            keywords.required = names.compactMap(\.stringValue)
        }
        if let properties = member("properties") {
            guard case let .object(entries) = properties else { throw Problem("properties at \(pointer) must be an object") }
            var converted: [(name: String, schema: JSONSchema)] = []
            for entry in entries {
                converted.append((entry.key, try schema(entry.value, at: "\(pointer)/properties/\(entry.key)")))
            }
            keywords.properties = converted
        }
        if let additional = member("additionalProperties") {
            if case let .bool(allowed) = additional {
                keywords.additionalProperties = .allowed(allowed)
            } else {
                keywords.additionalProperties = .schema(try schema(additional, at: "\(pointer)/additionalProperties"))
            }
        }
        if let items = member("items") { keywords.items = try schema(items, at: "\(pointer)/items") }
        if let values = member("enum") {
            guard case let .array(list) = values else { throw Problem("enum at \(pointer) must be a list") }
            keywords.enumValues = list
        }
        if let constant = member("const") { keywords.enumValues = [constant] }
        if let pattern = member("pattern") {
            guard let text = pattern.stringValue else { throw Problem("pattern at \(pointer) must be a string") }
            if let problem = Pattern.validateRegex(text) { throw Problem("\(problem) (at \(pointer)/pattern)") }
            keywords.pattern = text
        }
        keywords.minimum = try number(member("minimum"), "minimum", at: pointer)
        keywords.maximum = try number(member("maximum"), "maximum", at: pointer)
        keywords.minLength = try length(member("minLength"), "minLength", at: pointer)
        keywords.maxLength = try length(member("maxLength"), "maxLength", at: pointer)
        if let format = member("format")?.stringValue, JSONSchema.checkedFormats.contains(format) {
            keywords.format = format
        }
        return .schema(keywords)
    }

    private mutating func expand(_ reference: JSON, siblings: [String], at pointer: String) throws(JSONSchema.DocumentProblem) -> JSONSchema {
        typealias Problem = JSONSchema.DocumentProblem
        guard let target = reference.stringValue, target.hasPrefix("#") else {
            throw Problem("$ref at \(pointer) must point inside the document (#/…), not \(reference)")
        }
        if let other = siblings.first(where: { $0 != "$ref" && !JSONSchema.annotationKeywords.contains($0) }) {
            throw Problem("'\(other)' beside $ref at \(pointer) is not supported: move it into the referenced schema")
        }
        guard !expanding.contains(target) else {
            throw Problem("$ref at \(pointer) is recursive (\((expanding + [target]).joined(separator: " → "))); accord checks finite schemas")
        }
        let value = try JSONSchema.resolve(pointer: target, in: document)
        expanding.append(target)
        defer { expanding.removeLast() }
        return try schema(value, at: target)
    }

    private func number(_ value: JSON?, _ name: String, at pointer: String) throws(JSONSchema.DocumentProblem) -> Double? {
        guard let value else { return nil }
        guard let number = value.doubleValue else { throw JSONSchema.DocumentProblem("\(name) at \(pointer) must be a number") }
        return number
    }

    private func length(_ value: JSON?, _ name: String, at pointer: String) throws(JSONSchema.DocumentProblem) -> Int? {
        guard let value else { return nil }
        guard let number = value.intValue, number >= 0, number <= Int64(Int32.max) else {
            throw JSONSchema.DocumentProblem("\(name) at \(pointer) must be a non-negative integer")
        }
        return Int(number)
    }
}
