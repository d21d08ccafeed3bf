/// The closed model with users, as Locust and k6's `ramping-vus` run it: each connection is a
/// user that sends its next request once it is ready, and being ready has three sources:
///
/// - ramp-up (`spawnRate`): user *i* starts *i* / `spawnRate` seconds into the run, so the
///   load builds up rather than every user arriving at once;
/// - think time (`think`): after each answer the user waits a time drawn uniformly from the
///   range, as a person reads a page before the next click;
/// - stages (`stages`): only the first `active` users are on, `active` being the profile's
///   target at the time, rounded; the others wait, idle, until a stage switches them on.
///
/// Each request is meant to go when it is released (`intended` = now): a user that waits on
/// a slow answer sends later, as a real one would, which is what this model measures.
///
/// `Random` draws the think times: the system generator in the engine, a seeded one in tests
/// so that they are deterministic.
public struct UserArrivals<Random: RandomNumberGenerator>: ArrivalModel {
    /// When each user may send next (ns from the start): its start in the ramp-up, then the
    /// end of its think time after each answer. `UInt64.max`: never.
    public private(set) var readyAt: [UInt64]
    /// The think time between an answer and the next request (ns); nil sends again at once.
    public let think: ClosedRange<UInt64>?
    /// How many users are on over time; nil: all of them.
    public let stages: StageProfile?
    private var random: Random
    /// The users left idle by `release`, gathered here and swapped with the idle list, so that
    /// a turn allocates nothing (the buffer is kept between turns).
    private var waiting: [Int] = []

    /// With stages the engine looks again at least this often (ns) for users a stage switched
    /// on: no answer or think time would wake it for them.
    public static var stagePoll: UInt64 { 10_000_000 }

    /// `users` connections, all ready at the start unless `spawnRate` (users per second,
    /// ignored unless positive, and ignored with `stages`, which ramp up themselves) starts
    /// them one after another.
    public init(users: Int, think: ClosedRange<UInt64>?, spawnRate: Double?, stages: StageProfile?, random: Random) {
        let count = max(0, users)
        readyAt = [UInt64](repeating: 0, count: count)
        waiting.reserveCapacity(count)
        self.think = think
        self.stages = stages
        self.random = random
        if let spawnRate, spawnRate > 0, stages == nil {
            for index in readyAt.indices { readyAt[index] = Self.nanoseconds(Double(index) / spawnRate * 1e9) }
        }
    }

    /// How many users the stages have switched on at `elapsed` (all without stages). A Double:
    /// a target past Int's range (a profile may hold any finite one) switches every user on
    /// rather than trapping in a conversion.
    func active(at elapsed: UInt64) -> Double {
        stages.map { $0.target(at: elapsed).rounded() } ?? .infinity
    }

    public mutating func release(elapsed: UInt64, sent: Int, idle: inout [Int], into launches: inout [Arrival]) {
        let active = active(at: elapsed)
        waiting.removeAll(keepingCapacity: true)
        while let connection = idle.popLast() {
            if Double(connection) < active && readyAt.indices.contains(connection) && readyAt[connection] <= elapsed {
                launches.append(Arrival(connection: connection, intended: elapsed))
            } else {
                waiting.append(connection)
            }
        }
        // The users still waiting are the idle ones now (in the order they were looked at, as
        // the engine always kept them); the emptied list is next turn's buffer.
        swap(&idle, &waiting)
    }

    /// With a think time, the user is ready again a drawn time after the answer; without, at
    /// once (its ready time has passed already).
    public mutating func finished(_ connection: Int, at elapsed: UInt64) {
        guard let think, readyAt.indices.contains(connection) else { return }
        let (sum, overflow) = elapsed.addingReportingOverflow(UInt64.random(in: think, using: &random))
        readyAt[connection] = overflow ? .max : sum
    }

    /// Until the earliest ready time of the idle users a stage has switched on (0 when it has
    /// passed); with stages at most `stagePoll`, to see the users a stage switches on in time.
    /// Users a stage keeps off do not count: their ready time has long passed, and counting
    /// them kept the engine from ever sleeping (a core spun at 100% while any user was off).
    public func wait(elapsed: UInt64, sent: Int, idle: [Int]) -> UInt64 {
        let active = active(at: elapsed)
        var next = UInt64.max
        for connection in idle where Double(connection) < active && readyAt.indices.contains(connection) {
            next = min(next, readyAt[connection])
        }
        let wait = next > elapsed ? next - elapsed : 0
        return stages == nil ? wait : min(wait, Self.stagePoll)
    }

    /// `value` ns as a whole number, truncated; `UInt64.max` (never) past its range, so a spawn
    /// rate too small to reach a user within 584 years does not trap.
    static func nanoseconds(_ value: Double) -> UInt64 {
        value < 18_446_744_073_709_551_616.0 ? UInt64(value) : .max
    }
}

extension UserArrivals: Sendable where Random: Sendable {}

extension UserArrivals where Random == SystemRandomNumberGenerator {
    /// Think times drawn from the system's generator, as the engine runs.
    public init(users: Int, think: ClosedRange<UInt64>?, spawnRate: Double?, stages: StageProfile?) {
        self.init(users: users, think: think, spawnRate: spawnRate, stages: stages, random: SystemRandomNumberGenerator())
    }
}
