import AccordLoad
import AccordResults
import AccordSpec

extension LoadSession {
    /// The vendor's single-request claims measured as it states them: each endpoint with latency
    /// claims alone, one connection sending its next request when the last is answered, before
    /// any other load. What it created is reconciled like every phase's; its figures are judged
    /// only against the claims (``ClaimEvaluation``), never against targets.
    func singlePhases(_ specs: [SpecFile], plan runPlan: RunPlan, into results: inout Results) async {
        for planned in runPlan.phases where planned.kind == .single && planned.skipped == nil {
            guard let spec = specs.first(where: { $0.path == planned.spec }),
                let claim = spec.claims.first(where: { $0.subject.value == planned.name }),
                let endpoint = spec.endpoints.first(where: { $0.name.value == planned.name }),
                let prepared = try? prepare(endpoint, in: spec)
            else { continue }
            if Task.isCancelled || serverGone() { return }
            await waitForPlannedStart(planned)
            let seconds = planned.seconds ?? 1
            progress("single requests to \(endpoint.name.value) for \(Int(seconds)) s: one connection (the vendor's single-request figures)")
            let plan = Self.plan(
                Self.planRequests([(prepared: prepared, weight: 1)]).requests, connections: 1, seconds: seconds, model: .closed, threads: 1)
            let (result, samples) = await load("single \(endpoint.name.value) (one connection)", plan)
            await reconcile(
                "single \(endpoint.name.value)", result, endpoints: [endpoint.name.value], spec: spec, location: claim.subject.location, into: &results)
            results.singles.append(LoadPhase(name: endpoint.name.value, load: planned.load, result: result, resources: samples, since: runStart))
        }
    }
}
