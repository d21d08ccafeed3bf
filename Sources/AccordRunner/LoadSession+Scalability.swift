import AccordChecks
import AccordResults
import AccordSpec

/// One instance against N (`accord run --replicas N`): the capacity search of one endpoint run
/// again by a copy of the session aimed at nginx's single-replica port, so that both figures
/// pay for the same proxy, the same generator and the same machine.
extension LoadSession {
    /// The endpoint to measure alone: of the endpoints whose capacity was searched through
    /// every replica, the one with the lowest sustained rate — the path the servers limit
    /// most, where more replicas would have to show — preferring searches the generator did
    /// not bound; when none sustained a rate (a busy machine), the one with the lowest peak.
    /// Nil when no endpoint's capacity was searched. Pure.
    static func scalingSubject(_ capacity: [Capacity], endpoints: Set<String>) -> String? {
        let searched = capacity.filter { endpoints.contains($0.subject) }
        let sustained = searched.filter { $0.sustainedRPS != nil }
        let serverBound = sustained.filter { !$0.generatorBound }
        if let lowest = (serverBound.isEmpty ? sustained : serverBound).min(by: { ($0.sustainedRPS ?? 0) < ($1.sustainedRPS ?? 0) }) {
            return lowest.subject
        }
        return searched.min { $0.peakRPS < $1.peakRPS }?.subject
    }

    /// Searches `subject`'s capacity against this session's target (the caller aims it at one
    /// replica), exactly as ``capacity(_:plan:into:)`` searches it, from the same start;
    /// reconciles what it created into `results`. Nil when the plan has no capacity search or
    /// the subject is not an endpoint with a p99 target.
    func oneInstanceCapacity(_ specs: [SpecFile], plan runPlan: RunPlan, subject: String, into results: inout Results) async -> Capacity? {
        let searches = runPlan.phases.filter { $0.kind == .capacity }
        guard let rule = searches.first?.capacity else { return nil }
        for spec in specs where searches.contains(where: { $0.spec == spec.path }) {
            guard let targetSet = spec.targets.first(where: { $0.subject.value == subject }),
                let p99 = targetSet.thresholds.first(where: { $0.metric == .p99 })?.threshold.bound,
                let endpoint = spec.endpoints.first(where: { $0.name.value == subject }),
                let prepared = try? prepare(endpoint, in: spec)
            else { continue }
            if serverGone() || Task.isCancelled { return nil }
            progress("capacity of \(subject) with one replica behind the same nginx (\(target))")
            let search = CapacitySearch(
                stepSeconds: rule.stepSeconds, maxSteps: rule.maxSteps, threads: threads, sources: data.sources, counter: renderer.counter)
            let measured = results.endpoints.first { $0.name == subject }?.measurement.rps
            let requests = Self.planRequests([(prepared: prepared, weight: 1)]).requests
            let name = "\(subject) (one instance)"
            let (capacity, collected) = await search.run(
                subject: name, requests: requests, groups: [.init(name: subject, requests: Array(requests.indices), p99Target: p99)],
                startRPS: Self.capacityStart(targetSet, measuredRPS: measured), measuredRPS: nil, reporter: reporter)
            await reconcile(
                "capacity \(name)", collected: collected, acknowledged: collected.map(\.count), endpoints: [subject], spec: spec,
                location: targetSet.subject.location, into: &results)
            return capacity
        }
        return nil
    }
}
