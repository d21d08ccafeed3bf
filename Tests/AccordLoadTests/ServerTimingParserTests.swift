import AccordLoad
import Testing

@Suite("Server-Timing parser")
struct ServerTimingParserTests {
    /// header value → (name, ms) of every phase with a duration
    @Test(arguments: [
        ("db;dur=1.23, redis;dur=0.4, app;dur=2.0", [("db", 1.23), ("redis", 0.4), ("app", 2.0)]),
        ("", []),
        ("cache;desc=\"Cache Read\";dur=23.2", [("cache", 23.2)]),
        ("miss, db;dur=53", [("db", 53)]),  // a metric without dur is skipped
        ("total;DUR=5", [("total", 5)]),  // parameter names are case-insensitive
        ("db;dur=\"2.5\"", [("db", 2.5)]),  // a quoted duration
        ("x;desc=\"a, b; c\";dur=1, y;dur=2", [("x", 1), ("y", 2)]),  // separators inside quotes
        ("  db ; dur = 7 ,app;dur=0", [("db", 7), ("app", 0)]),  // whitespace around the pieces
        ("db;dur=1;dur=2", [("db", 1)]),  // the first dur counts
        ("db;dur=abc, redis;dur=-1, app;dur=inf, q;dur=nan", []),  // not finite non-negative numbers
        (";dur=3, d b;dur=1, d\"b;dur=2", []),  // no name, or not a token
        ("db;dur", []),  // dur without a value
        ("db;dur=4,,", [("db", 4)]),  // empty metrics
    ] as [(String, [(String, Double)])])
    func parsesPhases(header: String, expected: [(String, Double)]) {
        let phases = ServerTiming.parse(header[...])
        #expect(phases == expected.map { ServerTiming.Phase(name: $0.0, milliseconds: $0.1) })
    }

    /// raw header line → its Server-Timing value, if it is one
    @Test(arguments: [
        ("Server-Timing: db;dur=1\r\n", " db;dur=1"),
        ("server-timing:app;dur=2", "app;dur=2"),
        ("SERVER-TIMING: x\n", " x"),
        ("Server-Timings: x\r\n", nil),
        ("Content-Type: text/plain\r\n", nil),
        ("Server-Timing\r\n", nil),
        ("Server_Timing: x", nil),
    ] as [(String, String?)])
    func picksTheHeaderLine(line: String, expected: String?) {
        #expect(ServerTiming.value(ofHeaderLine: line[...]).map(String.init) == expected)
    }

    /// ms → µs as recorded
    @Test(arguments: [(1.23, 1230 as UInt64), (0, 0), (0.0004, 0), (0.0006, 1), (1e300, 3_600_000_000)])
    func durationsInMicroseconds(milliseconds: Double, microseconds: UInt64) {
        #expect(ServerTiming.Phase(name: "db", milliseconds: milliseconds).microseconds == microseconds)
    }
}
