import AccordChecks
import AccordResults

/// JUnit XML in the common Jenkins/Ant shape: one `<testsuite>` per spec file, one
/// `<testcase>` per case with `classname` and `time`; `<failure>` for a broken expectation,
/// `<error>` for a check that could not run, `<skipped>` for one not run; `<system-out>` holds
/// the request and response. Counts are computed from the cases, so they always agree.
///
/// Valid against the Jenkins xUnit plugin's junit-10.xsd (`fixtures/junit/jenkins-junit.xsd`,
/// checked by `JUnitSchemaTests`), which is strict about attributes: `<testsuites>` carries no
/// `skipped` count (each `<testsuite>` does) and `<testcase>` no `file`/`line` (the suite has
/// `file`; a failure's text names its location; results.json has every case's location).
///
/// ```xml
/// <testsuites name="accord check" tests="2" failures="1" errors="0" time="0.031">
///   <testsuite name="create-job" tests="2" failures="1" errors="0" skipped="0" time="0.031">
///     <testcase classname="core.create-job" name="create a job" time="0.012"/>
///     <testcase classname="strict.create-job" name="priority above 3" …>
///       <failure message="status: expected 422, got 201" type="assertion">…</failure>
///       <system-out>POST http://…</system-out>
///     </testcase>
///   </testsuite>
/// </testsuites>
/// ```
public enum JUnitReport {
    /// Any results document — `accord check`, `load` or `run`: every verdict suite (functional,
    /// targets, scenarios, capacity, reconciliation, reliability), one testcase per verdict.
    public static func render(_ report: ResultsDocument, name: String = "accord run") -> String {
        render(suites: report.suites, name: name)
    }

    /// The one renderer: `accord check`, `accord run`, `accord report` and `accord compare` all end here.
    public static func render(suites: [ResultsDocument.Suite], name: String) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        let totals = suites.flatMap(\.cases)
        let failed = totals.filter { $0.outcome == .failed }.count
        let errors = totals.filter { $0.outcome == .error }.count
        xml += "<testsuites name=\"\(escape(name))\" tests=\"\(totals.count)\" failures=\"\(failed)\" "
            + "errors=\"\(errors)\" time=\"\(seconds(suites.reduce(0) { $0 + $1.seconds }))\">\n"
        for (index, suite) in suites.enumerated() {
            xml += "  <testsuite name=\"\(escape(suite.name))\" id=\"\(index)\" tests=\"\(suite.cases.count)\" "
                + "failures=\"\(suite.count(.failed))\" errors=\"\(suite.count(.error))\" skipped=\"\(suite.count(.skipped))\" "
                + "time=\"\(seconds(suite.seconds))\" file=\"\(escape(suite.file))\">\n"
            for result in suite.cases {
                xml += testcase(result, suite: suite)
            }
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        return xml
    }

    /// `core.create-job`: the case's level first, so every JUnit consumer groups by level; the
    /// suite alone for a case without one (documents written before levels).
    static func classname(_ result: ResultsDocument.Case, suite: ResultsDocument.Suite) -> String {
        result.level.map { "\($0).\(suite.name)" } ?? suite.name
    }

    static func testcase(_ result: ResultsDocument.Case, suite: ResultsDocument.Suite) -> String {
        let open = "    <testcase classname=\"\(escape(classname(result, suite: suite)))\" name=\"\(escape(result.name))\" "
            + "time=\"\(seconds(result.seconds))\""
        var body = ""
        switch result.outcome {
        case .passed:
            break
        case .failed:
            let first = result.failures.first
            let message = first.map { "\($0.message): expected \($0.expected), got \($0.actual)" } ?? "failed"
            // Each failure as the console shows it (the spec line with a caret under the broken
            // expectation), then the request sent and the answer: many JUnit viewers show only this.
            var details = result.failures.map(FailureText.block).joined(separator: "\n\n")
            if !result.transcript.isEmpty { details += "\n\n" + result.transcript }
            body += "      <failure message=\"\(escape(message))\" type=\"assertion\">\(escape(details))</failure>\n"
        case .error:
            body += "      <error message=\"\(escape(result.reason ?? "error"))\" type=\"error\">\(escape(result.reason ?? ""))</error>\n"
        case .skipped:
            body += "      <skipped message=\"\(escape(result.reason ?? "skipped"))\"/>\n"
        }
        if !result.transcript.isEmpty {
            body += "      <system-out>\(escape(result.transcript))</system-out>\n"
        }
        return body.isEmpty ? open + "/>\n" : open + ">\n" + body + "    </testcase>\n"
    }

    static func seconds(_ value: Double) -> String {
        // NaN, infinite or negative durations never come from a clock; show them as 0.
        let bounded = value.isFinite ? min(max(0, value), 1e9) : 0
        let milliseconds = Int((bounded * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    static func escape(_ text: String) -> String { Markup.escape(text) }
}
