import AccordJSON

/// One spec file: a suite of cases, plus the load-testing parts (endpoints, targets,
/// scenarios) that `accord load` runs.
public struct SpecFile: Sendable {
    public var path: String
    /// The file's text, kept to render diagnostics found later (at run time).
    public var source: String
    public var suite: Located<String>
    public var description: String?
    public var tags: [String]
    /// `level:` — the level of every case, target and scenario of the file that names none.
    public var level: Located<ConformanceLevel>?
    public var variables: [(name: String, value: Template)]
    public var cases: [Case]
    public var endpoints: [Endpoint]
    public var targets: [TargetSet]
    public var scenarios: [Scenario]
    /// Health, pools, feeders and reconciliation: what the runner knows of the API.
    public var data: LoadData
    /// `defaults: {headers: {…}, timeout: 5s}`: headers every request of the file carries
    /// unless it sets or drops the same name (values may be `{{env.NAME}}`), and the timeout of
    /// requests that give none.
    public var defaultHeaders: [(name: String, value: Template)] = []
    /// `defaults: {http: "2"}`: the HTTP version of the file's requests unless the run chooses
    /// one ("1.1", "2", "2-prior-knowledge").
    public var defaultHTTP: String?
    /// Data to fill a booted environment with before the load (`seed:`).
    public var seed: [SeedTable] = []
    /// What the vendor says it measured (`claims:`), shown beside targets and measurements.
    public var claims: [Claim] = []

    public init(
        path: String, source: String, suite: Located<String>, description: String? = nil, tags: [String] = [],
        variables: [(name: String, value: Template)] = [], cases: [Case] = [], endpoints: [Endpoint] = [],
        targets: [TargetSet] = [], scenarios: [Scenario] = [], data: LoadData = LoadData()
    ) {
        self.data = data
        self.path = path
        self.source = source
        self.suite = suite
        self.description = description
        self.tags = tags
        self.variables = variables
        self.cases = cases
        self.endpoints = endpoints
        self.targets = targets
        self.scenarios = scenarios
    }
}

/// One request and what its answer must be.
public struct Case: Sendable {
    public var name: Located<String>
    public var tags: [String]
    /// `level:` — overrides the file's.
    public var level: Located<ConformanceLevel>?
    /// Runs only when `--tags` names one of its tags (protections a server may have off).
    public var optIn: Bool
    public var request: RequestTemplate
    public var expect: Expectations
    public var captures: [Capture]
    public var verifications: [Verification]
    /// Send the request this many times at once; 1 for an ordinary case.
    public var parallel: Int
    public var aggregates: [Aggregate]

    public init(
        name: Located<String>, tags: [String] = [], optIn: Bool = false, request: RequestTemplate, expect: Expectations = Expectations(),
        captures: [Capture] = [], verifications: [Verification] = [], parallel: Int = 1, aggregates: [Aggregate] = []
    ) {
        self.name = name
        self.tags = tags
        self.optIn = optIn
        self.request = request
        self.expect = expect
        self.captures = captures
        self.verifications = verifications
        self.parallel = parallel
        self.aggregates = aggregates
    }
}

/// A request with templates still in it.
public struct RequestTemplate: Sendable {
    public enum Body: Sendable {
        /// Any JSON value; its strings may hold templates (rendered member by member).
        case json(JSON)
        case raw(Template)
    }

    public var method: String
    public var path: Template
    public var query: [(name: String, value: Template)]
    public var headers: [(name: String, value: Template)]
    public var body: Body?
    public var timeoutMilliseconds: Int
    public var location: SourceLocation
    /// Default headers this request does not send (`Name: null`), lowercased: a "no key →
    /// 401" case keeps meaning what it says when the run or the spec adds a key to every request.
    public var droppedHeaders: Set<String> = []

    public init(
        method: String = "GET", path: Template, query: [(name: String, value: Template)] = [],
        headers: [(name: String, value: Template)] = [], body: Body? = nil, timeoutMilliseconds: Int = 10_000,
        location: SourceLocation
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
        self.location = location
    }
}

/// Everything `expect:` may say about one answer. Each assertion keeps its location so a
/// failure points at the line that stated it.
public struct Expectations: Sendable {
    public var status: Located<StatusExpectation>?
    public var headers: [HeaderAssertion]
    public var body: [BodyAssertion]
    public var schema: Located<JSONSchema>?
    public var maxTimeMicroseconds: Located<Int64>?
    public var bodyNotContains: [Located<String>]

    public init(
        status: Located<StatusExpectation>? = nil, headers: [HeaderAssertion] = [], body: [BodyAssertion] = [],
        schema: Located<JSONSchema>? = nil, maxTimeMicroseconds: Located<Int64>? = nil, bodyNotContains: [Located<String>] = []
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.schema = schema
        self.maxTimeMicroseconds = maxTimeMicroseconds
        self.bodyNotContains = bodyNotContains
    }
}

public struct HeaderAssertion: Sendable {
    public var name: String
    public var predicate: Predicate
    public var location: SourceLocation

    public init(name: String, predicate: Predicate, location: SourceLocation) {
        self.name = name
        self.predicate = predicate
        self.location = location
    }
}

public struct BodyAssertion: Sendable {
    public var path: JSONPath
    public var predicate: Predicate
    public var location: SourceLocation

    public init(path: JSONPath, predicate: Predicate, location: SourceLocation) {
        self.path = path
        self.predicate = predicate
        self.location = location
    }
}

/// A value taken from an answer for later cases.
public struct Capture: Sendable {
    public enum Source: Sendable, Equatable {
        case body(JSONPath)
        case header(String)
    }

    public var name: String
    public var source: Source
    public var location: SourceLocation

    public init(name: String, source: Source, location: SourceLocation) {
        self.name = name
        self.source = source
        self.location = location
    }
}

/// A side effect to check in PostgreSQL or Redis after the request.
public struct Verification: Sendable {
    public enum Kind: Sendable {
        /// The parameterized query returns exactly `rows` (compared as text), or `count` rows.
        case sql(query: String, params: [Template], rows: [[Template?]]?, count: Int?)
        /// Exactly one entry of `stream` has the `match` field values (and then `fields`).
        case streamEntry(stream: Template, match: [(name: String, value: Template)], fields: [(name: String, value: Template)])
        case keyExists(key: Template, exists: Bool)
        /// The stream's length grew by `delta` during the case.
        case streamLengthDelta(stream: Template, delta: Int)
    }

    public var kind: Kind
    public var location: SourceLocation

    public var needsDatabase: Bool {
        if case .sql = kind { return true }
        return false
    }

    public init(kind: Kind, location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

/// A check over all answers of a `parallel` case.
public struct Aggregate: Sendable {
    public enum Subject: Sendable, Equatable {
        /// The distinct values captured under this name.
        case distinct(String)
        /// The answers with this status.
        case status(Int)
    }

    public var subject: Subject
    public var count: Int
    public var location: SourceLocation

    public init(subject: Subject, count: Int, location: SourceLocation) {
        self.subject = subject
        self.count = count
        self.location = location
    }
}
