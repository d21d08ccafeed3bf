import AccordReports
import AccordResults
import Foundation
import Testing

/// The Scalability section: each instance's figures, and with replicas one instance against
/// N; absent from documents without `instances` (the recorded runs, a `--target`).
@Suite("Scalability in the reports")
struct ScalabilityReportTests {
    static func instance(_ index: Int, requests: Int) -> ResultsDocument.Instance {
        .init(
            index: index, url: "http://127.0.0.1:\(4000 + index)", pid: Int32(100 + index), requests: requests, seconds: 10,
            rps: Double(requests) / 10, cpuSeconds: 2.5, peakRSSMiB: 40.25, restarted: false)
    }

    @Test func documentsWithoutInstancesHaveNoSuchSection() throws {
        var report = try ReportFixtures.run()
        #expect(report.instances != nil, "the recorded run booted one server")
        report.instances = nil
        #expect(!BaselineReport.markdown(report).contains("## Scalability"))
    }

    @Test func oneInstanceSaysSoAfterCapacity() throws {
        var report = try ReportFixtures.run()
        report.instances = [Self.instance(0, requests: 5000)]
        let md = BaselineReport.markdown(report)
        #expect(md.contains("## Scalability") && md.contains("One instance measured"))
        #expect(md.contains("| 0 | http://127.0.0.1:4000 | 100 | 5000 |"))
        let capacity = try #require(md.range(of: "## Throughput Capacity"))
        let scalability = try #require(md.range(of: "## Scalability"))
        #expect(capacity.lowerBound < scalability.lowerBound)
        let html = HTMLReport.render(report)
        #expect(html.contains("<section id=\"scalability\">"))
    }

    @Test func replicasShowEachInstanceAndOneAgainstN() throws {
        var report = try ReportFixtures.run()
        let many = try #require(report.capacity.first { $0.sustainedRPS != nil })
        var one = many
        one.subject = "\(many.subject) (one instance)"
        one.sustainedRPS = (many.sustainedRPS ?? 0) / 2
        report.instances = [Self.instance(0, requests: 3000), Self.instance(1, requests: 1000)]
        report.scaling = .init(replicas: 2, subject: many.subject, oneInstance: one)
        let md = BaselineReport.markdown(report)
        #expect(md.contains("2 replicas of accord serve"))
        #expect(md.contains("75.0%") && md.contains("25.0%"))
        #expect(md.contains("One instance against 2: capacity of \(many.subject)"))
        #expect(md.contains("×2.00"))
    }

    @Test func replicasWithoutCapacitySayWhyOneAgainstNIsMissing() throws {
        var report = try ReportFixtures.run()
        report.instances = [Self.instance(0, requests: 1), Self.instance(1, requests: 1)]
        #expect(BaselineReport.markdown(report).contains("One instance against 2 was not measured"))
    }

    @Test func instancesRoundTripThroughResultsJSON() throws {
        var report = try ReportFixtures.run()
        report.instances = [Self.instance(0, requests: 7)]
        let data = try report.jsonData()
        #expect(try ResultsDocument.read(data, path: "x.json") == report)
    }
}
