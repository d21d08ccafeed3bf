/// The queue's side of `/api/v1/queue/stats`, read from Redis (or the memory queue).
public struct QueueSnapshot: Sendable, Equatable {
    /// Per priority stream: entries in the stream (XLEN) and delivered but unacknowledged
    /// entries of the `workers` group (XPENDING).
    public struct Stream: Sendable, Equatable {
        public var length: Int64
        public var pending: Int64
        public init(length: Int64, pending: Int64) {
            self.length = length
            self.pending = pending
        }
    }

    /// Indexed by priority 0...3 (emergency, high, normal, low).
    public var streams: [Stream]
    public var deadLetters: Int64
    public var delayed: Int64

    public init(streams: [Stream], deadLetters: Int64, delayed: Int64) {
        self.streams = streams
        self.deadLetters = deadLetters
        self.delayed = delayed
    }
}

/// The names of the queue's Redis keys, shared by the server and the probes.
public enum QueueKeys {
    /// Stream names by priority: 0 emergency, 1 high, 2 normal, 3 low.
    public static let priorityNames = ["emergency", "high", "normal", "low"]
    public static func stream(priority: Int) -> String { "jobs:stream:\(priorityNames[priority])" }
    public static let allStreams = priorityNames.map { "jobs:stream:\($0)" }
    public static let consumerGroup = "workers"
    public static let deadLetters = "jobs:dlq"
    public static let delayed = "jobs:delayed"
    /// Marker set atomically with each XADD so that a job reaches its stream exactly once,
    /// however often the relay retries it.
    public static func enqueuedMarker(jobID: String) -> String { "jobs:enqueued:\(jobID)" }
}
