import AccordReports
import AccordResults
import Testing

/// The live progress line: what it shows, that it never wraps, and that nothing in a phase
/// name can move the cursor.
@Suite("Progress line")
struct ProgressUpdateTests {
    @Test(arguments: [
        (ProgressUpdate(phase: "functional checks", elapsedSeconds: 3.7), "functional checks  3 s"),
        (
            ProgressUpdate(phase: "load create_job", elapsedSeconds: 12.2, totalSeconds: 30, rps: 2410.4, p99: 38, errors: 0),
            "load create_job  12 s / 30 s, 17 s left  2410 req/s  p99 38.0 ms  0 errors"
        ),
        (ProgressUpdate(phase: "scenario stress", elapsedSeconds: 40, totalSeconds: 30, errors: 1), "scenario stress  40 s / 30 s, 0 s left  1 error"),
        (ProgressUpdate(phase: "baseline", elapsedSeconds: 725, totalSeconds: 900, p99: 4.25), "baseline  12 m 05 s / 15 m 00 s, 2 m 55 s left  p99 4.25 ms"),
    ])
    func lines(update: ProgressUpdate, expected: String) {
        #expect(update.line() == expected)
    }

    @Test func aLiveLineNeverReachesTheLastColumn() {
        let update = ProgressUpdate(phase: "load create_job", elapsedSeconds: 12, totalSeconds: 30, rps: 2410, p99: 38, errors: 0)
        let line = update.line(width: 40)
        #expect(line.count == 39)
        #expect(line.hasSuffix("…"))
        #expect(update.line(width: 200) == update.line())
    }

    @Test func controlCharactersInAPhaseBecomeSpaces() {
        let line = ProgressUpdate(phase: "evil\n\u{1B}[2Jname\r", elapsedSeconds: 1).line()
        #expect(line == "evil  [2Jname   1 s")
    }

    @Test func boldWrapsOnlyThePhase() {
        let line = ProgressUpdate(phase: "load health", elapsedSeconds: 1, rps: 10).line(bold: true)
        #expect(line == "\u{1B}[1mload health\u{1B}[0m  1 s  10 req/s")
    }
}
