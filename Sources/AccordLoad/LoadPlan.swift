import AccordHTTP

/// What to send, how hard, and for how long.
public struct LoadPlan: Sendable {
    /// How requests arrive.
    public enum Model: Sendable, Equatable {
        /// Each connection sends its next request as soon as the last is answered (wrk).
        case closed
        /// Requests arrive at this many per second whatever the answers' speed (wrk2 -R).
        case open(rate: Double)
    }

    /// The requests to send, drawn round-robin by weight.
    public var requests: [(request: HTTPRequestSpec, weight: Int)]
    public var connections: Int
    public var durationNanoseconds: UInt64
    public var model: Model
    /// Engines (threads), each with its share of connections and of the rate.
    public var threads: Int
    /// Closed model: a user waits a uniformly drawn time in this range (ns) between an answer
    /// and its next request (Locust's `between(a, b)`); nil sends again at once.
    public var thinkNanoseconds: ClosedRange<UInt64>?
    /// Closed model: users start at this many per second (all at once when nil).
    public var spawnRate: Double?

    public init(
        requests: [(request: HTTPRequestSpec, weight: Int)], connections: Int, durationNanoseconds: UInt64, model: Model = .closed,
        threads: Int = 1, thinkNanoseconds: ClosedRange<UInt64>? = nil, spawnRate: Double? = nil
    ) {
        self.thinkNanoseconds = thinkNanoseconds
        self.spawnRate = spawnRate
        self.requests = requests
        self.connections = connections
        self.durationNanoseconds = durationNanoseconds
        self.model = model
        self.threads = threads
    }

    /// A weighted round-robin order of request indexes: for weights [7, 2, 1] ten slots with
    /// the heaviest spread evenly, so every window of the sequence keeps the mix.
    public var schedule: [Int] {
        let total = requests.reduce(0) { $0 + max(0, $1.weight) }
        guard total > 0 else { return [] }
        var credit = [Int](repeating: 0, count: requests.count)
        var order: [Int] = []
        order.reserveCapacity(total)
        for _ in 0..<total {
            // Smooth weighted round-robin (as nginx balances upstreams).
            var best = 0
            for index in requests.indices {
                credit[index] += max(0, requests[index].weight)
                if credit[index] > credit[best] { best = index }
            }
            credit[best] -= total
            order.append(best)
        }
        return order
    }
}
