import CYAML

/// Turns a composed libyaml document into `YAMLNode`s, copying each alias's target, and stops
/// (by throwing) rather than recurse without end or without bound: deeper than
/// `YAMLLoader.maxDepth`, an alias inside the node it names, or aliases that expand to more
/// than `YAMLLoader.maxAliasExpansion` extra nodes ("billion laughs"). Duplicate keys do not
/// stop it; they are collected in `diagnostics`.
struct YAMLTreeBuilder {
    private let document: LibYAMLDocument
    private let lines: SourceLines
    private let file: String
    private let survey: TokenSurvey
    /// Nodes on the path from the root to the node being built: an alias to one is a cycle.
    private var onPath: [Bool]
    /// Nodes built at least once: meeting one again means it was reached through an alias.
    private var built: [Bool]
    private var aliasCopies = 0
    private(set) var diagnostics: [Diagnostic] = []

    init(document: LibYAMLDocument, lines: SourceLines, file: String, survey: TokenSurvey) {
        self.document = document
        self.lines = lines
        self.file = file
        self.survey = survey
        onPath = Array(repeating: false, count: document.nodeCount + 1)
        built = onPath
    }

    /// The tree under the root (node 1).
    mutating func buildRoot() throws(Diagnostic) -> YAMLNode {
        try build(1, depth: 1, copying: false)
    }

    private mutating func build(_ index: Int32, depth: Int, copying: Bool) throws(Diagnostic) -> YAMLNode {
        guard index >= 1, Int(index) < onPath.count, let node = document.node(index) else {
            throw .error(
                "the YAML document refers to a node that does not exist", at: location(of: nil),
                help: "this is a bug in the YAML loader; please report it with the file")
        }
        let slot = Int(index)
        let nodeLocation = location(of: node)
        guard depth <= YAMLLoader.maxDepth || node.pointee.type == YAML_SCALAR_NODE else {
            throw .error(
                "nesting deeper than \(YAMLLoader.maxDepth) levels", at: nodeLocation,
                help: "a spec never needs this depth; is the file generated wrongly?")
        }
        guard !onPath[slot] else {
            let name = survey.anchorNames[node.pointee.start_mark.index].map { "'&\($0)' " } ?? ""
            throw .error(
                "recursive alias: the node anchored \(name)here contains an alias to itself",
                at: nodeLocation, label: "anchored here",
                help: "an alias must not refer to a node that contains it")
        }
        let isCopy = copying || built[slot]
        built[slot] = true
        if isCopy {
            aliasCopies += 1
            guard aliasCopies <= YAMLLoader.maxAliasExpansion else {
                throw .error(
                    "aliases expand this document beyond \(YAMLLoader.maxAliasExpansion) more nodes",
                    at: nodeLocation, label: "copied once per alias",
                    help: "each '*alias' copies its anchor's node, so aliases of aliases multiply; share less")
            }
        }

        onPath[slot] = true
        defer { onPath[slot] = false }
        let tag = explicitTag(of: node)
        switch node.pointee.type {
        case YAML_SCALAR_NODE:
            let scalar = node.pointee.data.scalar
            let text = scalar.value.map {
                String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self)
            } ?? ""
            return YAMLNode(kind: .scalar(text, style: Self.style(scalar.style)), location: nodeLocation, tag: tag)
        case YAML_SEQUENCE_NODE:
            var items: [YAMLNode] = []
            let stack = node.pointee.data.sequence.items
            if let start = stack.start, let top = stack.top {
                items.reserveCapacity(top - start)
                for child in UnsafeBufferPointer(start: start, count: top - start) {
                    items.append(try build(child, depth: depth + 1, copying: isCopy))
                }
            }
            return YAMLNode(kind: .sequence(items), location: nodeLocation, tag: tag)
        case YAML_MAPPING_NODE:
            var entries: [(key: YAMLNode, value: YAMLNode)] = []
            var firstLines: [String: Int] = [:]
            let stack = node.pointee.data.mapping.pairs
            if let start = stack.start, let top = stack.top {
                entries.reserveCapacity(top - start)
                for pair in UnsafeBufferPointer(start: start, count: top - start) {
                    let key = try build(pair.key, depth: depth + 1, copying: isCopy)
                    let value = try build(pair.value, depth: depth + 1, copying: isCopy)
                    if let name = key.scalar {
                        if let firstLine = firstLines[name] {
                            diagnostics.append(YAMLLoader.duplicateKey(name, at: key.location, firstLine: firstLine))
                        } else {
                            firstLines[name] = key.location.line
                        }
                    }
                    entries.append((key, value))
                }
            }
            return YAMLNode(kind: .mapping(entries), location: nodeLocation, tag: tag)
        default:
            throw .error("the YAML document holds a node of no known kind", at: nodeLocation)
        }
    }

    /// Where a node was written: its start, underlined to its end on the same line, or to the
    /// end of that line's content when it goes on.
    private func location(of node: UnsafeMutablePointer<yaml_node_t>?) -> SourceLocation {
        guard let node else { return SourceLocation(file: file, line: 1, column: 1) }
        let start = node.pointee.start_mark
        let end = node.pointee.end_mark
        let line = start.line + 1
        let column = start.column + 1
        let length = end.line == start.line
            ? end.column - start.column
            : lines.spanToEndOfContent(line: line, column: column)
        return SourceLocation(file: file, line: line, column: column, length: length)
    }

    /// The node's tag in short form when one was written (libyaml fills in default tags).
    private func explicitTag(of node: UnsafeMutablePointer<yaml_node_t>) -> String? {
        let start = node.pointee.start_mark.index
        guard survey.mayHaveTag(at: start), let pointer = node.pointee.tag else { return nil }
        let resolved = String(cString: pointer)
        guard survey.hasExplicitTag(at: start, resolvedTag: resolved) else { return nil }
        let prefix = "tag:yaml.org,2002:"
        return resolved.hasPrefix(prefix) ? "!!" + resolved.dropFirst(prefix.count) : resolved
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLNode.ScalarStyle {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE, YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .quoted
        case YAML_LITERAL_SCALAR_STYLE, YAML_FOLDED_SCALAR_STYLE: return .literal
        default: return .plain
        }
    }
}
