import AccordStorage
import AccordTestSupport
import Testing

/// `PGConnection.copyIn`: COPY's text encoding as a table, and rows streamed into a real
/// PostgreSQL 15 that come back exactly, in buffers far smaller than the data.
@Suite("COPY FROM STDIN")
struct CopyInTests {
    static let encodings: [([String?], String)] = [
        (["a", "b"], "a\tb\n"),
        ([nil, ""], "\\N\t\n"),
        (["tab\there"], "tab\\there\n"),
        (["line\nbreak\r"], "line\\nbreak\\r\n"),
        (["back\\slash", "\\N"], "back\\\\slash\t\\\\N\n"),
        (["ünï", "{\"a\": 1}"], "ünï\t{\"a\": 1}\n"),
    ]

    @Test(arguments: encodings)
    func rowsAreEncodedAsCopyText(row: [String?], expected: String) throws {
        var buffer: [UInt8] = []
        try CopyText.append(row: row, to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == expected)
    }

    @Test func aNulIsRefused() {
        var buffer: [UInt8] = []
        #expect(throws: PGError.self) { try CopyText.append(row: ["a\u{0}b"], to: &buffer) }
    }

    @Test func rowsRoundTripThroughSmallBuffers() async throws {
        try await Backends.with { backends in
            let connection = try PGConnection(url: backends.postgres.url)
            try connection.execute("CREATE TABLE copied (n int PRIMARY KEY, t text, at timestamptz)")
            let tricky = ["plain", "tab\there", "new\nline", "back\\slash", "\\N", "", "ünïcødé"]
            let rows: [[String?]] = (0..<5000).map { n in
                [String(n), n % 11 == 0 ? nil : tricky[n % tricky.count], "2026-12-01T09:12:01.123456Z"]
            }
            // 4 KiB buffers: about a hundred sends for this data.
            let stored = try connection.copyIn("COPY copied (n, t, at) FROM STDIN", rows: rows, bufferBytes: 4096)
            #expect(stored == 5000)
            let back = try backends.rows("SELECT n, t, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM copied ORDER BY n")
            #expect(back.count == 5000)
            #expect(back.map { $0[1] } == rows.map { $0[1] })
            #expect(back.allSatisfy { $0[2] == "2026-12-01 09:12:01.123456" })
            // The connection is usable afterwards.
            #expect(try connection.execute("SELECT count(*) FROM copied").string(row: 0, column: 0) == "5000")
        }
    }

    @Test func aRefusedRowStoresNothingAndNamesTheCause() async throws {
        try await Backends.with { backends in
            let connection = try PGConnection(url: backends.postgres.url)
            try connection.execute("CREATE TABLE strict_copy (n int PRIMARY KEY)")
            let rows: [[String?]] = [["1"], ["2"], ["two"]]
            do {
                try connection.copyIn("COPY strict_copy (n) FROM STDIN", rows: rows)
                Issue.record("a row that is not an integer was accepted")
            } catch {
                #expect((error as? PGError)?.sqlstate == "22P02")
            }
            // A NUL is refused before it is sent; the COPY is aborted, not half-stored.
            do {
                try connection.copyIn("COPY strict_copy (n) FROM STDIN", rows: [["1"], ["2\u{0}"]])
                Issue.record("a NUL was accepted")
            } catch {
                #expect((error as? PGError)?.sqlstate == "22021")
            }
            #expect(try backends.rows("SELECT count(*) FROM strict_copy") == [["0"]])
            #expect(try connection.execute("SELECT 1").string(row: 0, column: 0) == "1")
        }
    }

    @Test func aStatementThatIsNotCopyIsRefused() async throws {
        try await Backends.with { backends in
            let connection = try PGConnection(url: backends.postgres.url)
            #expect(throws: PGError.self) { try connection.copyIn("SELECT 1", rows: [["1"]]) }
            #expect(throws: PGError.self) { try connection.copyIn("COPY missing_table (n) FROM STDIN", rows: [["1"]]) }
        }
    }
}
