import AccordSpec

/// One fault of a scenario as it happened: when it took effect, when its dependency was back,
/// and how long `/health` took to answer 200 again.
public struct FaultTiming: Sendable {
    public var fault: FaultSpec
    /// "stop redis at 2 s for 3 s".
    public var action: String
    /// When the fault took effect, in seconds from the scenario's start; nil when it could not
    /// be applied (see ``error``).
    public var appliedSeconds: Double?
    /// When the dependency was back (Redis answering PING, PostgreSQL accepting connections,
    /// the server listening again); nil when bringing it back failed.
    public var revertedSeconds: Double?
    /// From the end of the fault's `for` (when bringing the dependency back began) until
    /// `/health` first answered 200; nil when it did not within the injector's bound.
    public var recoverySeconds: Double?
    /// `/health` probes during the fault's `for`, and how many of them did not answer 200
    /// (another status, a refused connection, a timeout).
    public var healthProbesDuringFault: Int
    public var healthFailuresDuringFault: Int
    /// What went wrong with the fault itself, in words; nil when it went as planned.
    public var error: String?

    public init(
        fault: FaultSpec, appliedSeconds: Double? = nil, revertedSeconds: Double? = nil, recoverySeconds: Double? = nil,
        healthProbesDuringFault: Int = 0, healthFailuresDuringFault: Int = 0, error: String? = nil
    ) {
        self.fault = fault
        self.action = fault.description
        self.appliedSeconds = appliedSeconds
        self.revertedSeconds = revertedSeconds
        self.recoverySeconds = recoverySeconds
        self.healthProbesDuringFault = healthProbesDuringFault
        self.healthFailuresDuringFault = healthFailuresDuringFault
        self.error = error
    }
}
