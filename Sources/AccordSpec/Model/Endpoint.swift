/// A named request template that load scenarios draw from.
public struct Endpoint: Sendable {
    public var name: Located<String>
    public var request: RequestTemplate
    /// The statuses a load request must get to count as a success.
    public var expectStatus: StatusExpectation?

    public init(name: Located<String>, request: RequestTemplate, expectStatus: StatusExpectation? = nil) {
        self.name = name
        self.request = request
        self.expectStatus = expectStatus
    }
}
