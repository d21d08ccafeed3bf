import AccordHTTPTypes
import AccordJSON
import AccordEnvironment
import AccordTestSupport
import Foundation
import Testing

@testable import AccordLoad

/// Per-request templates: compiling a marked rendering, rendering values where they land,
/// and the sources rows come from.
@Suite("Load templates")
struct LoadTemplateTests {
    static let marker = "zzmark"

    static func marked(_ slot: Int) -> String { marker + String(slot) + marker }

    @Test("a marked rendering splits into literals and values, each escaped for where it lands")
    func compile() throws {
        let request = ClientRequest(
            method: "POST", url: "http://h/items/\(Self.marked(0))?q=\(Self.marked(1))",
            headers: [(name: "X-Key", value: "k-\(Self.marked(2))"), (name: "Accept", value: "application/json")],
            body: Array(#"{"title":"\#(Self.marked(3))","n":1}"#.utf8))
        let template = try #require(LoadTemplate(
            marked: request, marker: Self.marker, slots: [.source(0, column: 0), .sequence, .uuid, .source(0, column: 1)], bodyEscaping: .json))
        #expect(template.url == [.literal(Array("http://h/items/".utf8)), .value(.source(0, column: 0), .percent), .literal(Array("?q=".utf8)), .value(.sequence, .percent)])
        #expect(template.body == [.literal(Array(#"{"title":""#.utf8)), .value(.source(0, column: 1), .json), .literal(Array(#"","n":1}"#.utf8))])
        #expect(template.headers.count == 2)
        #expect(template.headers[0].value == [.literal(Array("k-".utf8)), .value(.uuid, .header)])
        #expect(template.sources == [0])
        // Values in the path: the whole URL is rendered; only in the query: the query alone.
        #expect(template.query == nil && template.urlChanges)
        let queryOnly = try #require(LoadTemplate(
            marked: ClientRequest(url: "http://h/items?a=1&b=\(Self.marked(0))&c=2"), marker: Self.marker, slots: [.sequence], bodyEscaping: .none))
        #expect(queryOnly.query == [.literal(Array("a=1&b=".utf8)), .value(.sequence, .percent), .literal(Array("&c=2".utf8))])
    }

    @Test("a request with nothing that changes compiles to no template; text that only looks like a marker stays literal")
    func staticRequests() {
        let plain = ClientRequest(url: "http://h/zzmark7/zzmark", body: Array("zzmark12".utf8))
        #expect(LoadTemplate(marked: plain, marker: Self.marker, slots: [.uuid], bodyEscaping: .none) == nil)
        // A marker numbering a slot that does not exist is text too.
        let unknown = ClientRequest(url: "http://h/\(Self.marked(3))")
        #expect(LoadTemplate(marked: unknown, marker: Self.marker, slots: [.uuid], bodyEscaping: .none) == nil)
    }

    @Test("values are escaped for URLs, JSON strings and headers", arguments: [
        (LoadTemplate.Escaping.percent, "a b/ü?&=~", "a%20b%2F%C3%BC%3F%26%3D~"),
        (.json, "say \"hi\"\\\n\u{1}", #"say \"hi\"\\\u000A\u0001"#),
        (.header, "v\r\nInjected: 1", "vInjected: 1"),
        (.none, "as is\n", "as is\n"),
    ])
    func escaping(escaping: LoadTemplate.Escaping, value: String, expected: String) {
        var out: [UInt8] = []
        TemplateRenderer.append(value, escaping: escaping, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test("integers are written in decimal as String would", arguments: [0, 7, 42, 1000, 9_876_543_210, -15, Int.max, Int.min])
    func decimals(value: Int) {
        var out: [UInt8] = Array("x=".utf8)
        TemplateRenderer.appendDecimal(value, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x=\(value)")
    }

    @Test("every column a request uses comes from one row; uuids are fresh version 4; the counter is shared")
    func rendering() throws {
        let source = ValueSource(name: "feeder", columns: ["a", "b"], rows: (0..<50).map { ["a\($0)", "b\($0)"] }, order: .random)
        let counter = SequenceCounter()
        var renderer = TemplateRenderer(sources: [source], counter: counter, seed: 7)
        let request = ClientRequest(url: "http://h/\(Self.marked(0))/\(Self.marked(1))/\(Self.marked(2))/\(Self.marked(3))")
        let template = try #require(LoadTemplate(
            marked: request, marker: Self.marker, slots: [.source(0, column: 0), .source(0, column: 1), .uuid, .sequence], bodyEscaping: .none))
        var uuids = Set<String>()
        for round in 1...200 {
            let began = renderer.begin(template)
            #expect(began)
            var out: [UInt8] = []
            renderer.render(template.url, into: &out)
            let parts = String(decoding: out, as: UTF8.self).split(separator: "/").map(String.init)
            // "http:", "h", a, b, uuid, seq
            #expect(parts.count == 6)
            #expect(parts[2].dropFirst() == parts[3].dropFirst(), "one row per request: \(parts)")
            let uuid = parts[4]
            #expect(UUID(uuidString: uuid) != nil && uuid == uuid.lowercased())
            #expect(Array(uuid)[14] == "4" && "89ab".contains(Array(uuid)[19]))
            uuids.insert(uuid)
            #expect(parts[5] == String(round))
        }
        #expect(uuids.count == 200)
        #expect(counter.next() == 201)
    }

    @Test("a unique source gives each row once, then stops or wraps; sequential goes round")
    func uniqueAndSequential() {
        var random = SeededRandom(state: 1)
        let stopping = ValueSource(name: "s", columns: ["x"], rows: [["1"], ["2"], ["3"]], order: .unique, wraps: false)
        #expect((0..<5).map { _ in stopping.draw(&random) } == [0, 1, 2, nil, nil])
        let wrapping = ValueSource(name: "w", columns: ["x"], rows: [["1"], ["2"]], order: .unique, wraps: true)
        #expect((0..<5).map { _ in wrapping.draw(&random) } == [0, 1, 0, 1, 0])
        let sequential = ValueSource(name: "q", columns: ["x"], rows: [["1"], ["2"], ["3"]], order: .sequential)
        #expect((0..<4).map { _ in sequential.draw(&random) } == [0, 1, 2, 0])
        #expect(ValueSource(name: "e", columns: ["x"], rows: [], order: .random).draw(&random) == nil)
    }

    @Test("zipf draws favour the first rows as the law says; uniform draws do not")
    func zipf() {
        var random = SeededRandom(state: 42)
        let rows = (0..<100).map { [String($0)] }
        let skewed = ValueSource(name: "z", columns: ["x"], rows: rows, order: .zipf(1.2))
        var counts = [Int](repeating: 0, count: 100)
        for _ in 0..<100_000 { counts[skewed.draw(&random) ?? 0] += 1 }
        // P(rank 1) / P(rank 2) = 2^1.2 ≈ 2.30; the first row alone takes 1/H(100, 1.2) ≈ 27.6%.
        let ratio = Double(counts[0]) / Double(counts[1])
        #expect(ratio > 2.0 && ratio < 2.6, "ratio \(ratio)")
        #expect(counts[0] > 25_500 && counts[0] < 29_500, "\(counts[0])")
        #expect(counts[99] > 0 && counts[99] < counts[9])
        let uniform = ValueSource(name: "u", columns: ["x"], rows: rows, order: .random)
        var flat = [Int](repeating: 0, count: 100)
        for _ in 0..<100_000 { flat[uniform.draw(&random) ?? 0] += 1 }
        #expect(flat.allSatisfy { $0 > 800 && $0 < 1200 })
    }
}

/// The engine renders templates per request against a real server.
@Suite("Templated load against accord serve", .serialized)
struct TemplatedLoadTests {
    @Test func everyTemplatedCreateIsItsOwnJob() async throws {
        try await CollectAgainstServerTests.withServer { base in
            let marker = "zzmark"
            // An idempotency key per request: rendered once, every create after the first
            // would be a replay of one job.
            let marked = ClientRequest(
                method: "POST", url: base + "/api/v1/jobs?domain=load.example&url=https://load.example/\(marker)0\(marker)&job_type=t",
                headers: [(name: "Idempotency-Key", value: "k-\(marker)1\(marker)")])
            let template = LoadTemplate(marked: marked, marker: marker, slots: [.sequence, .uuid], bodyEscaping: .none)
            let create = LoadRequest(request: marked, accepts: { $0 == 201 }, collect: "$.job_id", template: template)
            var plan = LoadPlan(requests: [create], connections: 4, durationNanoseconds: 60_000_000_000, threads: 2)
            plan.requestLimit = 200
            let result = await LoadRun.run(plan)
            #expect(result.setupError == nil && result.recorder.errorCount == 0)
            let ids = try #require(result.collected.first)
            // A key rendered once would have made one job, every other create a replay of it.
            #expect(ids.count == 200 && Set(ids).count == 200)
            let stats = try await CollectAgainstServerTests.get(base + "/api/v1/queue/stats")
            #expect(stats.body["jobs"]?["total"]?.intValue.map(Int.init) == ids.count)
        }
    }

    /// Header lines reach the server as rendered, against `accord serve --api-keys`: a key
    /// drawn per request from [good, bad, good] is refused exactly a third of the time; a
    /// fixed key line beside a templated URL is sent with every request.
    @Test func templatedAndFixedHeaderLinesReachTheServer() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("accord-keys-\(UUID().uuidString).log").path
        let server = try await ServerProcess.start(
            executable: CollectAgainstServerTests.executable, arguments: ["serve", "--store", "memory", "--port", "0", "--api-keys", "good1,good2"],
            logFile: log)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let marker = "zzmark"
        func run(key: String, slots: [LoadTemplate.Slot], sources: [ValueSource]) async -> LoadResult {
            let marked = ClientRequest(
                method: "POST", url: server.url + "/api/v1/jobs?domain=load.example&url=https://load.example/\(marker)0\(marker)&job_type=t",
                headers: [(name: "X-API-Key", value: key), (name: "X-Other", value: "static")])
            let template = LoadTemplate(marked: marked, marker: marker, slots: slots, bodyEscaping: .none)
            var plan = LoadPlan(
                requests: [LoadRequest(request: marked, accepts: { $0 == 201 }, template: template)], connections: 3, durationNanoseconds: 60_000_000_000)
            plan.sources = sources
            plan.requestLimit = 90
            return await LoadRun.run(plan)
        }
        let keys = ValueSource(name: "keys", columns: ["k"], rows: [["good1"], ["bad"], ["good2"]], order: .sequential)
        let drawn = await run(key: "\(marker)1\(marker)", slots: [.sequence, .source(0, column: 0)], sources: [keys])
        // Row n % 3 == 1 is the bad key: exactly a third of the requests.
        #expect(drawn.recorder.completed == 90 && drawn.recorder.errorCount == 30)
        let fixed = await run(key: "good2", slots: [.sequence], sources: [])
        #expect(fixed.recorder.completed == 90 && fixed.recorder.errorCount == 0)
        let missing = await run(key: "wrong", slots: [.sequence], sources: [])
        #expect(missing.recorder.completed == 90 && missing.recorder.errorCount == 90)
        _ = await server.stop()
    }

    @Test func aUniqueSourceThatRunsOutEndsTheLoadAndALimitEndsItExactly() async throws {
        try await CollectAgainstServerTests.withServer { base in
            let marker = "zzmark"
            let marked = ClientRequest(url: base + "/health?row=\(marker)0\(marker)")
            let template = LoadTemplate(marked: marked, marker: marker, slots: [.source(0, column: 0)], bodyEscaping: .none)
            var plan = LoadPlan(
                requests: [LoadRequest(request: marked, template: template)], connections: 3, durationNanoseconds: 5_000_000_000, threads: 2)
            plan.sources = [ValueSource(name: "rows", columns: ["n"], rows: (0..<25).map { [String($0)] }, order: .unique, wraps: false)]
            let result = await LoadRun.run(plan)
            #expect(result.sent == 25 && result.recorder.completed == 25)
            // Ended by the source, not the clock: well inside the 5 s (no timing asserted).

            var limited = LoadPlan(requests: [LoadRequest(request: ClientRequest(url: base + "/health"))], connections: 4, durationNanoseconds: 5_000_000_000, threads: 2)
            limited.requestLimit = 37
            let exact = await LoadRun.run(limited)
            #expect(exact.sent == 37 && exact.recorder.completed == 37)
        }
    }
}
