import AccordSpec
import Testing

@Suite("Did you mean …?")
struct SuggestionTests {
    static let expectKeys = ["status", "headers", "body", "schema", "max_time", "body_not_contains"]

    @Test(arguments: [
        ("statuss", expectKeys, "status"),
        ("Status", expectKeys, "status"),
        ("stauts", expectKeys, "status"),            // a swap of neighbours is one edit
        ("hedaers", expectKeys, "headers"),
        ("header", expectKeys, "headers"),
        ("bdy", expectKeys, "body"),
        ("max_tme", expectKeys, "max_time"),
        ("maxtime", expectKeys, "max_time"),
        ("shcema", expectKeys, "schema"),
        ("CONTENT-TYPE", ["Content-Type", "Content-Length"], "Content-Type"),
        ("cat", ["hat", "bat"], "bat"),                // ties: the one that sorts first …
        ("cat", ["bat", "hat"], "bat"),                // … whatever the candidates' order
        ("jsn", ["json", "body"], "json"),
        ("capture", ["captures", "capture"], "capture"),
    ] as [(String, [String], String?)])
    func suggestsTheClosestName(word: String, candidates: [String], expected: String?) {
        #expect(Suggestion.closest(to: word, among: candidates) == expected)
    }

    @Test(arguments: [
        ("xyz", expectKeys),
        ("bo", expectKeys),                            // 2 edits from 'body': too far for 2 letters
        ("", expectKeys),
        ("status", [String]()),
        ("verification", expectKeys),
        ("a", ["bb"]),
    ])
    func staysQuietWhenNothingIsClose(word: String, candidates: [String]) {
        #expect(Suggestion.closest(to: word, among: candidates) == nil)
    }
}
