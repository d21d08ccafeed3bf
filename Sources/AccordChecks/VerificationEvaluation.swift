import AccordResults
import AccordSpec

/// What a probe saw for one verification.
public enum Observation: Sendable {
    case rows([[String?]])
    /// Every entry of a stream, as its fields in order.
    case entries([[(name: String, value: String)]])
    case exists(Bool)
    /// A stream and its length now.
    case length(String, Int64)
}

/// Compares what the probes saw with what `verify:` says (pure; templates rendered here).
public enum VerificationEvaluation {
    public static func evaluate(
        _ verification: Verification, observation: Observation, context: RenderContext, lengthsBefore: [String: Int64]
    ) throws(RenderError) -> CheckFailure? {
        let location = verification.location
        switch (verification.kind, observation) {
        case let (.sql(query, _, rows, count), .rows(seen)):
            if let count, seen.count != count {
                return CheckFailure(message: "rows of `\(query)`", expected: "\(count) row(s)", actual: "\(seen.count) row(s)", location: location)
            }
            if let rows {
                var expected: [[String?]] = []
                for row in rows {
                    var values: [String?] = []
                    for cell in row { values.append(try cell?.render(context)) }
                    expected.append(values)
                }
                if expected != seen {
                    return CheckFailure(message: "rows of `\(query)`", expected: show(expected), actual: show(seen), location: location)
                }
            }
            return nil
        case let (.streamEntry(stream, match, fields), .entries(entries)):
            var wanted: [(name: String, value: String)] = []
            for pair in match { wanted.append((name: pair.name, value: try pair.value.render(context))) }
            let matching = entries.filter { entry in
                wanted.allSatisfy { want in entry.contains { $0.name == want.name && $0.value == want.value } }
            }
            let description = wanted.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
            guard matching.count == 1, let entry = matching.first else {
                return CheckFailure(
                    message: "entries of stream \(try stream.render(context)) with \(description)", expected: "exactly 1", actual: "\(matching.count)", location: location)
            }
            for field in fields {
                let value = try field.value.render(context)
                let seen = entry.first { $0.name == field.name }?.value
                if seen != value {
                    return CheckFailure(
                        message: "field \(field.name) of the entry with \(description)", expected: "\"\(value)\"",
                        actual: seen.map { "\"\($0)\"" } ?? "no such field", location: location)
                }
            }
            return nil
        case let (.keyExists(key, exists), .exists(seen)):
            guard seen != exists else { return nil }
            return CheckFailure(
                message: "Redis key \(try key.render(context))", expected: exists ? "exists" : "absent", actual: seen ? "exists" : "absent", location: location)
        case let (.streamLengthDelta(_, delta), .length(name, now)):
            let before = lengthsBefore[name] ?? 0
            guard now - before != Int64(delta) else { return nil }
            return CheckFailure(
                message: "growth of stream \(name)", expected: "\(delta)", actual: "\(now - before) (from \(before) to \(now))", location: location)
        default:
            return CheckFailure(message: "internal: observation does not fit the verification", expected: "-", actual: "-", location: location)
        }
    }

    static func show(_ rows: [[String?]]) -> String {
        let text = "[" + rows.map { "[" + $0.map { $0.map { "\"\($0)\"" } ?? "null" }.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
