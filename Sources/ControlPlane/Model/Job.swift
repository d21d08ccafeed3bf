import AccordJSON

/// The lifecycle states of a job, as stored in `jobs.status`.
public enum JobStatus: String, Sendable, CaseIterable, Codable {
    case pending, queued, running, completed, failed, cancelled

    /// A job in one of these states can still be cancelled.
    public var isCancellable: Bool { self == .pending || self == .queued }
}

/// How the execution engine should approach the target.
public enum Strategy: String, Sendable, CaseIterable {
    case vanilla, stealth, assault
}

/// A create-job request that passed validation: every field within the contract's bounds.
public struct JobRequest: Sendable, Equatable {
    public var domain: String
    public var url: String
    public var jobType: String
    public var strategy: Strategy
    public var priority: Int
    public var timeoutSeconds: Int
    public var idempotencyKey: String?
    /// A JSON object (the request body; `{}` when the body was empty).
    public var payload: JSON

    public init(
        domain: String, url: String, jobType: String, strategy: Strategy = .vanilla, priority: Int = 2,
        timeoutSeconds: Int = 300, idempotencyKey: String? = nil, payload: JSON = .object([])
    ) {
        self.domain = domain
        self.url = url
        self.jobType = jobType
        self.strategy = strategy
        self.priority = priority
        self.timeoutSeconds = timeoutSeconds
        self.idempotencyKey = idempotencyKey
        self.payload = payload
    }
}

/// One row of `jobs`: what the store keeps and the status endpoint shows.
public struct Job: Sendable, Equatable {
    /// Lower-case UUID text, the primary key.
    public var id: String
    public var request: JobRequest
    public var status: JobStatus
    public var attempts: Int
    public var maxAttempts: Int
    public var result: JSON?
    public var artifacts: JSON?
    public var error: String?
    public var createdAt: Timestamp
    public var startedAt: Timestamp?
    public var completedAt: Timestamp?
    /// When the job was written to its Redis stream; nil until then (the relay's work list).
    public var enqueuedAt: Timestamp?

    public init(
        id: String, request: JobRequest, status: JobStatus = .pending, attempts: Int = 0, maxAttempts: Int = 3,
        result: JSON? = nil, artifacts: JSON? = nil, error: String? = nil, createdAt: Timestamp,
        startedAt: Timestamp? = nil, completedAt: Timestamp? = nil, enqueuedAt: Timestamp? = nil
    ) {
        self.id = id
        self.request = request
        self.status = status
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.result = result
        self.artifacts = artifacts
        self.error = error
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.enqueuedAt = enqueuedAt
    }

    /// True when a replay with `other` asks for the same job: every parameter equal
    /// (payloads compared as JSON values, not as text).
    public func isSameRequest(as other: JobRequest) -> Bool {
        request == other
    }
}

extension Job {
    /// The JSON document a worker reads from the stream's `job_data` field.
    public var jobData: JSON {
        [
            "id": .string(id),
            "url": .string(request.url),
            "type": .string(request.jobType),
            "domain": .string(request.domain),
            "strategy": .string(request.strategy.rawValue),
            "payload": request.payload,
            "priority": .int(Int64(request.priority)),
            "timeout_seconds": .int(Int64(request.timeoutSeconds)),
        ]
    }
}
