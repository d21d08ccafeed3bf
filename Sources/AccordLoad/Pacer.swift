/// When the requests of an open-model load are due: a pure function of the elapsed time and
/// of how many were sent, with no clock inside, as wrk2 and Vegeta pace. Latency is then
/// measured from each request's *intended* time, so a server that stalls is charged for every
/// request it delayed (no coordinated omission).
///
/// The rate is constant (wrk2 `-R`, k6 `constant-arrival-rate`) or piecewise-linear over
/// stages (k6 `ramping-arrival-rate`): request n (0-based) is due when the arrivals the rate
/// accumulates since the start reach n, so request 0 goes at once.
public struct Pacer: Sendable, Equatable {
    /// Requests per second: the constant rate, or the highest rate of the stages.
    public let rate: Double
    /// nil for a constant rate.
    public let profile: StageProfile?

    /// A constant rate; nil when `rate` is not a positive finite number.
    public init?(rate: Double) {
        guard rate.isFinite, rate > 0 else { return nil }
        self.rate = rate
        self.profile = nil
    }

    /// A rate that moves from `startRate` through `stages`; nil when a rate is negative or not
    /// finite, or when no stage ever has requests due.
    public init?(stages: [Stage], from startRate: Double = 0) {
        guard let profile = StageProfile(start: startRate, stages: stages), profile.peak > 0 else { return nil }
        self.rate = profile.peak
        self.profile = profile
    }

    /// The intended send time of request `index` (0-based), in nanoseconds from the start;
    /// `UInt64.max` when the stages end before it is due.
    public func intendedTime(of index: Int) -> UInt64 {
        guard let profile else { return UInt64((Double(index) * 1e9 / rate).rounded(.down)) }
        return profile.time(reaching: Double(index)) ?? .max
    }

    /// How many requests are due at `elapsed` nanoseconds when `sent` have been sent.
    public func due(elapsed: UInt64, sent: Int) -> Int {
        max(0, scheduled(by: elapsed) - sent)
    }

    /// How many requests the schedule has sent by `elapsed` (those due at or before it).
    public func scheduled(by elapsed: UInt64) -> Int {
        guard let profile else {
            // Request i is due once elapsed >= i / rate: requests 0...floor(elapsed·rate) are due.
            return Int((Double(elapsed) * rate / 1e9).rounded(.down)) + 1
        }
        // The tolerance keeps this consistent with `intendedTime` where the float arithmetic of
        // the integral and of its inverse disagree in the last bits.
        return Int((profile.cumulative(at: elapsed) + 1e-9).rounded(.down)) + 1
    }

    /// Nanoseconds from `elapsed` until the next request after `sent` is due (0 when one is
    /// due already, `UInt64.max` when none ever will be).
    public func wait(elapsed: UInt64, sent: Int) -> UInt64 {
        let next = intendedTime(of: sent)
        guard next != .max else { return .max }
        return next > elapsed ? next - elapsed : 0
    }
}
