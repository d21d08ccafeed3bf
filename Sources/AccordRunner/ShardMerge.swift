import AccordLoad
import AccordResults
import Foundation
import Histogram

/// `accord merge`'s addition, pure: shard documents in, one unjudged document of kind `merge`
/// out (``MergeJudgement`` judges it). Every phase's shard recorders are rebuilt from their
/// histograms and added with `LoadRecorder.merge` — the addition the engines of one run use —
/// so merged percentiles are those of one histogram fed every sample; per-second series are
/// aligned on wall-clock seconds (each shard's `startedAt` + the phase's `startOffset`).
public enum ShardMerge {
    /// A shard's document and the file it came from (for messages).
    public struct Input: Sendable {
        public var file: String
        public var document: ResultsDocument

        public init(file: String, document: ResultsDocument) {
            self.file = file
            self.document = document
        }
    }

    /// Why these documents cannot be merged, each naming the file: not a shard's, shard
    /// counts that differ, an index missing or given twice, other spec files or another plan.
    public static func problems(_ inputs: [Input]) -> [String] {
        guard let first = inputs.first else { return ["no shard documents given"] }
        var problems: [String] = []
        var byIndex: [Int: String] = [:]
        let count = first.document.shard?.count
        for input in inputs {
            guard let shard = input.document.shard else {
                problems.append("\(input.file) is not a shard's document (no shard field): write shards with accord load --shard I/N --target URL --json FILE")
                continue
            }
            if shard.count != count {
                problems.append("\(input.file) is shard \(shard.index) of \(shard.count), but \(first.file) is one of \(count.map(String.init) ?? "none")")
            }
            if let other = byIndex[shard.index] {
                problems.append("\(input.file) and \(other) are both shard \(shard.index)")
            }
            byIndex[shard.index] = input.file
            if input.document.startedAt.flatMap(Self.instant) == nil {
                problems.append("\(input.file) has no readable startedAt: its seconds cannot be aligned")
            }
            let digests = Set(input.document.specFiles.map { "\($0.path) \($0.sha256)" })
            if digests != Set(first.document.specFiles.map { "\($0.path) \($0.sha256)" }) {
                problems.append("\(input.file) ran other spec files than \(first.file) (paths or SHA-256 differ)")
            }
            if let difference = planDifference(input.document, first.document) {
                problems.append("\(input.file) ran another plan than \(first.file): \(difference)")
            }
        }
        if let count, problems.isEmpty {
            for index in 0..<count where byIndex[index] == nil { problems.append("shard \(index) of \(count) is missing") }
        }
        return problems
    }

    /// What differs between two shards' plans apart from their shares, or nil.
    static func planDifference(_ a: ResultsDocument, _ b: ResultsDocument) -> String? {
        if a.profile != b.profile { return "profile \(a.profile), not \(b.profile)" }
        if a.target != b.target { return "target \(a.target), not \(b.target)" }
        if a.kind != b.kind { return "accord \(a.kind.rawValue), not \(b.kind.rawValue)" }
        func phases(_ document: ResultsDocument) -> [String]? {
            guard let json = document.plan, let data = try? JSONEncoder().encode(json), let plan = try? JSONDecoder().decode(RunPlan.self, from: data)
            else { return nil }
            // A single-request phase is skipped on every shard but 0 by design (RunPlan.share):
            // its timing, not who runs it, must agree.
            return plan.phases.map {
                "\($0.kind.rawValue) \($0.spec) \($0.name) \($0.seconds ?? 0) \($0.startsAfter ?? -1) \($0.kind == .single ? "" : $0.skipped ?? "")"
            }
        }
        guard let left = phases(a), let right = phases(b) else { return "a plan is missing or unreadable" }
        return left == right ? nil : "its phases differ"
    }

    static func instant(_ text: String) -> Date? { try? StartInstant.parse(text) }

    /// The documents added up (check ``problems(_:)`` first): phases by name, capacity steps by
    /// index, acknowledged ids united; the suites are shard 0's functional ones (only it
    /// checks) and any shard's setup errors.
    public static func merge(_ inputs: [Input], date: String, command: String) -> ResultsDocument {
        let sorted = inputs.sorted { ($0.document.shard?.index ?? 0) < ($1.document.shard?.index ?? 0) }
        let starts = sorted.map { $0.document.startedAt.flatMap(Self.instant) ?? Date(timeIntervalSince1970: 0) }
        let origin = starts.min() ?? Date(timeIntervalSince1970: 0)
        let first = sorted.first?.document ?? ResultsDocument(kind: .merge, date: date, command: command, target: "", booted: false, profile: "")
        // Each shard's phase with its start in seconds after the merged document's start.
        func parts(_ phases: KeyPath<ResultsDocument, [LoadPhase]>, _ name: String) -> [(phase: LoadPhase, start: Double)] {
            sorted.indices.compactMap { index in
                sorted[index].document[keyPath: phases].first { $0.name == name }.map {
                    (phase: $0, start: starts[index].timeIntervalSince(origin) + ($0.startOffset ?? 0))
                }
            }
        }
        var document = ResultsDocument(
            kind: .merge, date: date, startedAt: ResultsDocument.timestamp(origin), command: command, target: first.target, booted: false,
            profile: first.profile, environment: first.environment + [.init(name: "Shards", value: "\(sorted.count) generators, merged by accord merge")],
            // Shard 0's functional suites, and any shard's setup errors (a pool it could not fill).
            specFiles: first.specFiles, suites: sorted.flatMap(\.document.suites),
            endpoints: first.endpoints.map { mergePhase(parts(\.endpoints, $0.name)) },
            scenarios: first.scenarios.map { mergePhase(parts(\.scenarios, $0.name)) },
            capacity: first.capacity.map { capacity in mergeCapacity(sorted.compactMap { $0.document.capacity.first { $0.subject == capacity.subject } }) },
            reconciliation: mergeReconciliation(sorted.map(\.document.reconciliation)),
            targetUnreachable: sorted.contains { $0.document.targetUnreachable })
        document.warnings = first.warnings
        document.bottlenecks = first.bottlenecks
        // One connection, one request at a time: shard 0 measured it alone (RunPlan.share).
        document.singleRequest = first.singleRequest
        document.monitoring = first.monitoring
        document.shards = sorted.indices.map { index in
            let shard = sorted[index].document
            let phases = shard.endpoints + shard.scenarios
            return ShardSummary(
                index: shard.shard?.index ?? index, file: sorted[index].file, requests: phases.reduce(0) { $0 + $1.measurement.requests },
                rps: phases.reduce(0.0) { $0 + $1.measurement.rps * $1.seconds } / max(1e-9, phases.reduce(0.0) { $0 + $1.seconds }),
                startOffset: starts[index].timeIntervalSince(origin), lateBy: shard.shard?.lateBy ?? 0,
                generatorBound: phases.contains { $0.measurement.generatorBound } || shard.capacity.contains(where: \.generatorBound))
        }
        return document
    }

    /// One phase of every shard as one: the recorders added, the series aligned on the
    /// wall-clock second each shard's phase began in.
    static func mergePhase(_ parts: [(phase: LoadPhase, start: Double)]) -> LoadPhase {
        guard let first = parts.first?.phase else { return LoadPhase(name: "", load: "", seconds: 0, measurement: .init(LoadRecorder(), seconds: 0, generatorBound: false)) }
        let origin = parts.map(\.start).min() ?? 0
        var recorder = LoadRecorder()
        var unanswered = 0
        for part in parts {
            recorder.merge(restored(part.phase, shift: Int((part.start - origin).rounded())))
            unanswered += part.phase.errorsByKind["unanswered", default: 0]
        }
        let seconds = parts.map(\.phase.seconds).max() ?? 0
        var errors = Dictionary(uniqueKeysWithValues: recorder.errors.map { ($0.key.rawValue, $0.value) })
        if unanswered > 0 { errors["unanswered"] = unanswered }
        var merged = LoadPhase(
            name: first.name, load: Self.wholeLoad(first.load, shards: parts.count), seconds: seconds,
            measurement: .init(recorder, seconds: seconds, generatorBound: parts.contains { $0.phase.measurement.generatorBound }, unanswered: unanswered),
            latency: HistogramData(recorder.corrected), uncorrectedLatency: HistogramData(recorder.uncorrected),
            serverTiming: recorder.phases.mapValues(HistogramData.init), errorsByKind: errors, series: LoadPhase.points(recorder.seconds),
            // The server's side was sampled by every shard alike; shard 0's samples stand for it.
            resources: first.resources,
            endpoints: first.endpoints.map { endpoint in
                mergePhase(parts.compactMap { part in part.phase.endpoints.first { $0.name == endpoint.name }.map { (phase: $0, start: part.start) } })
            })
        // Users on in each second (the users model): every shard's, on the same wall-clock second.
        for part in parts {
            let shift = Int((part.start - origin).rounded())
            for (offset, point) in part.phase.series.enumerated() {
                guard let users = point.users, merged.series.indices.contains(shift + offset) else { continue }
                merged.series[shift + offset].users = (merged.series[shift + offset].users ?? 0) + users
            }
        }
        merged.startOffset = first.startOffset == nil ? nil : origin
        merged.model = first.model
        let healthy = parts.compactMap(\.phase.healthyAfterwards)
        merged.healthyAfterwards = healthy.isEmpty ? nil : healthy.allSatisfy { $0 }
        let behind = parts.compactMap(\.phase.behind)
        merged.behind = behind.isEmpty ? nil : behind.reduce(0, +)
        let figures = parts.compactMap(\.phase.connections)
        if !figures.isEmpty {
            merged.connections = .init(
                protocols: Array(Set(figures.flatMap(\.protocols))).sorted(), opened: figures.reduce(0) { $0 + $1.opened },
                tlsHandshakes: figures.reduce(0) { $0 + $1.tlsHandshakes }, handshakeMeanMilliseconds: nil,
                handshakeMaxMilliseconds: figures.compactMap(\.handshakeMaxMilliseconds).max())
        }
        return merged
    }

    /// A shard's phase as a recorder, its series starting `shift` seconds later.
    static func restored(_ phase: LoadPhase, shift: Int) -> LoadRecorder {
        var errors: [LoadErrorKind: Int] = [:]
        for (name, count) in phase.errorsByKind { if let kind = LoadErrorKind(rawValue: name) { errors[kind, default: 0] += count } }
        let unanswered = phase.errorsByKind["unanswered", default: 0]
        let padding = (0..<max(0, shift)).map { SecondSample(second: $0, requests: 0, errors: 0, p50: 0, p99: 0, latency: "") }
        let seconds = phase.series.enumerated().map { offset, point in
            SecondSample(
                second: max(0, shift) + offset, requests: point.requests, errors: point.errors, p50: UInt64(max(0, point.p50 * 1000)),
                p99: UInt64(max(0, point.p99 * 1000)), latency: point.latency ?? "")
        }
        return LoadRecorder(
            corrected: phase.latency.counts, uncorrected: phase.uncorrectedLatency.counts, phases: phase.serverTiming.mapValues(\.counts),
            completed: max(0, phase.measurement.requests - unanswered), errors: errors, seconds: padding + seconds)
    }

    /// The load in words without a shard's share: `… over 3 shards`.
    static func wholeLoad(_ load: String, shards: Int) -> String {
        let base = load.range(of: " (shard ").map { String(load[..<$0.lowerBound]) } ?? load
        return "\(base), one share per shard, over \(shards) shard\(shards == 1 ? "" : "s")"
    }

    /// Capacity steps of every shard, step by step (a shard's ladder has every planned step):
    /// offered and achieved rates add, the histograms add; held is judged later.
    static func mergeCapacity(_ parts: [Capacity]) -> Capacity {
        guard let first = parts.first else { return Capacity(subject: "", p99Target: 0, sustainedRPS: nil, peakRPS: 0, generatorBound: false, steps: []) }
        let stepCount = parts.map(\.steps.count).min() ?? 0
        let steps = (0..<stepCount).map { index -> Capacity.Step in
            let shardSteps = parts.map { $0.steps[index] }
            var latency = HistogramData()
            for step in shardSteps { latency = latency.merged(with: step.latency ?? HistogramData()) }
            let requests = shardSteps.reduce(0) { $0 + ($1.requests ?? 0) }
            let errors = shardSteps.reduce(0) { $0 + ($1.errors ?? 0) }
            var step = Capacity.Step(
                offeredRPS: shardSteps.reduce(0) { $0 + $1.offeredRPS }, achievedRPS: shardSteps.reduce(0) { $0 + $1.achievedRPS },
                p50: percentile(latency, 50), p99: percentile(latency, 99),
                errorRate: requests > 0 ? Double(errors) / Double(requests) : 1, held: false,
                behind: shardSteps.compactMap(\.behind).reduce(0, +), unanswered: shardSteps.compactMap(\.unanswered).reduce(0, +))
            step.requests = requests
            step.errors = errors
            step.latency = latency
            return step
        }
        return Capacity(
            subject: first.subject, p99Target: first.p99Target, sustainedRPS: nil, peakRPS: 0, generatorBound: parts.contains(where: \.generatorBound),
            steps: steps)
    }

    /// A percentile (ms) of recorded values as the engine's histograms compute it.
    static func percentile(_ latency: HistogramData, _ percentile: Double) -> Double {
        let histogram = LoadRecorder(corrected: latency.counts, uncorrected: [], phases: [:], completed: 0, errors: [:], seconds: []).corrected
        return histogram.totalCount > 0 ? Double(histogram.valueAtPercentile(percentile)) / 1000 : 0
    }

    /// The shards' acknowledged ids, united per phase and endpoint, to be reconciled together.
    static func mergeReconciliation(_ shards: [[Reconciliation]]) -> [Reconciliation] {
        var order: [String] = []
        var merged: [String: Reconciliation] = [:]
        for reconciliation in shards.joined() {
            let key = reconciliation.phase
            guard var existing = merged[key] else {
                order.append(key)
                merged[key] = reconciliation
                continue
            }
            existing.acknowledgedIDs = (existing.acknowledgedIDs ?? []) + (reconciliation.acknowledgedIDs ?? [])
            existing.acknowledged = Set(existing.acknowledgedIDs ?? []).count
            merged[key] = existing
        }
        return order.compactMap { merged[$0] }
    }
}
