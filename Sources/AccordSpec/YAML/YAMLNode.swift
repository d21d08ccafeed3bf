/// One node of a loaded YAML document, with where it was written. Aliases are already
/// expanded: a `*name` shows up as a copy of the node anchored `&name` (and its location).
///
/// ```yaml
/// expect:            # mapping at 1:1, key "expect" at 1:1
///   status: 201      # mapping at 2:3; "status" at 2:3 (length 6); 201 plain at 2:11
///   tags: [a, "b"]   # list at 3:9 (length 8); a plain at 3:10; "b" quoted at 3:13
/// ```
public struct YAMLNode: Sendable {
    /// What the node holds.
    public enum Kind: Sendable {
        /// Text, and how it was written (which decides what it means).
        case scalar(String, style: ScalarStyle)
        /// A list, block (`- item`) or flow (`[a, b]`).
        case sequence([YAMLNode])
        /// Entries in the order written, duplicates included (the loader reports them).
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    /// How a scalar was written, which decides whether `201` is a number or a string.
    public enum ScalarStyle: Sendable, Hashable {
        /// Unquoted: resolved by the YAML 1.2 core schema (null, booleans, numbers, else text).
        case plain
        /// 'single' or "double" quoted: always a string.
        case quoted
        /// A `|` or `>` block: always a string.
        case literal
    }

    /// What the node holds: a scalar, a list or a mapping.
    public var kind: Kind
    /// The node's first character (its `&anchor` or `!tag`, when it has one); the length spans
    /// the node on that line (the rest of the line for a node that goes on).
    public var location: SourceLocation
    /// An explicit tag in short form (`!!str`, `!!int`, `!local`), or nil when none was written.
    public var tag: String?

    /// A node, for tests and for tools that build trees by hand (`YAMLLoader` makes the rest).
    public init(kind: Kind, location: SourceLocation, tag: String? = nil) {
        self.kind = kind
        self.location = location
        self.tag = tag
    }
}

extension YAMLNode {
    /// The text of a scalar, whatever its style; nil for a list or a mapping.
    public var scalar: String? {
        if case let .scalar(text, _) = kind { return text }
        return nil
    }

    /// How a scalar was written; nil for a list or a mapping.
    public var scalarStyle: ScalarStyle? {
        if case let .scalar(_, style) = kind { return style }
        return nil
    }

    /// The items of a list; nil for anything else.
    public var sequence: [YAMLNode]? {
        if case let .sequence(items) = kind { return items }
        return nil
    }

    /// The entries of a mapping, in the order written; nil for anything else.
    public var mapping: [(key: YAMLNode, value: YAMLNode)]? {
        if case let .mapping(entries) = kind { return entries }
        return nil
    }

    /// True for a YAML null: a plain `~`, `null`, `Null`, `NULL` or nothing at all (`key:`),
    /// or an explicit `!!null`. A quoted `"null"` is a string.
    public var isNull: Bool {
        guard case let .scalar(text, style) = kind else { return false }
        if tag == "!!null" { return true }
        guard tag == nil, style == .plain else { return false }
        return CoreSchema.isNull(text)
    }

    /// The value of the first entry whose key is the scalar `key`, or nil (also for a node that
    /// is not a mapping).
    public func mappingValue(_ key: String) -> YAMLNode? {
        mappingEntry(key)?.value
    }

    /// The first entry whose key is the scalar `key`, so that errors can point at the key.
    public func mappingEntry(_ key: String) -> (key: YAMLNode, value: YAMLNode)? {
        mapping?.first { $0.key.scalar == key }
    }

    /// The scalar keys of a mapping, in order (empty for anything else).
    public var mappingKeys: [String] {
        (mapping ?? []).compactMap { $0.key.scalar }
    }

    /// What the node is, for messages like "expected a mapping, found a list": "a mapping",
    /// "a list", "a string", "an integer", "a number", "a boolean" or "null".
    public var describedKind: String {
        switch kind {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar:
            switch json() {
            case .success(.null): return "null"
            case .success(.bool): return "a boolean"
            case .success(.int): return "an integer"
            case .success(.double): return "a number"
            default: return "a string"
            }
        }
    }
}
