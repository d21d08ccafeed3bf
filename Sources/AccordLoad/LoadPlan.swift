import AccordHTTP
import AccordHTTPTypes

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
    public var requests: [LoadRequest]
    /// Connections kept open: closed model, one per user (with stages, the most users any
    /// stage asks for); open model, how many requests may be in flight at once.
    public var connections: Int
    /// How long requests are sent; with stages, their total (kept so by `stages`).
    public var durationNanoseconds: UInt64
    public var model: Model
    /// Engines (threads), each with its share of connections and of the rate.
    public var threads: Int
    /// Closed model: a user waits a uniformly drawn time in this range (ns) between an answer
    /// and its next request (Locust's `between(a, b)`); nil sends again at once.
    public var thinkNanoseconds: ClosedRange<UInt64>?
    /// Closed model: users start at this many per second (all at once when nil).
    public var spawnRate: Double?
    /// Read every answer's `Server-Timing` header into per-phase histograms
    /// (`LoadRecorder.phases`); off, headers are not looked at.
    public var serverTiming = false
    /// Per request of the plan, the group (endpoint) it belongs to, for measurements per
    /// endpoint of a mix whose endpoints send several requests (a status check over a pool of
    /// job ids): each group gets a recorder of its own (`LoadResult.perGroup`), so its
    /// per-second percentiles are those of all its answers, where merging the per-request
    /// series could only keep the worst request's. Empty: no groups.
    public var groups: [Int] = []
    /// The pools and feeders templated requests draw rows from (``LoadTemplate/Slot/source(_:column:)``).
    public var sources: [ValueSource] = []
    /// The `{{seq}}` counter: give every phase of a run the same one, so values stay unique
    /// across phases.
    public var counter = SequenceCounter()
    /// Requests to send at most (over every engine), then the load ends: a pool filled with
    /// exactly this many items. Nil: as many as the duration allows.
    public var requestLimit: Int?
    /// Where the engines publish each second they close, for a live progress line.
    public var feed: LiveFeed?
    /// A ramp, as k6 stages it: the rate (open model, starting from the model's rate) or the
    /// number of active users (closed model, starting from 0) moves linearly from stage to
    /// stage. Setting stages sets `durationNanoseconds` to their total and, in the closed
    /// model (set the model first), `connections` to the most users they ask for. Empty: a
    /// constant load.
    public var stages: [Stage] = [] {
        didSet {
            guard !stages.isEmpty else { return }
            durationNanoseconds = stages.reduce(0) { $0 &+ $1.durationNanoseconds }
            if model == .closed, let most = stages.map(\.target).max(), most.isFinite, most < 1e7 {
                connections = max(1, Int(most.rounded(.up)))
            }
        }
    }

    public init(
        requests: [LoadRequest], connections: Int, durationNanoseconds: UInt64, model: Model = .closed,
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

    /// Requests as (request, weight) pairs, each expecting a status in 200..<400 and collecting
    /// nothing.
    public init(
        requests: [(request: ClientRequest, weight: Int)], connections: Int, durationNanoseconds: UInt64, model: Model = .closed,
        threads: Int = 1, thinkNanoseconds: ClosedRange<UInt64>? = nil, spawnRate: Double? = nil
    ) {
        self.init(
            requests: requests.map { LoadRequest(request: $0.request, weight: $0.weight) }, connections: connections,
            durationNanoseconds: durationNanoseconds, model: model, threads: threads, thinkNanoseconds: thinkNanoseconds,
            spawnRate: spawnRate)
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
