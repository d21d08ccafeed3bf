import AccordResults

extension LoadPhase.Measurement {
    /// As the target evaluation takes it.
    public var endpointMeasurement: EndpointMeasurement {
        EndpointMeasurement(
            p50: p50, p90: p90, p95: p95, p99: p99, max: max, rps: rps, errorRate: errorRate, requests: requests,
            generatorBound: generatorBound)
    }
}
