import AccordJSON

extension YAMLNode {
    /// The node as a JSON value, resolving plain scalars by the YAML 1.2 core schema:
    ///
    /// | written | JSON |
    /// |---|---|
    /// | `~`, `null`, `Null`, `NULL`, nothing | `null` |
    /// | `true`/`True`/`TRUE`, `false`/… | a boolean |
    /// | `12`, `-3`, `+4`, `0x1F`, `0o17` | an integer (a decimal past 64 bits: a double) |
    /// | `1.5`, `1e3`, `.5`, `1.` | a double |
    /// | anything else, and every quoted or `\|`/`>` scalar | a string |
    ///
    /// Explicit tags `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!seq` and `!!map` are
    /// honoured. Fails, at the node concerned, on `.inf`/`.nan` (JSON has no such numbers), a
    /// hex or octal integer past 64 bits, a key that is not a scalar, a duplicate key, another
    /// tag, or nesting deeper than `YAMLLoader.maxDepth`.
    public func json() -> Result<JSON, Diagnostic> {
        do {
            return .success(try jsonValue(depth: 1))
        } catch {
            return .failure(error)
        }
    }

    private func jsonValue(depth: Int) throws(Diagnostic) -> JSON {
        guard depth <= YAMLLoader.maxDepth || scalar != nil else {
            throw .error(
                "nesting deeper than \(YAMLLoader.maxDepth) levels", at: location,
                help: "a spec never needs this depth; is the file generated wrongly?")
        }
        switch kind {
        case let .scalar(text, style):
            return try scalarJSON(text, style: style)
        case let .sequence(items):
            try requireTag(among: ["!!seq"])
            var elements: [JSON] = []
            elements.reserveCapacity(items.count)
            for item in items { elements.append(try item.jsonValue(depth: depth + 1)) }
            return .array(elements)
        case let .mapping(entries):
            try requireTag(among: ["!!map"])
            var members: [(key: String, value: JSON)] = []
            members.reserveCapacity(entries.count)
            var firstLines: [String: Int] = [:]
            for (key, value) in entries {
                guard let name = key.scalar else {
                    throw .error(
                        "a mapping key must be a plain value, not \(key.describedKind)", at: key.location,
                        help: "JSON object keys are strings; write the key as text")
                }
                if let firstLine = firstLines[name] {
                    throw YAMLLoader.duplicateKey(name, at: key.location, firstLine: firstLine)
                }
                firstLines[name] = key.location.line
                members.append((name, try value.jsonValue(depth: depth + 1)))
            }
            return .object(members)
        }
    }

    private func scalarJSON(_ text: String, style: ScalarStyle) throws(Diagnostic) -> JSON {
        let resolution: CoreSchema.Resolution
        switch tag {
        case nil:
            resolution = style == .plain ? CoreSchema.resolvePlain(text) : .value(.string(text))
        case "!!str":
            resolution = .value(.string(text))
        case "!!null":
            guard CoreSchema.isNull(text) else { throw notA("!!null", text) }
            resolution = .value(.null)
        case "!!bool":
            guard let value = CoreSchema.bool(text) else { throw notA("!!bool", text) }
            resolution = .value(.bool(value))
        case "!!int":
            guard let value = CoreSchema.integer(text) else { throw notA("!!int", text) }
            resolution = value
        case "!!float":
            if case let .value(.int(integer))? = CoreSchema.integer(text) {
                resolution = .value(.double(Double(integer)))
            } else if let value = CoreSchema.float(text) ?? CoreSchema.integer(text) {
                resolution = value
            } else {
                throw notA("!!float", text)
            }
        default:
            throw unsupportedTag()
        }
        switch resolution {
        case .value(.null): return .null
        case let .value(.bool(value)): return .bool(value)
        case let .value(.int(value)): return .int(value)
        case let .value(.double(value)): return .double(value)
        case let .value(.string(value)): return .string(value)
        case .nonFinite:
            throw .error(
                "'\(YAMLLoader.quotable(text))' is not a finite number, and JSON has no others", at: location,
                help: "write a finite number, or quote it (\"\(YAMLLoader.quotable(text))\") to mean the text")
        case .outOfRange:
            throw .error(
                "the integer \(YAMLLoader.quotable(text)) does not fit in 64 bits", at: location,
                help: "quote it to mean the text")
        }
    }

    private func requireTag(among allowed: Set<String>) throws(Diagnostic) {
        if let tag, !allowed.contains(tag) { throw unsupportedTag() }
    }

    private func unsupportedTag() -> Diagnostic {
        .error(
            "unsupported YAML tag '\(YAMLLoader.quotable(tag ?? ""))'", at: location,
            help: "spec values are JSON: use !!str, !!int, !!float, !!bool or !!null, or no tag")
    }

    private func notA(_ tag: String, _ text: String) -> Diagnostic {
        .error("'\(YAMLLoader.quotable(text))' is not a valid \(tag) value", at: location)
    }
}
