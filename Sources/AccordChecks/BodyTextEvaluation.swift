import AccordResults
import AccordHTTPTypes

/// `body_not_contains`: nil when the raw body holds none of `fragments` (compared byte for byte
/// as UTF-8, case-sensitive); else one failure naming every fragment found.
public func evaluate(bodyNotContaining fragments: [String], on response: ClientResponse) -> CheckFailure? {
    let found = fragments.filter { !$0.isEmpty && contains(response.body, Array($0.utf8)) }
    guard !found.isEmpty else { return nil }
    let names = found.map { Rendering.value(.string($0)) }.joined(separator: ", ")
    return CheckFailure(
        message: "the body contains \(names)",
        expected: "a body without " + fragments.map { Rendering.value(.string($0)) }.joined(separator: ", "),
        actual: Rendering.value(.string(response.bodyText)))
}

private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= haystack.count else { return false }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if haystack[start..<start + needle.count].elementsEqual(needle) { return true }
    }
    return false
}
