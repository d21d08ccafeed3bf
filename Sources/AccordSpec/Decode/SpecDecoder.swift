import AccordJSON

/// Turns a YAML tree into a `SpecFile`, collecting every problem as a located diagnostic
/// instead of stopping at the first: a user fixing a file sees all its errors in one run.
///
/// The decoder is strict: unknown keys (with "did you mean"), wrong types, invalid regexes,
/// JSONPaths and templates, undefined variables and duplicate names are all errors.
struct SpecDecoder {
    let file: String
    var diagnostics: [Diagnostic] = []
    /// Names defined outside the file (`--var`), usable in any template.
    let externalVariables: Set<String>
    /// Every template with where it was written, checked for undefined names at the end.
    var templateUses: [TemplateUse] = []

    struct TemplateUse {
        var template: Template
        var location: SourceLocation
        /// The case it belongs to (nil: suite level), and whether it is rendered after the
        /// case's answer arrived (then the case's own captures are defined).
        var caseIndex: Int?
        var afterResponse: Bool
    }

    /// The capture names of every case item, by position (empty for items that failed).
    var capturesByCase: [[String]] = []

    /// `defaults: {timeout:}`: the timeout of requests that give none.
    var defaultTimeout: Int?

    /// Which case is being decoded, and whether templates now are rendered after its answer.
    var currentCase: Int?
    var afterResponse = false

    /// Reads a file a spec refers to (`schema: {file:}`) by its path; nil when it cannot.
    let readFile: (String) -> [UInt8]?
    /// Documents already read and parsed, by path (a file's cases share one read).
    var documents: [String: Result<JSON, JSONSchema.DocumentProblem>] = [:]

    init(file: String, externalVariables: Set<String>, readFile: @escaping (String) -> [UInt8]? = { _ in nil }) {
        self.file = file
        self.externalVariables = externalVariables
        self.readFile = readFile
    }

    mutating func error(_ message: String, at location: SourceLocation, label: String? = nil, help: String? = nil) {
        diagnostics.append(.error(message, at: location, label: label, help: help))
    }

    // MARK: Shapes

    /// The members of a mapping node, after reporting every key not in `allowed`.
    mutating func mapping(_ node: YAMLNode, _ what: String, allowed: [String]) -> [String: YAMLNode]? {
        guard case let .mapping(pairs) = node.kind else {
            error("\(what) must be a mapping, not \(node.describedKind)", at: node.location)
            return nil
        }
        var members: [String: YAMLNode] = [:]
        for (key, value) in pairs {
            guard case let .scalar(name, _) = key.kind else {
                error("keys of \(what) must be plain names", at: key.location)
                continue
            }
            guard allowed.contains(name) else {
                let suggestion = Suggestion.closest(to: name, among: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                error(
                    "unknown key '\(name)' in \(what)\(suggestion)", at: key.location,
                    help: suggestion.isEmpty ? "allowed here: \(allowed.joined(separator: ", "))" : nil)
                continue
            }
            members[name] = value
        }
        return members
    }

    /// The pairs of a mapping whose keys are free-form (variables, headers, query, JSONPaths).
    mutating func pairs(_ node: YAMLNode, _ what: String) -> [(key: String, keyNode: YAMLNode, value: YAMLNode)] {
        guard case let .mapping(pairs) = node.kind else {
            if !node.isNull { error("\(what) must be a mapping, not \(node.describedKind)", at: node.location) }
            return []
        }
        return pairs.compactMap { key, value in
            guard case let .scalar(name, _) = key.kind else {
                error("keys of \(what) must be scalars", at: key.location)
                return nil
            }
            return (key: name, keyNode: key, value: value)
        }
    }

    mutating func sequence(_ node: YAMLNode, _ what: String) -> [YAMLNode] {
        switch node.kind {
        case let .sequence(items): return items
        default:
            error("\(what) must be a list, not \(node.describedKind)", at: node.location)
            return []
        }
    }

    /// A list, or a single item standing for a list of one.
    func items(_ node: YAMLNode) -> [YAMLNode] {
        if case let .sequence(items) = node.kind { return items }
        return [node]
    }

    // MARK: Scalars

    mutating func string(_ node: YAMLNode, _ what: String) -> String? {
        guard case let .scalar(text, _) = node.kind, !node.isNull else {
            error("\(what) must be a string, not \(node.describedKind)", at: node.location)
            return nil
        }
        return text
    }

    /// A scalar's text for a value that is sent as text (a query value, a header): numbers
    /// and booleans are fine and keep their spelling.
    mutating func scalarText(_ node: YAMLNode, _ what: String) -> String? {
        guard case let .scalar(text, _) = node.kind else {
            error("\(what) must be a single value, not \(node.describedKind)", at: node.location)
            return nil
        }
        return text
    }

    mutating func integer(_ node: YAMLNode, _ what: String, in range: ClosedRange<Int>) -> Int? {
        guard case let .scalar(text, style) = node.kind, style == .plain, let value = Int(text) else {
            error("\(what) must be an integer", at: node.location)
            return nil
        }
        guard range.contains(value) else {
            error("\(what) must be between \(range.lowerBound) and \(range.upperBound), not \(value)", at: node.location)
            return nil
        }
        return value
    }

    mutating func number(_ node: YAMLNode, _ what: String) -> Double? {
        guard case let .scalar(text, style) = node.kind, style == .plain, let value = Double(text), value.isFinite else {
            error("\(what) must be a number", at: node.location)
            return nil
        }
        return value
    }

    mutating func boolean(_ node: YAMLNode, _ what: String) -> Bool? {
        guard case let .scalar(text, style) = node.kind, style == .plain, let value = ["true": true, "false": false][text] else {
            error("\(what) must be true or false", at: node.location)
            return nil
        }
        return value
    }

    mutating func stringList(_ node: YAMLNode, _ what: String) -> [String] {
        items(node).compactMap { string($0, what) }
    }

    /// A duration with a unit: `250ms`, `5s`, `1.5m`, `1h`; in milliseconds.
    mutating func duration(_ node: YAMLNode, _ what: String) -> Int? {
        guard case let .scalar(text, _) = node.kind, let milliseconds = Durations.milliseconds(text) else {
            error("\(what) must be a duration such as 250ms, 5s, 2m or 1h", at: node.location)
            return nil
        }
        return milliseconds
    }

    mutating func json(_ node: YAMLNode) -> JSON? {
        switch node.json() {
        case let .success(value):
            recordTemplates(in: value, at: node.location)
            return value
        case let .failure(diagnostic):
            diagnostics.append(diagnostic)
            return nil
        }
    }

    // MARK: Templates

    /// Parses a template from a scalar, pointing errors at the exact column.
    mutating func template(_ node: YAMLNode, _ what: String) -> Template? {
        guard let text = scalarText(node, what) else { return nil }
        return template(text, at: node)
    }

    mutating func template(_ text: String, at node: YAMLNode) -> Template? {
        do {
            let parsed = try Template(parsing: text)
            templateUses.append(TemplateUse(template: parsed, location: node.location, caseIndex: currentCase, afterResponse: afterResponse))
            return parsed
        } catch {
            var location = node.location
            if case let .scalar(_, style) = node.kind {
                location.column += error.offset + (style == .quoted ? 1 : 0)
                location.length = error.length
            }
            self.error(error.message, at: location)
            return nil
        }
    }

    /// JSON strings in bodies and expected values are templates too.
    mutating func recordTemplates(in value: JSON, at location: SourceLocation) {
        switch value {
        case let .string(text) where text.contains("{{"):
            do {
                let parsed = try Template(parsing: text)
                templateUses.append(TemplateUse(template: parsed, location: location, caseIndex: currentCase, afterResponse: afterResponse))
            } catch {
                self.error("\(error.message) in \"\(text)\"", at: location)
            }
        case let .array(elements):
            for element in elements { recordTemplates(in: element, at: location) }
        case let .object(members):
            for member in members { recordTemplates(in: member.value, at: location) }
        default:
            break
        }
    }

    /// Reports every template name that is neither a suite variable, nor a `--var`, nor
    /// captured by an earlier case (or by the same case, after its answer).
    mutating func checkUndefinedNames(variables: [String], pools: [String] = [], feeders: [String] = []) {
        let base = Set(variables).union(externalVariables)
        for use in templateUses {
            var defined = base
            if let index = use.caseIndex {
                for earlier in capturesByCase.prefix(index) { defined.formUnion(earlier) }
                if use.afterResponse, capturesByCase.indices.contains(index) { defined.formUnion(capturesByCase[index]) }
            }
            for name in use.template.variables where !defined.contains(name) && !Self.isDataName(name, pools: pools, feeders: feeders) {
                let known = Array(defined).sorted()
                let suggestion = Suggestion.closest(to: name, among: known).map { " (did you mean '\($0)'?)" } ?? ""
                error(
                    "undefined variable '\(name)'\(suggestion)", at: use.location,
                    help: "define it under variables:, capture it in an earlier case, or pass --var \(name)=VALUE")
            }
        }
    }
}

/// Duration text to milliseconds.
public enum Durations {
    /// `250ms`, `5s`, `1.5s`, `2m`, `1h` → milliseconds; nil without a known unit or when
    /// negative.
    public static func milliseconds(_ text: String) -> Int? {
        parse(text, units: units, limit: Double(Int32.max)).map { Int($0) }
    }

    /// Like `milliseconds`, with days (`30d`) and up to 100 years: for ages of seeded data.
    public static func longMilliseconds(_ text: String) -> Int64? {
        parse(text, units: units + [("d", 86_400_000)], limit: 100 * 365 * 86_400_000)
    }

    private static let units: [(suffix: String, factor: Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]

    private static func parse(_ text: String, units: [(suffix: String, factor: Double)], limit: Double) -> Int64? {
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = text.dropLast(unit.suffix.count)
            // "5ms" also ends in "s": only accept when the rest is a plain number.
            guard let value = Double(number), value.isFinite, value >= 0, number.first?.isNumber == true else { continue }
            let milliseconds = value * unit.factor
            guard milliseconds <= limit else { return nil }
            return Int64(milliseconds.rounded())
        }
        return nil
    }
}
