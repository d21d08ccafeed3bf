import AccordResults

/// One failure as text, the same in the console and in JUnit: the spec excerpt with its caret
/// when the failure has one (``CheckFailure/source``), else what was expected and seen and
/// where.
enum FailureText {
    static func block(_ failure: CheckFailure) -> String {
        if let source = failure.source, !source.isEmpty { return source }
        var text = "error: \(failure.message)\n  expected: \(failure.expected)\n  actual:   \(failure.actual)"
        if let location = failure.location, !location.isEmpty { text += "\n  --> \(location)" }
        return text
    }
}
