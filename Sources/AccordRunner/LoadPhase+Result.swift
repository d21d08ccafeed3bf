import AccordLoad
import Foundation
import AccordResults
import Histogram

extension LoadPhase {
    /// A load run as the reports carry it: `recorder` is the whole run's or one endpoint's.
    /// Requests sent but never answered (still in flight when the drain ended) count as
    /// timeouts of the whole run (`recorder` nil: the run's own).
    /// `since` is the start of the run the phase belongs to: its `startOffset` counts from there.
    init(
        name: String, load: String, result: LoadResult, recorder: LoadRecorder? = nil, resources: [ResourceSample] = [], endpoints: [LoadPhase] = [],
        since: Date? = nil
    ) {
        let seconds = result.measuredSeconds
        let whole = recorder == nil
        let unanswered = whole ? max(0, result.sent - result.recorder.completed) : 0
        let recorder = recorder ?? result.recorder
        var errors = Dictionary(uniqueKeysWithValues: recorder.errors.map { ($0.key.rawValue, $0.value) })
        if unanswered > 0 { errors["unanswered", default: 0] += unanswered }
        self.init(
            name: name, load: load, seconds: seconds,
            measurement: Measurement(recorder, seconds: seconds, generatorBound: result.generatorBound, unanswered: unanswered),
            latency: HistogramData(recorder.corrected), uncorrectedLatency: HistogramData(recorder.uncorrected),
            serverTiming: recorder.phases.mapValues(HistogramData.init), errorsByKind: errors,
            series: Self.points(recorder.seconds),
            resources: resources, endpoints: endpoints)
        startOffset = since.map { result.started.timeIntervalSince($0) }
        model = Self.model(of: result.plan)
        if whole, model == "users" {
            for index in series.indices where result.usersPerSecond.indices.contains(series[index].second) {
                series[index].users = result.usersPerSecond[series[index].second]
            }
        }
        // Only the whole run knows what its schedule left unsent (a part's share is unknown).
        if case .open = result.plan.model, whole { behind = result.behind }
        if whole {
            let handshakes = result.tlsHandshakes
            connections = ConnectionFigures(
                protocols: result.protocols, opened: result.connectionsOpened, tlsHandshakes: handshakes,
                handshakeMeanMilliseconds: handshakes > 0 ? Double(result.handshakeMicroseconds) / Double(handshakes) / 1000 : nil,
                handshakeMaxMilliseconds: handshakes > 0 ? Double(result.handshakeMaxMicroseconds) / 1000 : nil)
        }
    }
}

extension LoadPhase {
    /// A recorder's seconds as the document keeps them (ms).
    static func points(_ seconds: [SecondSample]) -> [SecondPoint] {
        seconds.map {
            SecondPoint(
                second: $0.second, requests: $0.requests, errors: $0.errors, p50: Double($0.p50) / 1000, p99: Double($0.p99) / 1000,
                latency: $0.latency.isEmpty ? nil : $0.latency)
        }
    }

    /// `closed`, `users` or `open`, as the document names a plan's arrivals.
    static func model(of plan: LoadPlan) -> String {
        if case .open = plan.model { return "open" }
        return plan.thinkNanoseconds != nil || plan.spawnRate != nil || !plan.stages.isEmpty ? "users" : "closed"
    }
}

extension LoadPhase.Measurement {
    /// Percentiles in ms from the corrected histogram of successful requests; rps is
    /// successful requests per second of the planned duration; the error rate counts failed
    /// and `unanswered` requests among all sent.
    init(_ recorder: LoadRecorder, seconds: Double, generatorBound: Bool, unanswered: Int = 0) {
        let histogram = recorder.corrected
        func ms(_ percentile: Double) -> Double { histogram.totalCount > 0 ? Double(histogram.valueAtPercentile(percentile)) / 1000 : 0 }
        let sent = recorder.completed + unanswered
        self.init(
            requests: sent, rps: seconds > 0 ? Double(recorder.succeeded) / seconds : 0,
            errorRate: sent > 0 ? Double(recorder.errorCount + unanswered) / Double(sent) : 1,
            p50: ms(50), p90: ms(90), p95: ms(95), p99: ms(99), p999: ms(99.9),
            max: histogram.totalCount > 0 ? Double(histogram.max) / 1000 : 0, generatorBound: generatorBound)
    }
}

extension HistogramData {
    /// The recorded values of an HDR histogram, one `[value, count]` pair per distinct bucket.
    init(_ histogram: Histogram<UInt64>) {
        var counts: [[UInt64]] = []
        for item in histogram.recordedValues() where item.count > 0 {
            counts.append([item.value, UInt64(item.count)])
        }
        self.init(counts: counts)
    }
}
