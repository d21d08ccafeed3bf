import AccordTestSupport
import AccordChecks
import AccordReports
import AccordResults
import AccordSpec
import Foundation
import Testing

/// The JUnit XML must be valid against the common Jenkins JUnit schema: the xUnit plugin's
/// junit-10.xsd, kept at `fixtures/junit/jenkins-junit.xsd`. Each test renders a results value,
/// writes it to a temporary file and runs `xmllint --noout --schema` on it, expecting exit 0.
/// xmllint comes from the Debian package libxml2-utils (`make deps` installs it); when it is
/// missing these tests fail, they never skip.
@Suite("JUnit schema")
struct JUnitSchemaTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schema = root.appendingPathComponent("fixtures/junit/jenkins-junit.xsd")
    static let xmllint = "/usr/bin/xmllint"

    struct Validation {
        var status: Int32
        var messages: String
    }

    /// Runs xmllint on a file; nil (with a recorded failure naming the package) when it is missing.
    static func validate(file: URL) throws -> Validation? {
        guard FileManager.default.isExecutableFile(atPath: xmllint) else {
            Issue.record(
                "\(xmllint) not found: install the Debian package libxml2-utils (apt-get install libxml2-utils, or make deps)")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: xmllint)
        process.arguments = ["--noout", "--schema", schema.path, file.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let messages = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Validation(status: process.terminationStatus, messages: String(decoding: messages, as: UTF8.self))
    }

    static func validate(xml: String) throws -> Validation? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("accord-junit-\(UUID().uuidString).xml")
        try xml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try validate(file: file)
    }

    static func expectValid(_ run: ResultsDocument, name: String = "accord check", sourceLocation: Testing.SourceLocation = #_sourceLocation)
        throws
    {
        let xml = JUnitReport.render(run, name: name)
        guard let result = try validate(xml: xml) else { return }
        #expect(result.status == 0, "xmllint exit \(result.status):\n\(result.messages.prefix(4000))", sourceLocation: sourceLocation)
    }

    static func at(_ line: Int, _ file: String = "specs/jobs.yaml") -> AccordSpec.SourceLocation {
        AccordSpec.SourceLocation(file: file, line: line, column: 5)
    }

    @Test func theSchemaIsInPlace() throws {
        let text = try String(contentsOf: Self.schema, encoding: .utf8)
        #expect(text.contains("junit-10.xsd"))
        #expect(text.contains(#"<xs:element name="testsuites">"#))
    }

    @Test func theGoldenFileIsValid() throws {
        let golden = Self.root.appendingPathComponent("fixtures/reports/check.junit.xml")
        guard let result = try Self.validate(file: golden) else { return }
        #expect(result.status == 0, "xmllint exit \(result.status):\n\(result.messages)")
    }

    @Test func theFixedRunIsValid() throws {
        try Self.expectValid(JUnitReportTests.run)
    }

    /// Guards the guard: a file the schema forbids must be rejected, so a passing test above
    /// means the schema was loaded and applied.
    @Test func anInvalidFileIsRejected() throws {
        let xml = JUnitReport.render(JUnitReportTests.run)
            .replacingOccurrences(of: "<testcase ", with: #"<testcase line="4" "#)
        guard let result = try Self.validate(xml: xml) else { return }
        #expect(result.status == 3, "xmllint exit \(result.status):\n\(result.messages.prefix(2000))")
        #expect(result.messages.contains("attribute 'line'"))
    }

    @Test func noSuitesAndSuitesWithoutCases() throws {
        try Self.expectValid(ResultsDocument.checks(target: "http://127.0.0.1:1", suites: []))
        try Self.expectValid(ResultsDocument.checks(target: "http://127.0.0.1:1", suites: [
            ResultsDocument.Suite(name: "empty", file: "specs/empty.yaml", cases: []),
            ResultsDocument.Suite(name: "health", file: "specs/health.yaml", cases: [
                ResultsDocument.Case(name: "health is healthy", location: Self.at(3, "specs/health.yaml"), outcome: .passed, seconds: 0.001)
            ]),
            ResultsDocument.Suite(name: "", file: "", cases: []),
        ]))
    }

    @Test func everyOutcomeWithMissingDetailsAndOddDurations() throws {
        let cases = [
            ResultsDocument.Case(name: "two failures, one without a location", location: Self.at(1), outcome: .failed, failures: [
                CheckFailure(message: "status", expected: "201", actual: "500", location: Self.at(2)),
                CheckFailure(message: "body", expected: "", actual: "", location: nil),
            ], seconds: 12345.6789, transcript: "GET /\n"),
            ResultsDocument.Case(name: "failed with no failures recorded", location: Self.at(3), outcome: .failed),
            ResultsDocument.Case(name: "error without a reason", location: Self.at(4), outcome: .error, seconds: -1),
            ResultsDocument.Case(name: "skipped without a reason", location: Self.at(5), outcome: .skipped, seconds: .nan),
            ResultsDocument.Case(name: "", location: Self.at(6), outcome: .passed, seconds: 0.0005),
        ]
        try Self.expectValid(ResultsDocument.checks(target: "t", suites: [ResultsDocument.Suite(name: "outcomes", file: "specs/o.yaml", cases: cases)]))
    }

    @Test func specialAndControlCharactersEverywhere() throws {
        let controls = String(String.UnicodeScalarView((0..<0x20 as Range<UInt32>).compactMap { Unicode.Scalar($0) }))
        let nasty = #"<tag attr="v" other='w'> & &amp; ]]> -- <!-- <![CDATA[ x ]]> ?> "# + controls
            + "\u{7F}\u{85}\u{A0}\u{2028}\u{FEFF}\u{FFFD}\u{FFFE}\u{FFFF}\r\n\r e\u{301} 日本語 🧪\u{10FFFF}"
        let failure = CheckFailure(message: nasty, expected: nasty, actual: nasty, location: Self.at(9, nasty))
        let cases = [
            ResultsDocument.Case(name: nasty, location: Self.at(1, nasty), outcome: .failed, failures: [failure], transcript: nasty),
            ResultsDocument.Case(name: "error " + nasty, location: Self.at(2, nasty), outcome: .error, reason: nasty, transcript: nasty),
            ResultsDocument.Case(name: "skipped " + nasty, location: Self.at(3, nasty), outcome: .skipped, reason: nasty),
            ResultsDocument.Case(name: "passed " + nasty, location: Self.at(4, nasty), outcome: .passed, transcript: nasty),
        ]
        try Self.expectValid(
            ResultsDocument.checks(target: nasty, suites: [ResultsDocument.Suite(name: nasty, file: nasty, cases: cases)]), name: nasty)
    }

    @Test func aVeryLongTranscript() throws {
        var transcript = "POST http://127.0.0.1:8080/api/v1/jobs\ncontent-type: application/json\n\n"
        let line = #"{"job_id":"0123456789abcdef","payload":"<&>\"'","bytes":"\#u{00}\#u{1B}[31m\#u{FFFE}"}"# + "\n"
        while transcript.utf8.count < 1_500_000 { transcript += line }
        let cases = [
            ResultsDocument.Case(name: "huge response", location: Self.at(1), outcome: .failed,
                failures: [CheckFailure(message: "body", expected: "small", actual: transcript, location: Self.at(2))],
                seconds: 2.5, transcript: transcript),
            ResultsDocument.Case(name: "huge passing response", location: Self.at(10), outcome: .passed, transcript: transcript),
        ]
        try Self.expectValid(ResultsDocument.checks(target: "t", suites: [ResultsDocument.Suite(name: "big", file: "specs/big.yaml", cases: cases)]))
    }
}
