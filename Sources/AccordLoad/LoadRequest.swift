import AccordHTTP
import AccordHTTPTypes

/// One request of a load plan: what to send, how often relative to the others, which statuses
/// count as answered as expected, and what to keep from its answers.
public struct LoadRequest: Sendable {
    public var request: ClientRequest
    /// Relative frequency in the plan's mix (0 never sends it).
    public var weight: Int
    /// The status expectation: an answer whose status this refuses counts as a `.status` error
    /// (a failed expectation), as a check's `status:` would.
    public var accepts: @Sendable (Int) -> Bool
    /// What to keep from every accepted 2xx answer, for reconciliation or a pool: a JSONPath
    /// to a string or number (`$.id`, `$.data.uuid`) or a top-level field's name (`id`); nil
    /// keeps nothing, and the engine then does not even hold on to the body.
    public var collect: String?
    /// Set when parts of the request change per request (`{{uuid}}`, a pool item, a feeder's
    /// column): `request` is then the marked rendering the template was compiled from, and
    /// each request sent is rendered from the template.
    public var template: LoadTemplate?

    public init(
        request: ClientRequest, weight: Int = 1, accepts: @escaping @Sendable (Int) -> Bool = LoadRequest.redirectsOrSuccesses,
        collect: String? = nil, template: LoadTemplate? = nil
    ) {
        self.template = template
        self.request = request
        self.weight = weight
        self.accepts = accepts
        self.collect = collect
    }

    /// The default expectation: any 2xx or 3xx.
    public static let redirectsOrSuccesses: @Sendable (Int) -> Bool = { (200..<400).contains($0) }
}
