import AccordReports
import Foundation
import AccordResults
import Testing

/// The seeded volume is stated where the run's environment is: in baseline.md's and
/// report.html's environment table and in the console, per table; and not at all when the
/// specs declare no `seed:` (the recorded runs).
@Suite("Seeded volume in the reports")
struct SeedingReportTests {
    static func seeded() throws -> ResultsDocument {
        var report = try ReportFixtures.run()
        report.seeding = .init(tables: [.init(table: "jobs", rows: 100_000, streamEntries: 60_012, seconds: 4.14)])
        return report
    }

    @Test func baselineAndHTMLStateTheSeededVolume() throws {
        let report = try Self.seeded()
        let line = "jobs: 100,000 rows, 60,012 stream entries in 4.1 s"
        let md = BaselineReport.markdown(report)
        #expect(md.contains("| Seeded data | \(line) |"))
        let html = HTMLReport.render(report)
        #expect(html.contains("Seeded data") && html.contains(line))
        #expect(ConsoleReport(color: false).seeding(report) == "seed data: \(line)")
    }

    @Test func aRunNotSeededSaysWhy() throws {
        var report = try ReportFixtures.run()
        report.seeding = .init(skipped: "a --target is seeded only with --seed-rows N and --database-url")
        #expect(BaselineReport.markdown(report).contains("| Seeded data | not seeded: a --target is seeded only with --seed-rows N and --database-url |"))
    }

    @Test func withoutASeedBlockNothingIsSaid() throws {
        var report = try ReportFixtures.run()
        #expect(report.seeding != nil, "the recorded run seeds specs/load.yaml's jobs")
        report.seeding = nil
        #expect(!BaselineReport.markdown(report).contains("Seeded data"))
        #expect(ConsoleReport(color: false).seeding(report) == nil)
    }

    @Test func theSeedingRoundTripsThroughResultsJSON() throws {
        let report = try Self.seeded()
        #expect(try ResultsDocument.read(report.jsonData(), path: "results.json") == report)
    }
}
