/// The open model, as wrk2 and k6's arrival-rate executors run it: requests arrive on the
/// `Pacer`'s schedule whatever the server's speed, each on a free connection. When every
/// connection is busy the due requests wait, and their latency still counts from their
/// intended time, so a server that stalls is charged for every request it delayed (no
/// coordinated omission). What it keeps is how honest that was: how far the sends fell behind
/// the schedule (`maxLag`), how often nothing was free (`saturatedTicks`), and how many never
/// went (`behind`).
public struct OpenArrivals: ArrivalModel, Sendable, Equatable {
    public let pacer: Pacer
    /// The most a request waited past its intended time for a free connection (ns).
    public private(set) var maxLag: UInt64 = 0
    /// Turns in which a request was due and every connection was busy: the connections, not
    /// the schedule, set the pace then.
    public private(set) var saturatedTicks = 0

    public init(pacer: Pacer) {
        self.pacer = pacer
    }

    /// As many idle connections as requests are due, request `sent` first, each meant to go at
    /// its time on the schedule.
    public mutating func release(elapsed: UInt64, sent: Int, idle: inout [Int], into launches: inout [Arrival]) {
        var due = pacer.due(elapsed: elapsed, sent: sent)
        if due > 0 && idle.isEmpty { saturatedTicks += 1 }
        var next = sent
        while due > 0, let connection = idle.popLast() {
            // Due, so intended by now (the clamp only absorbs float rounding).
            let intended = min(pacer.intendedTime(of: next), elapsed)
            maxLag = max(maxLag, elapsed - intended)
            launches.append(Arrival(connection: connection, intended: intended))
            next += 1
            due -= 1
        }
    }

    /// Nothing to remember: the schedule, not the answers, says when the next request goes.
    public func finished(_ connection: Int, at elapsed: UInt64) {}

    /// Until the next request on the schedule is due (the pacer's wait).
    public func wait(elapsed: UInt64, sent: Int, idle: [Int]) -> UInt64 {
        pacer.wait(elapsed: elapsed, sent: sent)
    }

    /// Requests the schedule wanted sent within a run of `duration` ns that never went (it
    /// ended first), when `sent` did; never negative.
    public func behind(duration: UInt64, sent: Int) -> Int {
        max(0, pacer.scheduled(by: duration &- 1) - sent)
    }
}
