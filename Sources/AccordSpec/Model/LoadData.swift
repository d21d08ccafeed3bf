/// What a spec declares about its API so that a generic runner can load and verify it:
/// which request says the server is up, which items load requests draw from, which data
/// files feed them, and how to find what an endpoint acknowledged in the store. Nothing of
/// the API is known to the runner but what these say.
public struct LoadData: Sendable {
    public var health: HealthRequest?
    public var pools: [Pool]
    public var feeders: [Feeder]
    public var reconcile: [ReconcileRule]
    /// `metrics: /metrics`: where the server exposes Prometheus metrics, read once after the
    /// load for the report's Monitoring section.
    public var metrics: Located<String>?

    public init(health: HealthRequest? = nil, pools: [Pool] = [], feeders: [Feeder] = [], reconcile: [ReconcileRule] = []) {
        self.health = health
        self.pools = pools
        self.feeders = feeders
        self.reconcile = reconcile
    }

    /// The reconciliation declared for endpoint `name`, if any.
    public func rule(for endpoint: String) -> ReconcileRule? {
        reconcile.first { $0.endpoint.value == endpoint }
    }
}

/// `health: {path: /ready, status: 200}`: a GET that answers `status` while the server is up
/// (used to wait for recovery after a fault and to say whether it is healthy afterwards).
public struct HealthRequest: Sendable {
    public var path: String
    public var status: Int
    public var location: SourceLocation

    public init(path: String, status: Int = 200, location: SourceLocation) {
        self.path = path
        self.status = status
        self.location = location
    }
}

/// Items created through an endpoint before the load, for load requests to draw from with
/// `{{pool.NAME}}`: `pools: {tasks: {from: create_task, collect: $.data.uuid, size: 10000}}`.
public struct Pool: Sendable {
    public enum Draw: Sendable, Hashable {
        case uniform
        case sequential
        /// Zipf's law with this exponent: a few hot items, a long tail.
        case zipf(Double)
    }

    public var name: Located<String>
    /// The endpoint whose accepted answers fill the pool.
    public var from: Located<String>
    /// Where the item is in each answer (a JSONPath to a string or integer).
    public var collect: String
    public var size: Int
    public var draw: Draw

    public init(name: Located<String>, from: Located<String>, collect: String, size: Int, draw: Draw = .uniform) {
        self.name = name
        self.from = from
        self.collect = collect
        self.size = size
        self.draw = draw
    }
}

/// Rows of a data file for load requests, `{{feed.NAME.COLUMN}}`:
/// `feeders: {sites: {file: data/sites.csv, order: unique, exhausted: stop}}`.
public struct Feeder: Sendable {
    public enum Order: String, Sendable, CaseIterable {
        case sequential, random, unique
    }

    public enum Format: String, Sendable {
        /// A header line naming the columns, then one row per line (RFC 4180 quoting).
        case csv
        /// One JSON object per line; its members are the columns.
        case jsonl
    }

    public var name: Located<String>
    /// The file as written in the spec, and resolved against the spec's folder.
    public var file: Located<String>
    public var path: String
    public var format: Format
    public var order: Order
    /// After the last row: start over (true) or stop the load (false; `unique` only).
    public var wraps: Bool

    public init(name: Located<String>, file: Located<String>, path: String, format: Format, order: Order, wraps: Bool) {
        self.name = name
        self.file = file
        self.path = path
        self.format = format
        self.order = order
        self.wraps = wraps
    }
}

/// How to check that every item an endpoint acknowledged was stored exactly once:
/// `reconcile: {create_task: {collect: $.data.uuid, postgres: "SELECT uuid FROM tasks WHERE uuid =
/// ANY($1::text[])", redis: {streams: "tq:*", field: uuid}}}`.
public struct ReconcileRule: Sendable {
    public var endpoint: Located<String>
    /// Where the item's id is in each accepted answer.
    public var collect: String
    /// A query given the ids as `$1` (a text array), returning one row per stored copy with
    /// the id in its first column.
    public var postgres: String?
    /// Streams whose entries carry the id in `field`: every key matching `streams` (a Redis
    /// glob) that is a stream.
    public var streams: String?
    public var field: String?
    public var location: SourceLocation

    public init(
        endpoint: Located<String>, collect: String, postgres: String? = nil, streams: String? = nil, field: String? = nil,
        location: SourceLocation
    ) {
        self.endpoint = endpoint
        self.collect = collect
        self.postgres = postgres
        self.streams = streams
        self.field = field
        self.location = location
    }
}
