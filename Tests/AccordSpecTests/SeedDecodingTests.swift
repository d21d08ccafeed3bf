import AccordSpec
import Testing

/// `seed:`: what each generator decodes to, the shipped load spec's block, and where broken
/// input is reported (more cases in fixtures/broken-specs/seed.yaml). The column under test
/// is on line 7.
@Suite("Seed tables")
struct SeedDecodingTests {
    static func spec(column: String, streams: String = "") -> String {
        """
        suite: s
        endpoints:
          health: {method: GET, path: /health}
        seed:
          - table: t
            columns:
              c: \(column)
              other: x
        \(streams)
        """
    }

    static func table(_ text: String) throws -> SeedTable {
        switch SpecLoader.load(text, path: "s.yaml") {
        case let .success(spec): return try #require(spec.seed.first)
        case let .failure(problems):
            Issue.record("unexpected errors: \(problems.diagnostics.map(\.description))")
            throw problems
        }
    }

    static func errors(_ text: String) -> [String] {
        guard case let .failure(problems) = SpecLoader.load(text, path: "s.yaml") else { return [] }
        return problems.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message)" }
    }

    static let generators: [(String, SeedGenerator)] = [
        ("{uuid: true}", .uuid),
        ("{sequence: {start: 5}}", .sequence(start: 5)),
        ("{sequence: null}", .sequence(start: 1)),
        ("{constant: 3}", .constant("3")),
        ("{constant: null}", .constant(nil)),
        ("null", .constant(nil)),
        ("pending", .constant("pending")),
        ("\"n{{seq}}-{{random_int 1 9}}\"", .template(Template(parts: [.literal("n"), .sequence, .literal("-"), .randomInt(1, 9)]))),
        ("{template: \"{{uuid}}\"}", .template(Template(parts: [.uuid]))),
        ("{choice: {a: 70, b: 30}}", .choice([WeightedValue(value: "a", weight: 70), WeightedValue(value: "b", weight: 30)])),
        ("{age: [0s, 30d]}", .age(0...2_592_000_000)),
        ("{age: [90m, 12h]}", .age(5_400_000...43_200_000)),
    ]

    @Test(arguments: generators)
    func eachGeneratorDecodes(column: String, expected: SeedGenerator) throws {
        let table = try Self.table(Self.spec(column: column))
        #expect(table.columns.map(\.name) == ["c", "other"])
        #expect(table.columns.first?.generator == expected)
        #expect(table.rows == SeedTable.defaultRows)
    }

    static let broken: [(String, String)] = [
        ("{uuid: false}", "7:17 write uuid: true, or another generator"),
        ("{choice: {}}", "7:19 a choice needs values with weights: {pending: 70, completed: 30}"),
        ("{choice: {a: -1}}", "7:23 a weight must be between 1 and 1000000, not -1"),
        ("{age: [5s]}", "7:16 age takes two durations, youngest first: [0s, 30d]"),
        ("{age: [0s, 5w]}", "7:21 an age must be a duration such as 0s, 90m, 12h or 30d"),
        ("{}", "7:10 a column needs a generator: one of constant, sequence, uuid, choice, age, template"),
        ("{sequence: {begin: 1}}", "7:22 unknown key 'begin' in a sequence"),
        ("\"{{other}}\"", "7:10 column 'other' is declared below this one"),
        ("\"{{othr}}\"", "7:10 unknown column 'othr' (did you mean 'other'?)"),
        ("[1, 2]", "7:10 a column's generator must be a mapping, not a list"),
    ]

    @Test(arguments: broken)
    func brokenGeneratorsAreLocated(column: String, expected: String) {
        #expect(Self.errors(Self.spec(column: column)) == [expected])
    }

    @Test func streamsDecodeWithTheirFilterAndFields() throws {
        let streams = """
                streams:
                  - key: "q:{{c}}"
                    where: {c: a, other: x}
                    fields: {id: "{{other}}", n: "{{seq}}"}
            """
        let table = try Self.table(Self.spec(column: "{choice: {a: 1, b: 1}}", streams: streams))
        let stream = try #require(table.streams.first)
        #expect(stream.key == Template(parts: [.literal("q:"), .variable("c")]))
        #expect(stream.filter.map { "\($0.column)=\($0.value)" } == ["c=a", "other=x"])
        #expect(stream.fields.map(\.name) == ["id", "n"])
    }

    @Test func streamTemplatesNameColumnsOnly() {
        let streams = """
                streams:
                  - key: "q:{{nope}}"
                    fields: {id: "{{env.HOME}}"}
            """
        #expect(Self.errors(Self.spec(column: "a", streams: streams)) == [
            "10:14 unknown column 'nope'", "11:22 a seed template cannot read the environment ({{env.HOME}})",
        ])
    }

    @Test func aWhereValueNoRowCanHaveIsAnError() {
        let streams = """
                streams:
                  - key: q
                    where: {c: opne, other: y}
                    fields: {id: "{{c}}"}
            """
        #expect(Self.errors(Self.spec(column: "{choice: {open: 1, closed: 1}}", streams: streams)) == [
            "11:20 no row has c 'opne' (did you mean 'open'?)", "11:33 no row has other 'y': the column is always 'x'",
        ])
    }

    @Test func columnsMustNotBeEmpty() {
        let text = "suite: s\nendpoints:\n  health: {method: GET, path: /health}\nseed:\n  - table: t\n    columns:\n"
        #expect(Self.errors(text) == ["6:13 columns needs at least one column: {id: {uuid: true}}"])
    }

    @Test func theShippedLoadSpecSeedsTheJobsTableAndOneStreamPerPriority() throws {
        let text = try String(contentsOfFile: "specs/load.yaml", encoding: .utf8)
        guard case let .success(spec) = SpecLoader.load(text, path: "specs/load.yaml") else {
            Issue.record("specs/load.yaml does not load")
            return
        }
        let table = try #require(spec.seed.first)
        #expect(table.table.value == "jobs")
        #expect(table.rows == 1_000_000)
        #expect(table.streams.count == 4)
        #expect(table.streams.allSatisfy { stream in stream.filter.contains { $0.column == "status" && $0.value == "queued" } })
        #expect(Set(table.streams.compactMap { $0.filter.first { $0.column == "priority" }?.value }) == ["0", "1", "2", "3"])
    }
}
