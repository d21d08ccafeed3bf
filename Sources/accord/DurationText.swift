import AccordSpec

/// Durations on the command line read as in spec files: 250ms, 10s, 1m, 1h.
enum DurationText {
    static func milliseconds(_ text: String) -> Int? { Durations.milliseconds(text) }
}
