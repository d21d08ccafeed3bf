/// When the requests of an open-model (constant arrival rate) load are due: a pure function
/// of the elapsed time and of how many were sent, with no clock inside, as wrk2 and Vegeta
/// pace. Latency is then measured from each request's *intended* time, so a server that
/// stalls is charged for every request it delayed (no coordinated omission).
public struct Pacer: Sendable, Equatable {
    /// Requests per second, > 0.
    public let rate: Double

    /// nil when `rate` is not a positive finite number.
    public init?(rate: Double) {
        guard rate.isFinite, rate > 0 else { return nil }
        self.rate = rate
    }

    /// The intended send time of request `index` (0-based), in nanoseconds from the start.
    public func intendedTime(of index: Int) -> UInt64 {
        UInt64((Double(index) * 1e9 / rate).rounded(.down))
    }

    /// How many requests are due at `elapsed` nanoseconds when `sent` have been sent.
    public func due(elapsed: UInt64, sent: Int) -> Int {
        // Request i is due once elapsed >= i / rate: requests 0...floor(elapsed·rate) are due.
        let scheduled = Int((Double(elapsed) * rate / 1e9).rounded(.down)) + 1
        return max(0, scheduled - sent)
    }

    /// Nanoseconds from `elapsed` until the next request after `sent` is due (0 when one is
    /// due already).
    public func wait(elapsed: UInt64, sent: Int) -> UInt64 {
        let next = intendedTime(of: sent)
        return next > elapsed ? next - elapsed : 0
    }
}
