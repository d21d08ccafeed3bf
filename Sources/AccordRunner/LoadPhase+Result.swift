import AccordLoad
import AccordResults
import Histogram

extension LoadPhase {
    /// A load run as the reports carry it: `recorder` is the whole run's or one endpoint's.
    init(name: String, load: String, result: LoadResult, recorder: LoadRecorder, resources: [ResourceSample] = [], endpoints: [LoadPhase] = []) {
        let seconds = min(result.wallSeconds, Double(result.plan.durationNanoseconds) / 1e9)
        self.init(
            name: name, load: load, seconds: seconds, measurement: Measurement(recorder, seconds: seconds, generatorBound: result.generatorBound),
            latency: HistogramData(recorder.corrected), uncorrectedLatency: HistogramData(recorder.uncorrected),
            serverTiming: recorder.phases.mapValues(HistogramData.init), errorsByKind: Dictionary(uniqueKeysWithValues: recorder.errors.map { ($0.key.rawValue, $0.value) }),
            series: recorder.seconds.map {
                SecondPoint(second: $0.second, requests: $0.requests, errors: $0.errors, p50: Double($0.p50) / 1000, p99: Double($0.p99) / 1000)
            },
            resources: resources, endpoints: endpoints)
    }
}

extension LoadPhase.Measurement {
    /// Percentiles in ms from the corrected histogram; rps over the planned duration.
    init(_ recorder: LoadRecorder, seconds: Double, generatorBound: Bool) {
        let histogram = recorder.corrected
        func ms(_ percentile: Double) -> Double { histogram.totalCount > 0 ? Double(histogram.valueAtPercentile(percentile)) / 1000 : 0 }
        let completed = recorder.completed
        self.init(
            requests: completed, rps: seconds > 0 ? Double(completed) / seconds : 0,
            errorRate: completed > 0 ? Double(recorder.errorCount) / Double(completed) : 1,
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
