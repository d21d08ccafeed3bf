import AccordReports
import AccordResults
import Foundation
import Testing

/// The three reports rendered from each recorded document (`fixtures/reports/*.results.json`,
/// from real runs) must equal their golden files; the HTML must hold every section and chart
/// and escape what it shows; `results.json` must round-trip and refuse what it cannot read,
/// saying where.
@Suite("Run reports")
struct RunReportTests {
    static let sectionIDs = [
        "summary", "environment", "targets", "performance", "capacity", "scenarios", "resources", "bottlenecks",
        "recommendations", "monitoring", "reconciliation", "reliability", "functional", "validation", "reproduce",
    ]

    // MARK: golden files

    @Test(arguments: ReportFixtures.names)
    func baselineMarkdownMatchesTheGoldenFile(name: String) throws {
        try ReportFixtures.expect(BaselineReport.markdown(try ReportFixtures.run(name)), matches: "\(name).baseline.md")
    }

    @Test(arguments: ReportFixtures.names)
    func htmlMatchesTheGoldenFile(name: String) throws {
        try ReportFixtures.expect(HTMLReport.render(try ReportFixtures.run(name)), matches: "\(name).report.html")
    }

    @Test(arguments: ReportFixtures.names)
    func junitMatchesTheGoldenFileAndTheSchema(name: String) throws {
        let report = try ReportFixtures.run(name)
        let xml = JUnitReport.render(report, name: "accord \(report.kind.rawValue)")
        try ReportFixtures.expect(xml, matches: "\(name).junit.xml")
        guard let result = try JUnitSchemaTests.validate(xml: xml) else { return }
        #expect(result.status == 0, "xmllint exit \(result.status):\n\(result.messages.prefix(4000))")
    }

    @Test("the recorded runs keep passed, failed, error and lost-job verdicts, and the reference run passes all but its targets")
    func theFixturesKeepEveryKindOfVerdict() throws {
        let documents = try ReportFixtures.names.map { try ReportFixtures.run($0) }
        for outcome in [CaseOutcome.passed, .failed, .error] {
            #expect(documents.contains { $0.count(outcome) > 0 }, "no \(outcome) verdict in any fixture")
        }
        #expect(try ReportFixtures.run("broken").reconciliation.contains { $0.lost > 0 })
        #expect(try ReportFixtures.run("check").kind == .check)
        // Whether the vendor's targets hold at the vendor's rates (open model), and each
        // endpoint's latency within a scenario of hundreds of users, depends on the machine the
        // fixture was recorded on (two shared cores miss some): everything else holds.
        let reference = try ReportFixtures.run("run")
        for suite in reference.suites where !["targets", "scenarios"].contains(suite.name) {
            #expect(suite.count(.failed) == 0 && suite.count(.error) == 0, "\(suite.name)")
        }
    }

    @Test(arguments: ReportFixtures.names)
    func junitHasOneTestcasePerVerdict(name: String) throws {
        let report = try ReportFixtures.run(name)
        let xml = JUnitReport.render(report)
        let cases = report.suites.flatMap(\.cases)
        #expect(occurrences(of: "<testcase ", in: xml) == cases.count)
        #expect(occurrences(of: "<testsuite ", in: xml) == report.suites.count)
        #expect(occurrences(of: "<failure ", in: xml) == report.count(.failed))
        #expect(occurrences(of: "<error ", in: xml) == report.count(.error))
        #expect(occurrences(of: "<skipped ", in: xml) == report.count(.skipped))
        #expect(xml.contains("tests=\"\(cases.count)\" failures=\"\(report.count(.failed))\" errors=\"\(report.count(.error))\""))
    }

    @Test func aFailureShowsTheSpecLineWithACaret() throws {
        let report = try ReportFixtures.run("check")
        let failed = try #require(report.suites.flatMap(\.cases).first { $0.outcome == .failed && !$0.failures.isEmpty })
        let source = try #require(failed.failures.first?.source)
        #expect(source.contains("-->") && source.contains("^"))
        let xml = JUnitReport.render(report)
        // The failure's text in JUnit is the same excerpt, escaped.
        #expect(xml.contains(source.replacingOccurrences(of: ">", with: "&gt;").split(separator: "\n")[1].description))
    }

    // MARK: the HTML holds everything

    @Test func htmlHasEverySectionInOrder() throws {
        let html = HTMLReport.render(try ReportFixtures.run())
        let positions = Self.sectionIDs.map { html.range(of: "<section id=\"\($0)\">")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "missing: \(zip(Self.sectionIDs, positions).filter { $1 == nil }.map(\.0))")
        let found = positions.compactMap { $0 }
        #expect(found == found.sorted())
    }

    @Test func htmlHasEveryChart() throws {
        let report = try ReportFixtures.run()
        #expect(!report.endpoints.isEmpty && !report.scenarios.isEmpty && !report.capacity.isEmpty)
        let html = HTMLReport.render(report)
        let phases = report.endpoints.count + report.scenarios.count
        #expect(occurrences(of: #"data-chart="latency-spectrum""#, in: html) == phases)
        #expect(occurrences(of: #"data-chart="timeline""#, in: html) == phases)
        #expect(occurrences(of: #"data-chart="capacity""#, in: html) == 1)
        #expect(occurrences(of: #"data-chart="resources""#, in: html) == phases)
        #expect(occurrences(of: "<svg id=", in: html) == 3 * phases + 1)
        #expect(occurrences(of: "<figcaption>", in: html) == 3 * phases + 1)
        // Every chart drew its lines, has a title, and no two charts share an id.
        let ids = svgTags(html).compactMap { attribute("id", in: $0) }
        #expect(Set(ids).count == ids.count && ids.count == 3 * phases + 1)
        for id in ids { #expect(html.contains("<title id=\"\(id)-title\">")) }
        #expect(occurrences(of: "<polyline class=\"series\" points=\"\"", in: html) == 0)
        #expect(svgTags(html).allSatisfy { attribute("width", in: $0) == "640" && (Int(attribute("height", in: $0) ?? "") ?? 0) > 200 })
    }

    @Test func theCapacityChartHasALinePerSubjectAndARulePerTarget() throws {
        let report = try ReportFixtures.run()
        let html = HTMLReport.render(report)
        guard let start = html.range(of: #"data-chart="capacity""#), let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex)
        else {
            Issue.record("no capacity chart")
            return
        }
        let svg = String(html[start.lowerBound..<end.upperBound])
        #expect(occurrences(of: "<polyline class=\"series\"", in: svg) == report.capacity.count)
        // One dashed rule per distinct p99 target, naming the subjects that share it.
        #expect(occurrences(of: "<line class=\"rule\"", in: svg) == Set(report.capacity.map(\.p99Target)).count)
        for capacity in report.capacity { #expect(svg.contains(capacity.subject)) }
    }

    @Test("report.html has no emoji code point: its verdict marks are drawn, so they show with a plain install's fonts",
        arguments: ReportFixtures.names)
    func noEmojiInTheHTML(name: String) throws {
        let html = HTMLReport.render(try ReportFixtures.run(name))
        let emoji = html.unicodeScalars.filter { $0.properties.isEmojiPresentation || ($0.properties.isEmoji && $0.value >= 0x2000) }
        #expect(emoji.isEmpty, "found \(Set(emoji.map { String($0) }).sorted())")
        let report = try ReportFixtures.run(name)
        // Every verdict cell still has its mark, now as a shape named for screen readers.
        let marks = occurrences(of: #"<svg class="mark "#, in: html)
        #expect(marks >= report.suites.count)
        // The Markdown keeps its emoji: Markdown viewers render them.
        let md = BaselineReport.markdown(report)
        #expect(md.contains("✅") || md.contains("❌"))
    }

    @Test func theHTMLIsSelfContained() throws {
        let html = HTMLReport.render(try ReportFixtures.run())
        for forbidden in ["<script", "<link", "<img", "<iframe", " src=", "url(", "@import", "href=\"http", "xlink:href"] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
        #expect(html.contains("<meta name=\"viewport\""))
        #expect(html.contains("@media print"))
    }

    // MARK: escaping

    static let attack = "<script>alert(1)</script>\"'&"

    static func hostileReport() throws -> ResultsDocument {
        var report = try ReportFixtures.run("broken")
        report.target = attack
        report.command = "accord run \(attack)"
        report.environment.append(.init(name: attack, value: attack))
        report.specFiles.append(.init(path: attack, sha256: attack))
        report.bottlenecks.append(attack)
        report.suites[0].name = attack
        report.suites[0].cases[0].name = attack
        let failed = try #require(report.suites.indices.lazy.compactMap { suite in
            report.suites[suite].cases.firstIndex { !$0.failures.isEmpty }.map { (suite, $0) }
        }.first)
        report.suites[failed.0].cases[failed.1].failures[0].actual = attack
        report.endpoints[0].name = attack
        report.endpoints[0].serverTiming[attack] = report.endpoints[0].latency
        report.scenarios[0].endpoints[0].name = attack
        report.capacity[0].subject = attack
        report.reconciliation[0].phase = attack
        report.reliability[0].fault = attack
        return report
    }

    @Test func nothingFromTheReportAppearsRawInTheHTML() throws {
        let html = HTMLReport.render(try Self.hostileReport())
        #expect(!html.contains("<script"))
        #expect(!html.contains("alert(1)</"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&apos;&amp;"))
        // Ids made from names keep only letters, digits and dashes.
        #expect(html.contains(#"id="spectrum-endpoint-0--script-alert-1---script----""#))
    }

    @Test func nothingFromTheReportOpensHTMLInTheMarkdown() throws {
        let md = BaselineReport.markdown(try Self.hostileReport())
        // Only the reproduce command's fenced block shows it verbatim, as code.
        let parts = md.components(separatedBy: "```")
        #expect(parts.count == 3 && parts[1] == "sh\naccord run \(Self.attack)\n")
        #expect(!(parts[0] + parts[2]).contains("<script"))
        #expect(md.contains("&lt;script>alert(1)&lt;/script>"))
    }

    @Test func nothingFromTheReportBreaksTheJUnit() throws {
        let xml = JUnitReport.render(try Self.hostileReport())
        #expect(!xml.contains("<script"))
        guard let result = try JUnitSchemaTests.validate(xml: xml) else { return }
        #expect(result.status == 0, "xmllint exit \(result.status):\n\(result.messages.prefix(4000))")
    }

    @Test func markdownTableCellsKeepTheirColumns() {
        var report = ResultsDocument(kind: .run, date: "d", command: "accord run", target: "t", booted: false, profile: "quick")
        report.environment = [.init(name: "a | b", value: "line one\nline two")]
        let md = BaselineReport.markdown(report)
        #expect(md.contains(#"| a \| b | line one line two |"#))
    }

    // MARK: sections without data

    @Test func anEmptyRunSaysSoInEverySection() {
        let report = ResultsDocument(kind: .run, date: "2026-11-30 11:12:56 UTC", command: "accord run", target: "http://127.0.0.1:1", booted: false, profile: "quick")
        let md = BaselineReport.markdown(report)
        for line in [
            "No environment facts were recorded.", "No targets in the specs.", "No endpoint was loaded.", "No capacity search was run.",
            "No scenarios were run.", "No resource samples were taken.", "None identified from the measurements.",
            "No acknowledged jobs were reconciled.", "No faults were injected.", "No functional checks were run.",
            "No spec file digests were recorded.", "⏳ Not run: resource sampling.",
        ] {
            #expect(md.contains(line), "missing: \(line)")
        }
        let html = HTMLReport.render(report)
        for id in Self.sectionIDs { #expect(html.contains("<section id=\"\(id)\">")) }
        #expect(!html.contains("data-chart="))
    }

    @Test("requests without an answer are counted per phase, and a schedule more than 5% unsent makes the figures a floor")
    func requestsWithoutAnAnswer() {
        func phase(_ name: String, sent: Int, behind: Int?, timeouts: Int) -> LoadPhase {
            var phase = LoadPhase(
                name: name, load: "constant 1000 req/s", seconds: 1,
                measurement: .init(requests: sent, rps: Double(sent), errorRate: 0, p50: 1, p90: 1, p95: 1, p99: 1, p999: 1, max: 1, generatorBound: false),
                errorsByKind: timeouts > 0 ? ["timeout": timeouts] : [:])
            phase.behind = behind
            return phase
        }
        var report = ResultsDocument(kind: .run, date: "d", command: "accord run", target: "t", booted: false, profile: "quick")
        report.endpoints = [
            phase("lagging", sent: 900, behind: 100, timeouts: 3), phase("on time", sent: 990, behind: 10, timeouts: 0),
            phase("closed", sent: 500, behind: nil, timeouts: 2), phase("clean", sent: 500, behind: 0, timeouts: 0),
        ]
        let md = BaselineReport.markdown(report)
        #expect(md.contains("### Requests without an answer"))
        #expect(md.contains("| lagging | 3 | 0 | 100 of 1000 ("))
        #expect(md.contains("| on time | 0 | 0 | 10 of 1000 ("))
        #expect(md.contains("| closed | 2 | 0 | — (closed model) |"))
        #expect(!md.contains("| clean | 0 | 0 |"))
        #expect(md.contains("lagging: the generator fell behind"))
        #expect(!md.contains("on time: the generator fell behind"))
        #expect(HTMLReport.render(report).contains("its figures are a floor"))
    }

    @Test("closed-model latency is labelled not corrected wherever it appears; only an open model's is corrected")
    func latencyIsLabelledByItsModel() throws {
        func phase(_ name: String, _ model: String?) -> LoadPhase {
            var phase = LoadPhase(
                name: name, load: "l", seconds: 1,
                measurement: .init(requests: 10, rps: 10, errorRate: 0, p50: 1, p90: 1, p95: 1, p99: 1, p999: 1, max: 1, generatorBound: false))
            phase.model = model
            return phase
        }
        var report = ResultsDocument(kind: .run, date: "d", command: "accord run", target: "t", booted: false, profile: "quick")
        report.endpoints = [phase("closed-one", "closed"), phase("open-one", "open"), phase("unknown", nil)]
        report.scenarios = [phase("users-one", "users")]
        let md = BaselineReport.markdown(report)
        #expect(md.contains("| closed-one | l | closed model, not corrected |"))
        #expect(md.contains("| open-one | l | open model, corrected (from each request's intended send time) |"))
        #expect(md.contains("| unknown | l | closed model, not corrected |"))
        #expect(md.contains("| users-one | l | 1 | closed model, not corrected |"))
        #expect(!md.contains("coordinated omission corrected"))
        let html = HTMLReport.render(report)
        #expect(html.contains("closed model, not corrected"))
        #expect(try ResultsDocument.read(report.jsonData(), path: "r.json").endpoints[1].corrected)
    }

    @Test func anUnreachableTargetFailsTheVerdict() {
        var report = ResultsDocument(kind: .run, date: "d", command: "accord run", target: "http://127.0.0.1:1", booted: false, profile: "quick")
        report.targetUnreachable = true
        #expect(BaselineReport.markdown(report).contains("## Executive Summary\n\n**Verdict:** ❌ FAILED (target unreachable)\n"))
        #expect(HTMLReport.render(report).contains(#"<p class="verdict fail">FAILED</p>"#))
    }

    // MARK: results.json

    @Test func resultsRoundTrip() throws {
        for name in ReportFixtures.names {
            let report = try ReportFixtures.run(name)
            let again = try ResultsDocument.read(try report.jsonData(), path: "again.json")
            #expect(again == report)
        }
    }

    @Test(arguments: [
        (#"[1, 2]"#, "x.json: not a JSON object"),
        (#"{"format": "accord-check-results", "version": 1}"#, "'accord-check-results' version 1 is an older results format"),
        (#"{"format": "accord-run-results", "version": 2}"#, "'accord-run-results' version 2 is an older results format"),
        (#"{"format": "accord-results", "version": 1}"#, "results version 1 is not supported"),
        (#"{"format": "accord-results"}"#, "results version missing is not supported"),
        (#"{"format": "gatling", "version": 3}"#, "not an accord results document (format is 'gatling'"),
    ])
    func theReaderRefusesOtherDocuments(text: String, message: String) {
        #expect(throws: ResultsDocument.ReadError.self) { try ResultsDocument.read(Data(text.utf8), path: "x.json") }
        do {
            _ = try ResultsDocument.read(Data(text.utf8), path: "x.json")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func aMissingKeyIsNamedWithItsPath() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: ReportFixtures.resultsPath()))
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            var endpoints = object["endpoints"] as? [[String: Any]], var measurement = endpoints[1]["measurement"] as? [String: Any]
        else {
            Issue.record("the fixture is not shaped as expected")
            return
        }
        measurement["p99"] = nil
        endpoints[1]["measurement"] = measurement
        object["endpoints"] = endpoints
        let broken = try JSONSerialization.data(withJSONObject: object)
        do {
            _ = try ResultsDocument.read(broken, path: "run.json")
            Issue.record("read a results file with a missing key")
        } catch {
            #expect("\(error)" == "run.json: missing 'p99' at .endpoints[1].measurement")
        }
    }

    // MARK: helpers

    func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// The opening tags of the charts (verdict marks are small SVGs too, without data-chart).
    func svgTags(_ html: String) -> [String] {
        html.components(separatedBy: "<svg ").dropFirst().map { String($0.prefix { $0 != ">" }) }.filter { $0.contains("data-chart=") }
    }

    func attribute(_ name: String, in tag: String) -> String? {
        guard let start = tag.range(of: " \(name)=\"") ?? (tag.hasPrefix("\(name)=\"") ? tag.range(of: "\(name)=\"") : nil) else { return nil }
        return String(tag[start.upperBound...].prefix { $0 != "\"" })
    }
}
