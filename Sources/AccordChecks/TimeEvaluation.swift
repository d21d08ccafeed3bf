import AccordResults
import AccordHTTPTypes

/// `max_time`: nil when the response's total time (libcurl's, from the start of the request to
/// the last byte, in microseconds) is at most `limit` microseconds.
public func evaluate(maxTimeMicroseconds limit: Int64, on response: ClientResponse) -> CheckFailure? {
    let total = response.timing.total
    guard total > limit else { return nil }
    return CheckFailure(
        message: "the response took longer than \(formatMicroseconds(limit))",
        expected: "<= \(formatMicroseconds(limit))", actual: formatMicroseconds(total))
}

/// `max_time` as a `Duration` (whole microseconds count; anything finer is dropped).
public func evaluate(maxTime limit: Duration, on response: ClientResponse) -> CheckFailure? {
    evaluate(maxTimeMicroseconds: microseconds(limit), on: response)
}

/// Whole microseconds in `duration` (rounded down), saturating at the ends of `Int64`.
func microseconds(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
    if overflow { return seconds < 0 ? .min : .max }
    let (sum, overflow2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000)
    return overflow2 ? (whole < 0 ? .min : .max) : sum
}

/// `850µs`, `612.3ms`, `1.5s`: one decimal at most, in the largest unit that is at least 1.
func formatMicroseconds(_ value: Int64) -> String {
    let magnitude = value.magnitude
    let sign = value < 0 ? "-" : ""
    if magnitude < 1_000 { return "\(sign)\(magnitude)µs" }
    let (unit, name): (UInt64, String) = magnitude < 1_000_000 ? (1_000, "ms") : (1_000_000, "s")
    // Split before scaling so that no magnitude overflows.
    let tenths = magnitude / unit * 10 + (magnitude % unit * 10 + unit / 2) / unit
    let text = tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
    return sign + text + name
}
