import AccordJSON
import AccordResults
import Foundation
import Testing

/// The one results document: what "passed" means, what it keeps through JSON, and which
/// documents it refuses.
@Suite("Results document")
struct ResultsDocumentTests {
    static func document(_ outcomes: [CaseOutcome], unreachable: Bool = false) -> ResultsDocument {
        let cases = outcomes.enumerated().map { ResultsDocument.Case(name: "case \($0.offset)", location: "s.yaml:\($0.offset + 1):1", outcome: $0.element) }
        return ResultsDocument(
            kind: .check, date: "", command: "accord check", target: "http://127.0.0.1:1", booted: false, profile: "",
            suites: [ResultsDocument.Suite(name: "s", file: "s.yaml", cases: cases)], targetUnreachable: unreachable)
    }

    @Test("one rule for passed: something passed, nothing failed or errored, the target reached", arguments: [
        ([CaseOutcome.passed], false, true),
        ([.passed, .skipped], false, true),
        ([.skipped, .skipped], false, false),
        ([], false, false),
        ([.passed, .failed], false, false),
        ([.passed, .error], false, false),
        ([.passed], true, false),
    ])
    func passedRule(outcomes: [CaseOutcome], unreachable: Bool, passed: Bool) {
        #expect(Self.document(outcomes, unreachable: unreachable).passed == passed)
    }

    @Test func everythingSurvivesTheJSONRoundTrip() throws {
        var document = Self.document([.passed, .failed, .skipped])
        document.startedAt = ResultsDocument.timestamp(Date(timeIntervalSince1970: 1_796_666_524.123))
        document.suites[0].cases[1].failures = [
            CheckFailure(message: "values differ", expected: "== 201", actual: "422", location: "s.yaml:2:9", source: "error: …\n  --> s.yaml:2:9")
        ]
        document.plan = try JSON.parse(#"{"format":"accord-plan","version":1,"phases":[{"kind":"endpoint","rate":1000.5,"seed":null}]}"#)
        var phase = LoadPhase(
            name: "create_job", load: "constant 1000 req/s", seconds: 3,
            measurement: .init(requests: 3000, rps: 1000, errorRate: 0, p50: 1, p90: 2, p95: 3, p99: 4, p999: 5, max: 6, generatorBound: false),
            series: [.init(second: 0, requests: 1000, errors: 0, p50: 1, p99: 4, latency: "HISTFAAAAB...")])
        phase.startOffset = 12.5
        document.endpoints = [phase]
        document.reconciliation = [
            Reconciliation(phase: "create_job", acknowledged: 2, lostInDatabase: 0, duplicatedInDatabase: 0, lostInStreams: 0, duplicatedInStreams: 0,
                acknowledgedIDs: ["a", "b"])
        ]
        let back = try ResultsDocument.read(document.jsonData(), path: "r.json")
        #expect(back == document)
        #expect(back.startedAt == "2026-12-07T18:02:04.123Z")
        #expect(back.plan?["phases"]?[0]?["rate"] == .double(1000.5))
        #expect(back.endpoints.first?.startOffset == 12.5)
    }

    @Test("older and foreign documents are refused with their name and version", arguments: [
        (#"{"format":"accord-run-results","version":2}"#, "'accord-run-results' version 2 is an older results format"),
        (#"{"format":"accord-check-results","version":1}"#, "'accord-check-results' version 1 is an older results format"),
        (#"{"format":"accord-results","version":2}"#, "results version 2 is not supported"),
        (#"{"format":"accord-results"}"#, "results version missing is not supported"),
        (#"{"format":"k6-summary","version":1}"#, "not an accord results document"),
        (#"[1,2]"#, "not a JSON object"),
    ])
    func refusals(json: String, says: String) {
        #expect {
            try ResultsDocument.read(Data(json.utf8), path: "old.json")
        } throws: { error in
            "\(error)".contains(says) && "\(error)".hasPrefix("old.json: ")
        }
    }

    @Test func aDocumentWithoutTheNewOptionalFieldsStillReads() throws {
        let minimal = #"""
            {"format":"accord-results","version":3,"kind":"check","date":"","command":"","target":"t","booted":false,"profile":"",
             "environment":[],"specFiles":[],"suites":[],"endpoints":[],"scenarios":[],"capacity":[],"reconciliation":[],
             "reliability":[],"bottlenecks":[],"targetUnreachable":false}
            """#
        let document = try ResultsDocument.read(Data(minimal.utf8), path: "m.json")
        #expect(document.kind == .check && document.plan == nil && document.startedAt == nil)
        #expect(!document.passed)
    }
}
