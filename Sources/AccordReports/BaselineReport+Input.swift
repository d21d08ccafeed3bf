import AccordChecks

/// The first `baseline.md`, from the runner's own values; kept until `accord run` renders
/// from a `RunReport` (`BaselineReport.markdown(_:)` with one), then deleted.
extension BaselineReport {
    /// Everything the report shows, as plain values (the runner fills it).
    public struct Input: Sendable {
        public var date: String
        public var command: String
        public var target: String
        public var booted: Bool
        public var functional: CheckRunResult
        public var targets: SuiteResult
        public var measurements: [(endpoint: String, measurement: EndpointMeasurement)]
        /// The vendor's scenarios as run: name, load ("50 users"), seconds, what was measured,
        /// and whether the server was healthy afterwards.
        public var scenarios: [(name: String, load: String, seconds: Double, measurement: EndpointMeasurement, healthy: Bool)]
        public var scenarioResults: SuiteResult
        public var environment: [(name: String, value: String)]
        public var profile: String
        public var connections: Int
        public var specFiles: [String]

        public init(
            date: String, command: String, target: String, booted: Bool, functional: CheckRunResult, targets: SuiteResult,
            measurements: [(endpoint: String, measurement: EndpointMeasurement)],
            scenarios: [(name: String, load: String, seconds: Double, measurement: EndpointMeasurement, healthy: Bool)],
            scenarioResults: SuiteResult, environment: [(name: String, value: String)],
            profile: String, connections: Int, specFiles: [String]
        ) {
            self.scenarios = scenarios
            self.scenarioResults = scenarioResults
            self.date = date
            self.command = command
            self.target = target
            self.booted = booted
            self.functional = functional
            self.targets = targets
            self.measurements = measurements
            self.environment = environment
            self.profile = profile
            self.connections = connections
            self.specFiles = specFiles
        }

        var passed: Bool {
            functional.passed && [targets, scenarioResults].allSatisfy { $0.count(.failed) == 0 && $0.count(.error) == 0 }
        }
    }

    @available(*, deprecated, message: "render a RunReport: BaselineReport.markdown(report)")
    public static func markdown(_ input: Input) -> String {
        var md = "# Performance Baseline Report — verified\n\n"
        md += "**Date:** \(input.date)  \n**System:** Accord Engine Control Plane at \(input.target)"
        md += input.booted ? " (the reference server, booted for this run)\n" : "\n"
        md += "**Verdict:** \(input.passed ? "✅ PASSED" : "❌ FAILED")\n\n---\n\n"

        md += "## Executive Summary\n\n"
        let f = input.functional
        md += "- Functional contract: \(f.count(.passed)) passed, \(f.count(.failed)) failed, \(f.count(.error)) errors, \(f.count(.skipped)) skipped.\n"
        let t = input.targets
        md += "- Performance targets: \(t.count(.passed)) met, \(t.count(.failed)) missed, \(t.count(.error)) not measurable.\n"
        md += "- Load profile `\(input.profile)`: each endpoint with targets loaded by \(input.connections) connections (closed model).\n\n"

        md += "## Test Environment\n\n| | |\n|---|---|\n"
        for fact in input.environment { md += "| \(fact.name) | \(fact.value) |\n" }
        md += "\n## Performance Targets vs Measured\n\n"
        md += "| Target | Verdict |\n|---|---|\n"
        for result in input.targets.cases {
            let mark = result.outcome == .passed ? "✅" : result.outcome == .error ? "⚠️ \(result.reason ?? "")" : "❌"
            md += "| \(result.name) | \(mark) |\n"
        }
        if input.targets.cases.isEmpty { md += "| (no targets in the specs) | |\n" }

        md += "\n## Measured Throughput and Latency\n\n"
        md += "| Endpoint | Requests | RPS | p50 | p90 | p95 | p99 | max | Errors |\n|---|---|---|---|---|---|---|---|---|\n"
        for (endpoint, m) in input.measurements {
            md += "| \(endpoint) | \(m.requests) | \(TargetEvaluation.show(m.rps, .rps))\(m.generatorBound ? " (generator-bound: at least)" : "") | "
            md += [m.p50, m.p90, m.p95, m.p99, m.max].map { TargetEvaluation.show($0, .p50) }.joined(separator: " | ")
            md += " | \(TargetEvaluation.show(m.errorRate, .errorRate)) |\n"
        }

        md += "\n## Scenario Results\n\n"
        md += "| Scenario | Load | Seconds | Requests | RPS | p50 | p95 | p99 | Errors | Server afterwards |\n|---|---|---|---|---|---|---|---|---|---|\n"
        for scenario in input.scenarios {
            let m = scenario.measurement
            md += "| \(scenario.name) | \(scenario.load) | \(Int(scenario.seconds)) | \(m.requests) | \(TargetEvaluation.show(m.rps, .rps)) | "
            md += [m.p50, m.p95, m.p99].map { TargetEvaluation.show($0, .p50) }.joined(separator: " | ")
            md += " | \(TargetEvaluation.show(m.errorRate, .errorRate)) | \(scenario.healthy ? "✅ healthy" : "❌ down") |\n"
        }
        if input.scenarios.isEmpty { md += "| (no scenarios run) | | | | | | | | | |\n" }

        md += "\n## Functional Contract\n\n"
        for suite in f.suites {
            md += "- **\(suite.name)** (`\(suite.file)`): \(suite.count(.passed)) passed"
            md += suite.count(.failed) > 0 ? ", \(suite.count(.failed)) failed" : ""
            md += suite.count(.error) > 0 ? ", \(suite.count(.error)) errors" : ""
            md += suite.count(.skipped) > 0 ? ", \(suite.count(.skipped)) skipped" : ""
            md += "\n"
            for result in suite.cases where result.outcome == .failed || result.outcome == .error {
                let detail = result.failures.first.map { "\($0.message): expected \($0.expected), got \($0.actual)" } ?? result.reason ?? ""
                md += "  - ❌ \(result.name) — \(detail)\n"
            }
        }

        md += "\n## Validation Status\n\n"
        md += "- ✅ Functional contract checked: every case of the specs, side effects verified in PostgreSQL and Redis.\n"
        md += "- ✅ Per-endpoint targets measured on this machine.\n"
        md += "- ✅ The vendor's scenarios run (users with think time and ramp-up; `quick` scales durations and ramp-up by 1/60).\n"
        md += "- ⏳ Not yet part of `accord run`: capacity search (sustained/peak), resource sampling, "
        md += "reconciliation of acknowledged jobs, the HTML report.\n"

        md += "\n## Reproduce\n\n```sh\n\(input.command)\n```\n\nSpec files: \(input.specFiles.map { "`\($0)`" }.joined(separator: ", "))\n"
        return md
    }
}
