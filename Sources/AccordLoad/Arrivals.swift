/// How the requests of a load arrive: the one thing the load engine's three models (closed,
/// users, open) do differently, kept out of the engine so each can be read and tested alone.
///
/// A model is a small pure value, in the style of `Pacer`: times are nanoseconds from the
/// start of the run and come in as arguments, never from a clock, so a test drives it with
/// made-up times and the engine stays the only place that reads the clock. Once per turn of
/// its event loop the engine asks the model which idle connections send now (`release`) and
/// how long it may sleep before more are due (`wait`); when a request ends it tells the model
/// (`finished`).
///
/// The engine is generic over the model, never holding it as `any ArrivalModel`: each call is
/// direct and specialised, and nothing here allocates per request (`release` appends to a
/// buffer the engine keeps between turns), so the hot loop costs what it did with the models
/// written inline.
public protocol ArrivalModel {
    /// Moves the connections that send now from `idle` into `launches` (appended in the order
    /// they go), each with the time its request was meant to go, from which its latency
    /// counts. `idle` is taken from its end (the connection freed last goes first, as the
    /// engine has always taken them); those that stay idle stay in it. `sent`: requests sent
    /// so far, all models together (the open model numbers its schedule with it).
    mutating func release(elapsed: UInt64, sent: Int, idle: inout [Int], into launches: inout [Arrival])

    /// Connection `connection`'s request ended at `elapsed` (answered, failed or timed out).
    mutating func finished(_ connection: Int, at elapsed: UInt64)

    /// Nanoseconds from `elapsed` before a request may be due on one of the connections in
    /// `idle`: 0 when one is due already, `UInt64.max` when none ever will be. The engine asks
    /// only while it sends and has idle connections, caps the answer (100 ms) and wakes sooner
    /// for sockets and time limits.
    func wait(elapsed: UInt64, sent: Int, idle: [Int]) -> UInt64
}

/// One request to send now: on which connection, and when it was meant to go (ns from the
/// start; at or before the time it is released).
public struct Arrival: Sendable, Equatable {
    public var connection: Int
    public var intended: UInt64

    public init(connection: Int, intended: UInt64) {
        self.connection = connection
        self.intended = intended
    }
}

/// The closed model as wrk runs it: every connection sends again as soon as its last request
/// ended, so every idle connection sends now and each request is meant to go when it does.
/// The load follows the server's speed (coordinated omission included, as wrk's numbers have).
public struct ClosedArrivals: ArrivalModel, Sendable, Equatable {
    public init() {}

    public mutating func release(elapsed: UInt64, sent: Int, idle: inout [Int], into launches: inout [Arrival]) {
        while let connection = idle.popLast() { launches.append(Arrival(connection: connection, intended: elapsed)) }
    }

    /// Nothing to remember: the connection is idle again, and idle means due.
    public func finished(_ connection: Int, at elapsed: UInt64) {}

    /// At once while a connection is idle (it is due); never otherwise.
    public func wait(elapsed: UInt64, sent: Int, idle: [Int]) -> UInt64 { idle.isEmpty ? .max : 0 }
}
