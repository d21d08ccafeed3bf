/// Capacity search for one endpoint or the mix: constant arrival rates stepped up until the
/// latency target or the error budget breaks. Sustained is the highest rate held for a whole
/// step with p99 within target and under 1% errors; peak the highest throughput reached.
public struct Capacity: Codable, Sendable, Equatable {
    public var subject: String
    /// The p99 bound a step must hold (ms), from the subject's targets.
    public var p99Target: Double
    public var sustainedRPS: Double?
    public var peakRPS: Double
    /// The search stopped because the generator, not the server, ran out: the figures are floors.
    public var generatorBound: Bool
    public var steps: [Step]

    public init(subject: String, p99Target: Double, sustainedRPS: Double?, peakRPS: Double, generatorBound: Bool, steps: [Step]) {
        self.subject = subject
        self.p99Target = p99Target
        self.sustainedRPS = sustainedRPS
        self.peakRPS = peakRPS
        self.generatorBound = generatorBound
        self.steps = steps
    }

    public struct Step: Codable, Sendable, Equatable {
        /// The arrival rate asked for (req/s).
        public var offeredRPS: Double
        /// What completed per second.
        public var achievedRPS: Double
        public var p50: Double
        public var p99: Double
        public var errorRate: Double
        /// p99 within target, errors under 1%, and the generator kept the schedule.
        public var held: Bool
        /// Requests due that were never sent because the generator fell behind.
        public var behind: Int?
        /// Requests that got no answer in time (timed out, or still in flight at the end).
        public var unanswered: Int?
        /// A shard's step (`--shard`): requests sent, failed and the latency histogram (µs,
        /// from the intended send time), what `accord merge` adds up exactly. Nil elsewhere.
        public var requests: Int?
        public var errors: Int?
        public var latency: HistogramData?

        public init(
            offeredRPS: Double, achievedRPS: Double, p50: Double, p99: Double, errorRate: Double, held: Bool, behind: Int? = nil,
            unanswered: Int? = nil
        ) {
            self.offeredRPS = offeredRPS
            self.achievedRPS = achievedRPS
            self.p50 = p50
            self.p99 = p99
            self.errorRate = errorRate
            self.held = held
            self.behind = behind
            self.unanswered = unanswered
        }
    }
}

/// After a load phase: were the jobs the server acknowledged with 201 really kept?
public struct Reconciliation: Codable, Sendable, Equatable {
    /// The phase it checked (`create_job`, `scenario normal`, `fault redis-stop`).
    public var phase: String
    /// Distinct job ids acknowledged with 201.
    public var acknowledged: Int
    /// Acknowledged ids with no row in PostgreSQL.
    public var lostInDatabase: Int
    /// Acknowledged ids with more than one row (cannot happen with a primary key, still counted).
    public var duplicatedInDatabase: Int
    /// Acknowledged ids in no Redis stream.
    public var lostInStreams: Int
    /// Acknowledged ids with more than one stream entry.
    public var duplicatedInStreams: Int
    /// Why a part could not be checked (no database URL for a `--target`), if so.
    public var note: String?
    /// The acknowledged ids themselves, kept when the document is to be reconciled elsewhere
    /// (a shard's, for `accord merge`); nil when this run reconciled them and counts suffice.
    public var acknowledgedIDs: [String]?
    /// The endpoint whose `reconcile:` rule applies to `acknowledgedIDs` (kept with them).
    public var endpoint: String?

    public init(
        phase: String, acknowledged: Int, lostInDatabase: Int, duplicatedInDatabase: Int, lostInStreams: Int, duplicatedInStreams: Int,
        note: String? = nil, acknowledgedIDs: [String]? = nil, endpoint: String? = nil
    ) {
        self.endpoint = endpoint
        self.phase = phase
        self.acknowledged = acknowledged
        self.lostInDatabase = lostInDatabase
        self.duplicatedInDatabase = duplicatedInDatabase
        self.lostInStreams = lostInStreams
        self.duplicatedInStreams = duplicatedInStreams
        self.note = note
        self.acknowledgedIDs = acknowledgedIDs
    }

    public var lost: Int { lostInDatabase + lostInStreams }
    public var duplicated: Int { duplicatedInDatabase + duplicatedInStreams }
}

/// One fault applied during a scenario, and how the system came through it.
public struct FaultOutcome: Codable, Sendable, Equatable {
    public var scenario: String
    /// In words: `stop redis at 2 s for 3 s`.
    public var fault: String
    public var atSecond: Double
    /// From the fault's end until /health answered 200 again; nil when it never did.
    public var recoverySeconds: Double?
    /// Requests that finished while the fault was on, and the share that failed.
    public var requestsDuring: Int
    public var errorRateDuring: Double
    public var acknowledged: Int
    public var lost: Int
    public var duplicated: Int
    /// `kill_replica` only (optional in v3): the scenario's failed requests, and the most it
    /// may have — its connections, a bound on the requests in flight on the killed replica.
    public var errors: Int? = nil
    public var errorBound: Int? = nil

    public init(
        scenario: String, fault: String, atSecond: Double, recoverySeconds: Double?, requestsDuring: Int, errorRateDuring: Double,
        acknowledged: Int, lost: Int, duplicated: Int
    ) {
        self.scenario = scenario
        self.fault = fault
        self.atSecond = atSecond
        self.recoverySeconds = recoverySeconds
        self.requestsDuring = requestsDuring
        self.errorRateDuring = errorRateDuring
        self.acknowledged = acknowledged
        self.lost = lost
        self.duplicated = duplicated
    }
}
