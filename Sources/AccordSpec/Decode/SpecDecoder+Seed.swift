extension SpecDecoder {
    static let seedKeys = ["table", "rows", "columns", "streams"]
    static let seedStreamKeys = ["key", "where", "fields"]
    static let generatorKinds = ["constant", "sequence", "uuid", "choice", "age", "template"]

    /// `seed:`: a list of tables, each with its generators and stream entries.
    mutating func decodeSeed(_ node: YAMLNode) -> [SeedTable] {
        var seen: [String: Int] = [:]
        return sequence(node, "seed").compactMap { item -> SeedTable? in
            guard let members = mapping(item, "a seed table", allowed: Self.seedKeys) else { return nil }
            let tableNode = members["table"]
            let table = tableNode.flatMap { identifier($0, "a seed table's name") }
            if tableNode == nil { error("a seed table needs a name: table: NAME", at: item.location) }
            if let table, let tableNode {
                if let line = seen[table] {
                    error("table '\(table)' is seeded twice (first at line \(line))", at: tableNode.location)
                }
                seen[table] = tableNode.location.line
            }
            let rows = members["rows"].flatMap { integer($0, "rows", in: 0...100_000_000) }
            if members["columns"] == nil { error("a seed table needs columns: {column: generator}", at: item.location) }
            let columns = members["columns"].map { decodeSeedColumns($0) } ?? []
            // Every column written, decoded or not: one broken column is not also "unknown" below.
            var names = columns.map(\.name)
            if case let .mapping(written)? = members["columns"]?.kind {
                names = written.compactMap { key, _ in if case let .scalar(name, _) = key.kind { name } else { nil } }
            }
            let streams = members["streams"].map { node in
                items(node).compactMap { decodeSeedStream($0, columns: names, generators: columns) }
            } ?? []
            guard let table, let tableNode, !columns.isEmpty else { return nil }
            return SeedTable(
                table: Located(table, at: tableNode.location), rows: rows ?? SeedTable.defaultRows, columns: columns, streams: streams,
                location: item.location)
        }
    }

    private mutating func decodeSeedColumns(_ node: YAMLNode) -> [SeedColumn] {
        let columnPairs = pairs(node, "columns")
        if columnPairs.isEmpty {
            if node.isNull {
                error("columns needs at least one column: {id: {uuid: true}}", at: node.location)
            } else if case .mapping = node.kind {
                error("columns needs at least one column: {id: {uuid: true}}", at: node.location)
            }
        }
        var columns: [SeedColumn] = []
        let all = columnPairs.map(\.key)
        for pair in columnPairs {
            guard isIdentifier(pair.key) else {
                error("'\(pair.key)' is not a plain column name (letters, digits and _)", at: pair.keyNode.location)
                continue
            }
            guard let generator = seedGenerator(pair.value, earlier: columns.map(\.name), all: all) else { continue }
            columns.append(SeedColumn(name: pair.key, generator: generator, location: pair.keyNode.location))
        }
        return columns
    }

    /// A plain scalar is a template (a constant when it has no placeholder), `null` is NULL;
    /// otherwise a mapping with exactly one generator.
    private mutating func seedGenerator(_ node: YAMLNode, earlier: [String], all: [String]) -> SeedGenerator? {
        if node.isNull { return .constant(nil) }
        if case .scalar = node.kind {
            return seedTemplate(node, "a column's value", columns: earlier, all: all).map { $0.literalValue.map { .constant($0) } ?? .template($0) }
        }
        guard let members = mapping(node, "a column's generator", allowed: Self.generatorKinds) else { return nil }
        guard members.count == 1, let (kind, value) = members.first else {
            if !members.isEmpty {
                error("a column takes one generator, not \(members.count)", at: node.location, help: "one of: \(Self.generatorKinds.joined(separator: ", "))")
            } else if case let .mapping(written) = node.kind, written.isEmpty {
                error("a column needs a generator: one of \(Self.generatorKinds.joined(separator: ", "))", at: node.location)
            }
            return nil
        }
        switch kind {
        case "constant":
            return value.isNull ? .constant(nil) : scalarText(value, "a constant").map { .constant($0) }
        case "sequence":
            if value.isNull { return .sequence(start: 1) }
            guard let start = mapping(value, "a sequence", allowed: ["start"]) else { return nil }
            return start["start"].map { integer($0, "a sequence's start", in: Int(Int32.min)...Int(Int32.max)).map { .sequence(start: $0) } } ?? .sequence(start: 1)
        case "uuid":
            guard let enabled = boolean(value, "uuid") else { return nil }
            guard enabled else {
                error("write uuid: true, or another generator", at: value.location)
                return nil
            }
            return .uuid
        case "choice":
            return seedChoice(value)
        case "age":
            return seedAge(value)
        default:
            return seedTemplate(value, "a template", columns: earlier, all: all).map { .template($0) }
        }
    }

    private mutating func seedChoice(_ node: YAMLNode) -> SeedGenerator? {
        let written = pairs(node, "a choice")
        let choices = written.compactMap { pair -> WeightedValue? in
            integer(pair.value, "a weight", in: 1...1_000_000).map { WeightedValue(value: pair.key, weight: $0) }
        }
        guard !choices.isEmpty, choices.count == written.count else {
            if !written.isEmpty { return nil }
            error("a choice needs values with weights: {pending: 70, completed: 30}", at: node.location)
            return nil
        }
        return .choice(choices)
    }

    /// `[0s, 30d]`: ages from the seeding's start, youngest first.
    private mutating func seedAge(_ node: YAMLNode) -> SeedGenerator? {
        let bounds = sequence(node, "age").compactMap { bound -> Int64? in
            guard case let .scalar(text, _) = bound.kind, let milliseconds = Durations.longMilliseconds(text) else {
                error("an age must be a duration such as 0s, 90m, 12h or 30d", at: bound.location)
                return nil
            }
            return milliseconds
        }
        guard bounds.count == 2, bounds[0] <= bounds[1] else {
            if case let .sequence(items) = node.kind, items.count == bounds.count { error("age takes two durations, youngest first: [0s, 30d]", at: node.location) }
            return nil
        }
        return .age(bounds[0]...bounds[1])
    }

    private mutating func decodeSeedStream(_ node: YAMLNode, columns: [String], generators: [SeedColumn]) -> SeedStream? {
        guard let members = mapping(node, "a seed stream", allowed: Self.seedStreamKeys) else { return nil }
        guard let keyNode = members["key"] else {
            error("a seed stream needs a key: \"queue:{{column}}\"", at: node.location)
            return nil
        }
        let key = seedTemplate(keyNode, "a stream key", columns: columns)
        var filter: [(column: String, value: String)] = []
        for pair in members["where"].map({ pairs($0, "where") }) ?? [] {
            guard columns.contains(pair.key) else {
                unknownColumn(pair.key, at: pair.keyNode.location, columns: columns)
                continue
            }
            guard let value = scalarText(pair.value, "a where value") else { continue }
            filter.append((column: pair.key, value: value))
            // A value no row can have would silently write no entry at all.
            let generator = generators.first { $0.name == pair.key }?.generator
            if case let .choice(choices)? = generator, !choices.contains(where: { $0.value == value }) {
                let values = choices.map(\.value)
                let suggestion = Suggestion.closest(to: value, among: values).map { " (did you mean '\($0)'?)" } ?? ""
                error(
                    "no row has \(pair.key) '\(value)'\(suggestion)", at: pair.value.location,
                    help: "its choices: \(values.joined(separator: ", "))")
            } else if case let .constant(constant)? = generator, constant != value {
                error("no row has \(pair.key) '\(value)': the column is always \(constant.map { "'\($0)'" } ?? "NULL")", at: pair.value.location)
            }
        }
        guard let fieldsNode = members["fields"] else {
            error("a seed stream needs fields: {field: \"{{column}}\"}", at: keyNode.location)
            return nil
        }
        let fieldPairs = pairs(fieldsNode, "fields")
        if fieldPairs.isEmpty { error("fields needs at least one field", at: fieldsNode.location) }
        let fields = fieldPairs.compactMap { pair in
            seedTemplate(pair.value, "a field's value", columns: columns).map { (name: pair.key, value: $0) }
        }
        guard let key, fields.count == fieldPairs.count, !fields.isEmpty else { return nil }
        return SeedStream(key: key, filter: filter, fields: fields, location: node.location)
    }

    /// A template whose names are columns of the row (not suite variables: seeding renders no
    /// variables), nor environment variables.
    /// `all`: every column of the table, to tell a name declared below from a misspelling.
    private mutating func seedTemplate(_ node: YAMLNode, _ what: String, columns: [String], all: [String]? = nil) -> Template? {
        guard let text = scalarText(node, what) else { return nil }
        let parsed: Template
        do {
            parsed = try Template(parsing: text)
        } catch {
            // Reported with its column by the shared path.
            _ = template(text, at: node)
            return nil
        }
        var valid = true
        for part in parsed.parts {
            switch part {
            case let .variable(name) where !columns.contains(name):
                if all?.contains(name) == true {
                    error(
                        "column '\(name)' is declared below this one", at: node.location,
                        help: "a column's template may use only the columns above it: move '\(name)' up")
                } else {
                    unknownColumn(name, at: node.location, columns: all ?? columns)
                }
                valid = false
            case let .environment(name):
                error("a seed template cannot read the environment ({{env.\(name)}})", at: node.location, help: "use a column, uuid, seq or random_int A B")
                valid = false
            default:
                break
            }
        }
        return valid ? parsed : nil
    }

    private mutating func unknownColumn(_ name: String, at location: SourceLocation, columns: [String]) {
        let suggestion = Suggestion.closest(to: name, among: columns).map { " (did you mean '\($0)'?)" } ?? ""
        error(
            "unknown column '\(name)'\(suggestion)", at: location,
            help: columns.isEmpty ? nil : "a column's template may use the columns above it; a stream's, any of: \(columns.joined(separator: ", "))")
    }

    private mutating func identifier(_ node: YAMLNode, _ what: String) -> String? {
        guard let text = string(node, what) else { return nil }
        guard isIdentifier(text) else {
            error("\(what) must be a plain SQL name (letters, digits and _, not starting with a digit), not '\(text)'", at: node.location)
            return nil
        }
        return text
    }

    /// What seeding splices into its SQL, quoted: a name that never needs escaping.
    func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 63 else { return false }
        func letter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" }
        return letter(first) && text.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
    }
}
