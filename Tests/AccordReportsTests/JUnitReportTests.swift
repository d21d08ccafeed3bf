import AccordChecks
import AccordJSON
import AccordReports
import AccordSpec
import Foundation
import Testing

typealias SpecLocation = AccordSpec.SourceLocation

/// A fixed results value rendered to JUnit XML must equal the golden file
/// (`fixtures/reports/check.junit.xml`; `ACCORD_RECORD=1` re-records it).
@Suite("JUnit report")
struct JUnitReportTests {
    static let run: CheckRunResult = {
        func at(_ line: Int) -> SpecLocation { SpecLocation(file: "specs/jobs.yaml", line: line, column: 5) }
        let suite = SuiteResult(name: "create-job", file: "specs/jobs.yaml", cases: [
            CaseResult(name: "create a job", location: at(4), outcome: .passed, durationSeconds: 0.0123,
                transcript: "POST http://127.0.0.1:8080/api/v1/jobs?domain=a\n\n< 201\n"),
            CaseResult(name: "priority above 3 is rejected", location: at(20), outcome: .failed,
                failures: [AssertionFailure(message: "status", expected: "422", actual: "201", location: at(24))], durationSeconds: 0.004,
                transcript: "POST http://127.0.0.1:8080/api/v1/jobs?priority=9\n\n< 201\n{\"job_id\":\"x\"}\n"),
            CaseResult(name: "row in <jobs> & \"stream\"", location: at(30), outcome: .skipped,
                reason: "side effects in PostgreSQL not verified: no --database-url"),
            CaseResult(name: "server down", location: at(40), outcome: .error, reason: "could not connect: refused \u{01}", durationSeconds: 1.5),
        ])
        let other = SuiteResult(name: "health", file: "specs/health.yaml", cases: [
            CaseResult(name: "health is healthy", location: SpecLocation(file: "specs/health.yaml", line: 3, column: 5), outcome: .passed, durationSeconds: 0.001)
        ])
        return CheckRunResult(target: "http://127.0.0.1:8080", suites: [suite, other])
    }()

    @Test func matchesTheGoldenFile() throws {
        try ReportFixtures.expect(JUnitReport.render(Self.run), matches: "check.junit.xml")
    }

    @Test func countsAgreeWithTheCases() throws {
        let xml = JUnitReport.render(Self.run)
        #expect(xml.contains(#"<testsuites name="accord check" tests="5" failures="1" errors="1" time="#))
        #expect(xml.contains(#"<testsuite name="create-job" id="0" tests="4" failures="1" errors="1" skipped="1""#))
        #expect(xml.components(separatedBy: "<testcase ").count - 1 == 5)
        #expect(xml.components(separatedBy: "<failure ").count - 1 == 1)
        #expect(xml.components(separatedBy: "<error ").count - 1 == 1)
        #expect(xml.components(separatedBy: "<skipped ").count - 1 == 1)
    }

    @Test func textIsEscapedAndControlCharactersDropped() {
        let xml = JUnitReport.render(Self.run)
        #expect(xml.contains("row in &lt;jobs&gt; &amp; &quot;stream&quot;"))
        #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" })
    }

    @Test func resultsJSONIsVersionedAndParses() throws {
        let document = try JSON.parse(CheckResultsJSON.render(Self.run))
        #expect(document["format"] == "accord-check-results")
        #expect(document["version"]?.intValue == 1)
        #expect(document["passed"] == false)
        #expect(document["totals"]?["failed"]?.intValue == 1)
        #expect(document["suites"]?[0]?["cases"]?[1]?["failures"]?[0]?["location"] == "specs/jobs.yaml:24:5")
    }
}
