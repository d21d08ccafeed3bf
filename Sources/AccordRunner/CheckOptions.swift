import AccordHTTPTypes
import AccordSpec

/// What `accord check` was asked to do.
public struct CheckOptions: Sendable {
    /// Base URL of the server under test, without a trailing slash.
    public var target: String
    /// Only cases carrying one of these tags run (all when empty); opt-in cases need one.
    public var tags: Set<String>
    /// `--level core,strict`: only cases of these levels run (nil: every level).
    public var levels: Set<ConformanceLevel>?
    /// `--var NAME=VALUE`: defined in every file, overriding the file's own variables.
    public var variables: [String: String]
    public var environment: [String: String]
    /// Headers every request carries (`--header`); a case's own header of the same name wins.
    public var headers: [(name: String, value: String)] = []
    /// TLS, --resolve and proxy for every request (`--cacert`, `--insecure`, …).
    public var transport = Transport()
    public var databaseURL: String?
    public var redisURL: String?
    /// The `{{seq}}` counter's stride and offset: a shard's count and index (``Shard``).
    public var sequenceStride = 1
    public var sequenceOffset = 0

    public init(
        target: String, tags: Set<String> = [], variables: [String: String] = [:], environment: [String: String] = [:],
        databaseURL: String? = nil, redisURL: String? = nil
    ) {
        var base = target
        while base.hasSuffix("/") { base.removeLast() }
        self.target = base
        self.tags = tags
        self.variables = variables
        self.environment = environment
        self.databaseURL = databaseURL
        self.redisURL = redisURL
    }
}
