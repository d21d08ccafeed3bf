import AccordSpec
import Testing

/// `health:`, `pools:`, `feeders:` and `reconcile:`: what valid blocks decode to, where each
/// broken one is reported, and how feeder files read.
@Suite("Load data: health, pools, feeders, reconcile")
struct LoadDataDecodingTests {
    /// A spec with two endpoints (`create` on line 3, `read` on line 4) and `lines` after them
    /// from line 5.
    static func spec(_ lines: String) -> String {
        """
        suite: s
        endpoints:
          create: {method: POST, path: /v2/tasks, json: {t: "{{uuid}}"}}
          read: {method: GET, path: "/v2/tasks/{{pool.tasks}}"}
        \(lines)
        """
    }

    static func data(_ lines: String) throws -> LoadData {
        switch SpecLoader.load(spec(lines), path: "specs/s.yaml") {
        case let .success(spec): return spec.data
        case let .failure(problems):
            Issue.record("unexpected errors: \(problems.diagnostics.map(\.description))")
            throw problems
        }
    }

    static func errors(_ lines: String) -> [String] {
        guard case let .failure(problems) = SpecLoader.load(spec(lines), path: "specs/s.yaml") else { return [] }
        return problems.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message)" }
    }

    static let pool = "pools:\n  tasks: {from: create, collect: $.data.uuid, size: 300, draw: {zipf: 1.1}}"

    @Test func everyBlockDecodes() throws {
        let data = try Self.data(
            Self.pool + """

            health: /ready
            feeders:
              names: {file: data/names.csv, order: unique, exhausted: stop}
              events: {file: /abs/events.jsonl}
            reconcile:
              create:
                collect: $.data.uuid
                postgres: "SELECT uuid FROM tasks WHERE uuid = ANY($1::text[])"
                redis: {streams: "tq:*", field: uuid}
            """)
        #expect(data.health?.path == "/ready" && data.health?.status == 200)
        let pool = try #require(data.pools.first)
        #expect(pool.name.value == "tasks" && pool.from.value == "create" && pool.collect == "$.data.uuid" && pool.size == 300)
        #expect(pool.draw == .zipf(1.1))
        #expect(data.feeders.map(\.path) == ["specs/data/names.csv", "/abs/events.jsonl"])
        #expect(data.feeders.map(\.format) == [.csv, .jsonl])
        #expect(data.feeders.map(\.order) == [.unique, .sequential])
        #expect(data.feeders.map(\.wraps) == [false, true])
        let rule = try #require(data.rule(for: "create"))
        #expect(rule.streams == "tq:*" && rule.field == "uuid" && rule.postgres?.contains("$1") == true)
        #expect(data.rule(for: "read") == nil)
    }

    @Test("each broken block is reported where it is broken", arguments: [
        (pool + "\nhealth: ready", "7:9 health must be a path starting with '/' or {path: /health, status: 200}"),
        ("pools:\n  tasks: {from: creat, collect: $.id}", "6:17 pool 'tasks' is filled from 'creat', which is not an endpoint of this file (did you mean 'create'?)"),
        ("pools:\n  tasks: {from: create, collect: id}", "6:34 collect must be a JSONPath starting with '$', such as $.id"),
        ("pools:\n  tasks: {from: create}", "6:10 pool 'tasks' needs collect: where the id is in each answer, a JSONPath such as $.id"),
        ("pools:\n  tasks: {from: create, collect: $.id, draw: pareto}", "6:46 draw must be uniform, sequential, zipf or {zipf: EXPONENT}, not 'pareto'"),
        (pool + "\nfeeders:\n  n: {file: a.csv, exhausted: stop}", "8:31 only a unique feeder runs out: exhausted: stop needs order: unique"),
        (pool + "\nfeeders:\n  n: {file: a.csv, order: shuffled}", "8:27 order must be sequential, random or unique, not 'shuffled'"),
        (pool + "\nreconcile:\n  create: {collect: $.id, postgres: SELECT 1}", "8:37 the postgres query must use $1, the acknowledged ids as a text array"),
        (pool + "\nreconcile:\n  creat: {collect: $.id, postgres: x}", "8:3 reconcile names 'creat', which is not an endpoint of this file (did you mean 'create'?)"),
        (pool + "\nreconcile:\n  create: {collect: $.id}", "8:11 reconcile of 'create' needs postgres (a query) or redis (streams and field), or both"),
        (pool + "\nreconcile:\n  create: {collect: $.id, redis: {streams: 'q:*'}}", "8:34 redis needs streams (a key pattern) and field (the entry field holding the id)"),
        ("health: /h", "4:29 undefined variable 'pool.tasks'"),
    ])
    func brokenBlocks(lines: String, expected: String) {
        let errors = Self.errors(lines)
        #expect(errors.contains { $0.hasPrefix(expected) }, "\(errors)")
    }

    @Test func csvRowsQuoteAsRFC4180Says() throws {
        let rows = try FeederRows.parse("name,note\r\nada,\"says \"\"hi\"\", twice\"\n\nbob,\"two\nlines\"\ncy,\n", format: .csv)
        #expect(rows.columns == ["name", "note"])
        #expect(rows.rows == [["ada", "says \"hi\", twice"], ["bob", "two\nlines"], ["cy", ""]])
    }

    @Test("broken CSV is refused with its line", arguments: [
        ("a,b\n1,2\n3\n", "line 3: 1 fields where the header names 2"),
        ("a,b\n1,\"2\n", "line 3: a quoted field is never closed"),
        ("a,b\n1,x\"y\"\n", "line 2: a quote inside an unquoted field (quote the whole field and double the quote)"),
        ("a,a\n1,2\n", "line 1: column 'a' is named twice"),
        ("a,b\n", "line 1: no rows after the header"),
        ("", "line 1: no header line naming the columns"),
    ])
    func brokenCSV(text: String, expected: String) {
        #expect(throws: FeederRows.Problem.self) { try FeederRows.parse(text, format: .csv) }
        do {
            _ = try FeederRows.parse(text, format: .csv)
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test func jsonLinesColumnsAreEveryMemberSeen() throws {
        let rows = try FeederRows.parse("{\"a\": \"x\", \"n\": 1}\n\n{\"b\": [1], \"a\": \"y\"}\n", format: .jsonl)
        #expect(rows.columns == ["a", "n", "b"])
        #expect(rows.rows == [["x", "1", ""], ["y", "", "[1]"]])
        #expect(throws: FeederRows.Problem(line: 2, message: "each line must be a JSON object")) {
            try FeederRows.parse("{\"a\": 1}\n[1]\n", format: .jsonl)
        }
    }
}

/// `endpoints: {within: …}` in a scenario's targets.
@Suite("Scenario targets: endpoints within")
struct ScenarioWithinDecodingTests {
    static func load(_ target: String) -> Result<SpecFile, SpecProblems> {
        SpecLoader.load(
            """
            suite: s
            endpoints:
              e: {method: GET, path: /e}
              e2: {method: GET, path: /e2}
            scenarios:
              - {name: high, users: 2, duration: 1s, mix: {e: 1}}
            targets:
              e: {p95: "< 10ms"}
              \(target)
            """, path: "s.yaml")
    }

    @Test func withinDecodes() throws {
        guard case let .success(spec) = Self.load("high: {error_rate: \"< 1%\", endpoints: {within: 2x, metrics: [p95, error_rate]}}") else {
            Issue.record("did not load")
            return
        }
        let scaling = try #require(spec.targets.first { $0.subject.value == "high" }?.endpoints)
        #expect(scaling.factor == 2 && scaling.metrics == [.p95, .errorRate])
        #expect(scaling.location.line == 9)
    }

    @Test("broken within is reported where it is", arguments: [
        ("high: {endpoints: {within: 2}}", "9:30 within must be a factor from 1x to 100x, such as 2x, not '2'"),
        ("high: {endpoints: {within: 0.5x}}", "9:30 within must be a factor from 1x to 100x"),
        ("high: {endpoints: {within: 2x, metrics: [rps]}}", "9:43 metrics lists p50, p90, p95, p99, max, error_rate, not 'rps'"),
        ("high: {endpoints: {metrics: [p95]}}", "9:21 endpoints needs within:"),
        ("high: {p95: \"< 1s\"}\n  e2: {endpoints: {within: 2x}}", "10:8 unknown key 'endpoints' in targets of 'e2'"),
    ])
    func broken(target: String, expected: String) {
        guard case let .failure(problems) = Self.load(target) else {
            Issue.record("loaded")
            return
        }
        let errors = problems.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message)" }
        #expect(errors.contains { $0.hasPrefix(expected) }, "\(errors)")
    }
}
