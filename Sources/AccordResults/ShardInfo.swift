/// What a shard's document says about the shard (`accord load --shard i/n --start-at T`): its
/// share, the shared start instant and how late it started. `accord merge` refuses documents
/// whose counts differ or whose indexes are missing or repeated.
public struct ShardInfo: Codable, Sendable, Equatable {
    /// 0 to count-1, Kubernetes' `JOB_COMPLETION_INDEX` numbering.
    public var index: Int
    public var count: Int
    /// The instant every shard was to start at (RFC 3339 UTC); the shard's own when none was given.
    public var startAt: String
    /// Seconds after `startAt` that the shard's load began (0: on time).
    public var lateBy: Double

    public init(index: Int, count: Int, startAt: String, lateBy: Double) {
        self.index = index
        self.count = count
        self.startAt = startAt
        self.lateBy = lateBy
    }
}

/// One shard as a merged document lists it: the per-shard table of the reports.
public struct ShardSummary: Codable, Sendable, Equatable {
    public var index: Int
    /// The shard document it came from.
    public var file: String
    /// Requests sent over every phase.
    public var requests: Int
    /// Successful requests per second over every phase's seconds.
    public var rps: Double
    /// Seconds from the earliest shard's start to this one's (wall clock).
    public var startOffset: Double
    public var lateBy: Double
    /// A phase of this shard was limited by its generator: its figures are floors.
    public var generatorBound: Bool

    public init(index: Int, file: String, requests: Int, rps: Double, startOffset: Double, lateBy: Double, generatorBound: Bool) {
        self.index = index
        self.file = file
        self.requests = requests
        self.rps = rps
        self.startOffset = startOffset
        self.lateBy = lateBy
        self.generatorBound = generatorBound
    }
}
