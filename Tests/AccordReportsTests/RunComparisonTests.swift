import AccordChecks
import AccordReports
import AccordResults
import Testing

/// `accord compare`'s logic as tables: which way each figure may move, the threshold's edge,
/// figures in one run only, verdict changes, and the JUnit suite it becomes.
@Suite("Run comparison")
struct RunComparisonTests {
    static func measurement(p50: Double = 2, p95: Double = 5, p99: Double = 10, rps: Double = 1000, errorRate: Double = 0)
        -> LoadPhase.Measurement
    {
        LoadPhase.Measurement(
            requests: 10_000, rps: rps, errorRate: errorRate, p50: p50, p90: p95 * 0.9, p95: p95, p99: p99, p999: p99 * 2, max: p99 * 3,
            generatorBound: false)
    }

    static func run(_ endpoint: LoadPhase.Measurement = measurement(), capacity: [Capacity] = [], suites: [ResultsDocument.Suite] = [])
        -> ResultsDocument
    {
        ResultsDocument(
            kind: .run, date: "d", command: "accord run", target: "t", booted: true, profile: "quick", suites: suites,
            endpoints: [LoadPhase(name: "create_job", load: "50 connections", seconds: 10, measurement: endpoint)],
            capacity: capacity)
    }

    static func verdict(of figure: String, _ base: ResultsDocument, _ new: ResultsDocument, limit: Double = 0.10) -> RunComparison.Figure.Verdict? {
        RunComparison.compare(base, new, maxRegression: limit).figures.first { $0.subject == "endpoint create_job" && $0.figure == figure }?
            .verdict
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var figure: String
        var new: LoadPhase.Measurement
        var expected: RunComparison.Figure.Verdict
        var testDescription: String { "\(figure) → \(expected)" }
    }

    @Test(arguments: [
        // Latency: higher is worse; beyond 10% is a regression, within it only worse.
        Row(figure: "p99", new: measurement(p99: 11.1), expected: .regression),
        Row(figure: "p99", new: measurement(p99: 10.9), expected: .worse),
        Row(figure: "p99", new: measurement(p99: 8), expected: .improved),
        Row(figure: "p99", new: measurement(p99: 10), expected: .unchanged),
        Row(figure: "p50", new: measurement(p50: 2.3), expected: .regression),
        Row(figure: "p95", new: measurement(p95: 5.45), expected: .worse),
        Row(figure: "p95", new: measurement(p95: 5.55), expected: .regression),
        // Throughput: lower is worse.
        Row(figure: "rps", new: measurement(rps: 890), expected: .regression),
        Row(figure: "rps", new: measurement(rps: 910), expected: .worse),
        Row(figure: "rps", new: measurement(rps: 2000), expected: .improved),
        // Error rate: from zero any rise is beyond a ratio, but under 0.1 point it is noise.
        Row(figure: "error rate", new: measurement(errorRate: 0.0005), expected: .worse),
        Row(figure: "error rate", new: measurement(errorRate: 0.02), expected: .regression),
    ])
    func eachFigureMovesOneWay(row: Row) {
        #expect(Self.verdict(of: row.figure, Self.run(), Self.run(row.new)) == row.expected)
    }

    @Test func elevenPercentIsCaughtAtTenNineIsNot() {
        let base = Self.run(Self.measurement(p99: 100))
        #expect(Self.verdict(of: "p99", base, Self.run(Self.measurement(p99: 111))) == .regression)
        #expect(Self.verdict(of: "p99", base, Self.run(Self.measurement(p99: 109))) == .worse)
        #expect(Self.verdict(of: "rps", Self.run(Self.measurement(rps: 1000)), Self.run(Self.measurement(rps: 890))) == .regression)
        #expect(Self.verdict(of: "rps", Self.run(Self.measurement(rps: 1000)), Self.run(Self.measurement(rps: 910))) == .worse)
        // The threshold is the caller's: 11% passes a 15% gate.
        #expect(Self.verdict(of: "p99", base, Self.run(Self.measurement(p99: 111)), limit: 0.15) == .worse)
    }

    @Test func aFasterRunHasNoRegression() {
        let comparison = RunComparison.compare(Self.run(), Self.run(Self.measurement(p50: 1, p95: 2, p99: 3, rps: 5000)), maxRegression: 0.1)
        #expect(!comparison.hasRegression)
        #expect(comparison.figures.filter { $0.verdict == .improved }.count == 4)
        #expect(comparison.table().hasSuffix("no regression beyond 10%.\n"))
    }

    @Test func theChangeIsRelative() throws {
        let comparison = RunComparison.compare(Self.run(), Self.run(Self.measurement(p99: 12.5)), maxRegression: 0.1)
        let p99 = try #require(comparison.figures.first { $0.figure == "p99" })
        #expect(p99.change == 0.25)
        #expect(p99.base == "10.0 ms" && p99.new == "12.5 ms")
        #expect(comparison.table().contains("endpoint create_job  p99         10.0 ms     12.5 ms     +25.0%  REGRESSION"))
    }

    static func capacity(_ sustained: Double?, peak: Double) -> Capacity {
        Capacity(subject: "mix", p99Target: 100, sustainedRPS: sustained, peakRPS: peak, generatorBound: false, steps: [])
    }

    @Test(arguments: [
        (2000.0, 1790.0, RunComparison.Figure.Verdict.regression),
        (2000, 1810, .worse),
        (2000, 2000, .unchanged),
        (2000, 2600, .improved),
    ])
    func sustainedCapacityDown(base: Double, new: Double, expected: RunComparison.Figure.Verdict) {
        let comparison = RunComparison.compare(
            Self.run(capacity: [Self.capacity(base, peak: 3000)]), Self.run(capacity: [Self.capacity(new, peak: 3000)]), maxRegression: 0.1)
        #expect(comparison.figures.first { $0.subject == "capacity mix" && $0.figure == "sustained" }?.verdict == expected)
    }

    @Test func nothingSustainedAnyMoreIsARegression() {
        let comparison = RunComparison.compare(
            Self.run(capacity: [Self.capacity(2000, peak: 3000)]), Self.run(capacity: [Self.capacity(nil, peak: 3000)]), maxRegression: 0.1)
        #expect(comparison.regressions.map(\.figure) == ["sustained"])
    }

    @Test func figuresInOneRunOnlyAreNotRegressions() {
        var new = Self.run()
        new.endpoints[0].name = "get_job"
        let comparison = RunComparison.compare(Self.run(), new, maxRegression: 0.1)
        #expect(comparison.figures.map(\.verdict) == [.removed, .added, .unchanged])
        #expect(!comparison.hasRegression)
    }

    static func targets(_ outcome: CaseOutcome, measured: String) -> [ResultsDocument.Suite] {
        [ResultsDocument.Suite(name: "targets", file: "specs/targets.yaml", cases: [
            ResultsDocument.Case(name: "create_job p99 < 50 ms — measured \(measured)", location: "specs/targets.yaml:4:5", outcome: outcome)
        ])]
    }

    @Test func aVerdictThatStopsHoldingIsARegressionMatchedWithoutItsMeasurement() {
        let comparison = RunComparison.compare(
            Self.run(suites: Self.targets(.passed, measured: "40 ms")), Self.run(suites: Self.targets(.failed, measured: "60 ms")),
            maxRegression: 0.1)
        #expect(comparison.regressions.map(\.subject) == ["verdict", "verdict targets"])
        #expect(comparison.regressions.last?.figure == "create_job p99 < 50 ms")
        let back = RunComparison.compare(
            Self.run(suites: Self.targets(.failed, measured: "60 ms")), Self.run(suites: Self.targets(.passed, measured: "40 ms")),
            maxRegression: 0.1)
        #expect(!back.hasRegression)
        #expect(back.figures.filter { $0.verdict == .improved }.count == 2)
    }

    @Test(arguments: [("10%", 0.1), ("10", 0.1), ("0.5%", 0.005), ("0%", 0.0)])
    func thresholds(text: String, value: Double) {
        #expect(RunComparison.threshold(text) == value)
    }

    @Test(arguments: ["", "%", "ten", "-5%", "nan%", "1e9%", "10 %"])
    func badThresholds(text: String) {
        #expect(RunComparison.threshold(text) == nil)
    }

    @Test func theJUnitSuiteHasOneTestcasePerFigureAndFailsTheRegressions() throws {
        let comparison = RunComparison.compare(Self.run(), Self.run(Self.measurement(p99: 20, rps: 500)), maxRegression: 0.1)
        let suite = comparison.suite(file: "new.json")
        #expect(suite.cases.count == comparison.figures.count)
        #expect(suite.count(.failed) == 2)
        let xml = JUnitReport.render(suites: [suite], name: "accord compare")
        #expect(xml.contains(#"<testsuites name="accord compare" tests="6" failures="2" errors="0""#))
        #expect(xml.contains("endpoint create_job p99: 10.0 ms → 20.0 ms (+100.0%)"))
        guard let result = try JUnitSchemaTests.validate(xml: xml) else { return }
        #expect(result.status == 0, "xmllint exit \(result.status):\n\(result.messages.prefix(2000))")
    }

    @Test func theFixtureAgainstItselfHasNoChange() throws {
        let run = try ReportFixtures.run()
        let comparison = RunComparison.compare(run, run, maxRegression: 0.1)
        #expect(!comparison.hasRegression)
        #expect(comparison.figures.allSatisfy { $0.verdict == .unchanged })
        // 5 figures per phase, 2 per capacity subject, the overall verdict.
        #expect(comparison.figures.count == (run.endpoints.count + run.scenarios.count) * 5 + run.capacity.count * 2 + 1)
    }

    @Test func aCheckDocumentComparesToo() throws {
        let check = try ReportFixtures.run("check")
        let comparison = RunComparison.compare(check, check, maxRegression: 0.1)
        #expect(!comparison.hasRegression)
        // No load phases or capacity: the overall verdict is the one figure.
        #expect(comparison.figures.count == 1)
    }
}
