extension SpecDecoder {
    static let verifyKeys = ["sql", "params", "rows", "count", "stream", "entry", "fields", "length_delta", "key", "exists"]

    mutating func decodeVerifications(_ node: YAMLNode) -> [Verification] {
        sequence(node, "verify").compactMap { decodeVerification($0) }
    }

    mutating func decodeVerification(_ node: YAMLNode) -> Verification? {
        guard let members = mapping(node, "a verification", allowed: Self.verifyKeys) else { return nil }
        if let sqlNode = members["sql"] {
            guard let query = string(sqlNode, "sql") else { return nil }
            let params = members["params"].map { items($0).compactMap { template($0, "a parameter") } } ?? []
            var rows: [[Template?]]?
            if let rowsNode = members["rows"] {
                rows = sequence(rowsNode, "rows").map { row in
                    sequence(row, "a row").map { cell in cell.isNull ? nil : template(cell, "a value") }
                }
            }
            let count = members["count"].flatMap { integer($0, "count", in: 0...1_000_000) }
            if rows == nil, count == nil {
                error("an sql verification needs rows: [[…]] or count: N", at: sqlNode.location)
                return nil
            }
            return Verification(kind: .sql(query: query, params: params, rows: rows, count: count), location: node.location)
        }
        if let keyNode = members["key"] {
            guard let key = template(keyNode, "key") else { return nil }
            let exists = members["exists"].flatMap { boolean($0, "exists") } ?? true
            return Verification(kind: .keyExists(key: key, exists: exists), location: node.location)
        }
        if let streamNode = members["stream"] {
            guard let stream = template(streamNode, "stream") else { return nil }
            if let deltaNode = members["length_delta"] {
                guard let delta = integer(deltaNode, "length_delta", in: -1_000_000...1_000_000) else { return nil }
                return Verification(kind: .streamLengthDelta(stream: stream, delta: delta), location: node.location)
            }
            guard let entryNode = members["entry"] else {
                error("a stream verification needs entry: {field: value} or length_delta: N", at: streamNode.location)
                return nil
            }
            let match = namedTemplates(entryNode, "entry")
            if match.isEmpty {
                error("entry: needs at least one field: value to find the entry by", at: entryNode.location)
                return nil
            }
            let fields = members["fields"].map { namedTemplates($0, "fields") } ?? []
            return Verification(kind: .streamEntry(stream: stream, match: match, fields: fields), location: node.location)
        }
        error("a verification is one of sql:, stream:, key:", at: node.location)
        return nil
    }
}
