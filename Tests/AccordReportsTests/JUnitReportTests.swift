import AccordTestSupport
import AccordChecks
import AccordJSON
import AccordReports
import AccordResults
import AccordSpec
import Foundation
import Testing

typealias SpecLocation = AccordSpec.SourceLocation

/// A small hand-made check document rendered to JUnit XML: counts agree with the cases, text
/// is escaped, and the document is the one results format. (The golden JUnit files are
/// rendered from recorded runs: RunReportTests.)
@Suite("JUnit report")
struct JUnitReportTests {
    static let run: ResultsDocument = {
        func at(_ line: Int) -> SpecLocation { SpecLocation(file: "specs/jobs.yaml", line: line, column: 5) }
        let suite = ResultsDocument.Suite(name: "create-job", file: "specs/jobs.yaml", cases: [
            ResultsDocument.Case(name: "create a job", location: at(4), outcome: .passed, seconds: 0.0123,
                transcript: "POST http://127.0.0.1:8080/api/v1/jobs?domain=a\n\n< 201\n"),
            ResultsDocument.Case(name: "priority above 3 is rejected", location: at(20), outcome: .failed,
                failures: [CheckFailure(message: "status", expected: "422", actual: "201", location: at(24))], seconds: 0.004,
                transcript: "POST http://127.0.0.1:8080/api/v1/jobs?priority=9\n\n< 201\n{\"job_id\":\"x\"}\n"),
            ResultsDocument.Case(name: "row in <jobs> & \"stream\"", location: at(30), outcome: .skipped,
                reason: "side effects in PostgreSQL not verified: no --database-url"),
            ResultsDocument.Case(name: "server down", location: at(40), outcome: .error, reason: "could not connect: refused \u{01}", seconds: 1.5),
        ])
        let other = ResultsDocument.Suite(name: "health", file: "specs/health.yaml", cases: [
            ResultsDocument.Case(name: "health is healthy", location: SpecLocation(file: "specs/health.yaml", line: 3, column: 5), outcome: .passed, seconds: 0.001)
        ])
        return ResultsDocument.checks(target: "http://127.0.0.1:8080", suites: [suite, other])
    }()

    @Test func countsAgreeWithTheCases() throws {
        let xml = JUnitReport.render(Self.run, name: "accord check")
        #expect(xml.contains(#"<testsuites name="accord check" tests="5" failures="1" errors="1" time="#))
        #expect(xml.contains(#"<testsuite name="create-job" id="0" tests="4" failures="1" errors="1" skipped="1""#))
        #expect(xml.components(separatedBy: "<testcase ").count - 1 == 5)
        #expect(xml.components(separatedBy: "<failure ").count - 1 == 1)
        #expect(xml.components(separatedBy: "<error ").count - 1 == 1)
        #expect(xml.components(separatedBy: "<skipped ").count - 1 == 1)
    }

    @Test func textIsEscapedAndControlCharactersDropped() {
        let xml = JUnitReport.render(Self.run, name: "accord check")
        #expect(xml.contains("row in &lt;jobs&gt; &amp; &quot;stream&quot;"))
        #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" })
    }

    @Test func aCheckDocumentIsTheOneResultsFormat() throws {
        let document = try JSON.parse(bytes: Array(Self.run.jsonData()))
        #expect(document["format"] == "accord-results")
        #expect(document["version"]?.intValue == 3)
        #expect(document["kind"] == "check")
        #expect(Self.run.passed == false)
        #expect(document["suites"]?[0]?["cases"]?[1]?["failures"]?[0]?["location"] == "specs/jobs.yaml:24:5")
        let back = try ResultsDocument.read(Self.run.jsonData(), path: "check.json")
        #expect(back == Self.run)
    }
}
