import AccordChecks
import AccordJSON

/// The results of `accord check` as a versioned JSON document (`--json FILE`).
public enum CheckResultsJSON {
    public static let version = 1

    public static func render(_ run: CheckRunResult) -> String {
        let suites: [JSON] = run.suites.map { suite in
            [
                "name": .string(suite.name),
                "file": .string(suite.file),
                "cases": .array(suite.cases.map(caseJSON)),
            ]
        }
        let document: JSON = [
            "format": "accord-check-results",
            "version": .int(Int64(version)),
            "target": .string(run.target),
            "passed": .bool(run.passed),
            "totals": [
                "passed": .int(Int64(run.count(.passed))), "failed": .int(Int64(run.count(.failed))),
                "errors": .int(Int64(run.count(.error))), "skipped": .int(Int64(run.count(.skipped))),
            ],
            "suites": .array(suites),
        ]
        var bytes = [UInt8]()
        document.write(into: &bytes, sortKeys: false)
        return String(decoding: bytes, as: UTF8.self) + "\n"
    }

    static func caseJSON(_ result: CaseResult) -> JSON {
        [
            "name": .string(result.name),
            "location": .string(result.location.description),
            "outcome": .string(result.outcome.rawValue),
            "seconds": .double(result.durationSeconds),
            "reason": result.reason.map(JSON.string) ?? .null,
            "failures": .array(result.failures.map { failure in
                [
                    "message": .string(failure.message), "expected": .string(failure.expected), "actual": .string(failure.actual),
                    "location": failure.location.map { .string($0.description) } ?? .null,
                ]
            }),
        ]
    }
}
