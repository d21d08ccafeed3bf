import AccordChecks
import AccordResults
import AccordSpec
import Testing

/// Levels given after the run, by where each verdict was asked for.
@Suite("LevelAssignment")
struct LevelAssignmentTests {
    static let specs: [SpecFile] = {
        let status = """
            suite: job-status
            level: core
            cases:
              - name: reading a job answers 200
                request: {path: /a}
              - name: an unknown id answers 404
                level: strict
                request: {path: /b}
            """
        let load = """
            suite: load
            endpoints:
              e: {path: /e}
            targets:
              e: {p95: "< 50ms"}
            """
        let faults = "suite: faults\nlevel: strict\nendpoints:\n  f: {path: /f}\n"
        return [("specs/job-status.yaml", status), ("specs/load.yaml", load), ("specs/faults.yaml", faults)].compactMap {
            try? SpecLoader.load($0.1, path: $0.0).get()
        }
    }()

    static func document() -> ResultsDocument {
        ResultsDocument(kind: .run, date: "", command: "", target: "", booted: true, profile: "smoke", suites: [
            .init(name: "job-status", file: "specs/job-status.yaml", cases: [
                .init(name: "reading a job answers 200", location: "specs/job-status.yaml:4:11", outcome: .passed),
                .init(name: "an unknown id answers 404", location: "specs/job-status.yaml:6:11", outcome: .failed),
            ]),
            .init(name: "targets", file: "specs/load.yaml", cases: [.init(name: "e p95 < 50 ms", location: "specs/load.yaml:6:3", outcome: .passed)]),
            .init(name: "reconciliation", file: "specs/load.yaml", cases: [.init(name: "e: every job once", location: "specs/load.yaml:6:3", outcome: .passed)]),
            .init(name: "reliability", file: "specs/faults.yaml", cases: [.init(name: "redis stopped", location: "specs/faults.yaml:9:7", outcome: .error)]),
        ])
    }

    @Test func everyVerdictGetsTheLevelOfWhereItWasAskedFor() throws {
        #expect(Self.specs.count == 3)
        var document = Self.document()
        LevelAssignment.apply(to: &document, specs: Self.specs, selected: nil)
        #expect(document.suites.map { $0.cases.map { $0.level ?? "-" } } == [["core", "strict"], ["core"], ["strict"], ["strict"]])
        let levels = try #require(document.levels)
        #expect(levels.map(\.level) == ["core", "strict", "extended"])
        #expect(levels.map(\.verdict) == ["PASSED", "FAILED", "NOT RUN"])
        #expect(levels[1].failed == 1 && levels[1].errors == 1 && levels[1].passed == 1)
    }

    @Test func levelsLeftOutAreSkippedWithTheReasonAndJudgeNothing() throws {
        var document = Self.document()
        LevelAssignment.apply(to: &document, specs: Self.specs, selected: [.core])
        let strict = document.suites.flatMap(\.cases).filter { $0.level == "strict" }
        #expect(strict.count == 3 && strict.allSatisfy { $0.outcome == .skipped && $0.failures.isEmpty })
        #expect(strict.first?.reason == "level strict not selected (--level core); it ran only because selected verdicts needed it (failed)")
        #expect(document.passed)
        #expect(document.levels?.map(\.verdict) == ["PASSED", "NOT RUN", "NOT RUN"])
        #expect(document.levels?.map(\.selected) == [true, false, false])
    }

    @Test(arguments: [("specs/load.yaml:12:5", "specs/load.yaml"), ("C:/x/specs/a.yaml:1:2", "C:/x/specs/a.yaml"), ("", ""), ("specs/a.yaml", "specs/a.yaml")])
    func theFileOfALocation(location: String, file: String) {
        #expect(LevelAssignment.fileOf(location) == file)
    }
}
