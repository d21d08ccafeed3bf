import AccordReports
import AccordResults
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How a long command shows it is alive. On a terminal, one live line rewritten in place
/// (`\r`, the line, clear to its end); otherwise a plain line when the phase changes and at
/// most every `interval` seconds; with `--quiet`, nothing (the caller prints the verdict).
/// Bold only with colour (a terminal, no NO_COLOR). Safe to call from any thread.
///
/// ```swift
/// let progress = Progress.onStandardOutput(quiet: quiet)
/// progress.step("booting PostgreSQL, Redis and the reference server")
/// progress.update(ProgressUpdate(phase: "load create_job", elapsedSeconds: 12, totalSeconds: 30, rps: 2410, p99: 38, errors: 0))
/// progress.finish()
/// ```
final class Progress: Sendable {
    enum Mode: Sendable {
        case live
        case plain
        case quiet
    }

    let mode: Mode
    let color: Bool
    let interval: Double
    let write: @Sendable (String) -> Void
    let now: @Sendable () -> Double
    let width: @Sendable () -> Int

    private struct State {
        var liveLineShown = false
        var lastPhase: String?
        var lastPrinted = -Double.infinity
    }

    private let state = Mutex(State())

    init(
        mode: Mode, color: Bool, interval: Double = 5, write: @escaping @Sendable (String) -> Void = Progress.standardOutput,
        now: @escaping @Sendable () -> Double = Progress.monotonicSeconds, width: @escaping @Sendable () -> Int = Progress.terminalWidth
    ) {
        self.mode = mode
        self.color = color
        self.interval = interval
        self.write = write
        self.now = now
        self.width = width
    }

    /// Live on a terminal, plain lines otherwise, silent with `quiet`.
    static func onStandardOutput(quiet: Bool) -> Progress {
        let mode: Mode = quiet ? .quiet : isatty(STDOUT_FILENO) == 1 ? .live : .plain
        return Progress(mode: mode, color: Terminal.colorOnStandardOutput)
    }

    /// A figure update: rewrites the live line, or prints a plain line when due.
    func update(_ update: ProgressUpdate) {
        switch mode {
        case .quiet:
            return
        case .live:
            let line = update.line(width: width(), bold: color)
            state.withLock { $0.liveLineShown = true }
            write("\r\(line)\u{1B}[K")
        case .plain:
            let time = now()
            let due = state.withLock { state -> Bool in
                guard state.lastPhase != update.phase || time - state.lastPrinted >= interval else { return false }
                state.lastPhase = update.phase
                state.lastPrinted = time
                return true
            }
            if due { write(update.line() + "\n") }
        }
    }

    /// A milestone (`booting …`, `functional checks against …`): a line of its own, above
    /// the live line.
    func step(_ message: String) {
        guard mode != .quiet else { return }
        let clear = state.withLock { state -> Bool in
            defer { state.liveLineShown = false }
            state.lastPhase = nil
            return state.liveLineShown
        }
        write((clear ? "\r\u{1B}[K" : "") + "• \(message)\n")
    }

    /// Clears the live line, so what is printed next starts on a clean line.
    func finish() {
        guard mode == .live else { return }
        let clear = state.withLock { state -> Bool in
            defer { state.liveLineShown = false }
            return state.liveLineShown
        }
        if clear { write("\r\u{1B}[K") }
    }

    /// Through stdio, as `print` writes, so the two never overtake each other in a pipe.
    @Sendable static func standardOutput(_ text: String) {
        print(text, terminator: "")
        fflush(nil)
    }

    @Sendable static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The terminal's columns, 80 when it does not say.
    @Sendable static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
