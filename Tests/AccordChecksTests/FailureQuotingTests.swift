import AccordChecks
import AccordResults
import Testing

/// A failure shown as Hurl shows it: the spec line, a caret under the expectation's value, and
/// what was expected and seen.
@Suite("Failure quoting")
struct FailureQuotingTests {
    static let spec = """
        suite: create-job
        cases:
          - name: priority above 3 is refused
            request: { method: POST, path: /api/v1/jobs }
            expect:
              status: 422   # FastAPI's validation status
              body:
                $.detail[0].loc: ["query", "priority"]
        """

    @Test func theCaretSitsUnderTheValueAndTheLabelSaysWhatWasSeen() {
        let failure = CheckFailure(message: "status", expected: "422", actual: "201", location: "specs/jobs.yaml:6:15").quoting(Self.spec)
        let source = failure.source ?? ""
        #expect(source == """
            error: status
             --> specs/jobs.yaml:6:15
              |
            6 |       status: 422   # FastAPI's validation status
              |               ^^^ expected 422, actual 201
              |
            """)
    }

    @Test("the caret spans the value to the end of the line, a comment left out", arguments: [
        ("status: 422   # comment", 9, 3),
        ("status: 422", 9, 3),
        (#"$.detail[0].loc: ["query", "priority"]"#, 18, 21),
        (#"body: "a # not a comment""#, 7, 19),
        ("x: 1", 40, 1),
        ("", 1, 1),
    ])
    func span(line: String, column: Int, length: Int) {
        #expect(CheckFailure.valueLength(in: line, from: column) == length)
    }

    @Test func aFailureWithoutALocationOrWithAnUnreadableOneIsLeftAlone() {
        let bare = CheckFailure(message: "m", expected: "e", actual: "a")
        #expect(bare.quoting(Self.spec) == bare)
        let odd = CheckFailure(message: "m", expected: "e", actual: "a", location: "nowhere")
        #expect(odd.quoting(Self.spec) == odd)
    }

    @Test func aFileNameWithColonsKeepsThem() {
        let failure = CheckFailure(message: "m", expected: "e", actual: "a", location: "C:/specs/a:b.yaml:6:17").quoting(Self.spec)
        #expect(failure.source?.contains("--> C:/specs/a:b.yaml:6:17") == true)
    }
}
