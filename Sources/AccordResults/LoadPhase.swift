/// One measured stretch of load: an endpoint's target phase, a scenario (with its endpoints
/// nested), or a capacity step. Latencies in milliseconds unless a name says otherwise.
public struct LoadPhase: Codable, Sendable, Equatable {
    public var name: String
    /// When the phase's load began, in seconds from the document's `startedAt`: per-second
    /// series of several documents (shards) align on wall-clock seconds through it.
    public var startOffset: Double?
    /// How it was driven, in words: `50 connections, closed model`, `200 users, think 1–3 s`,
    /// `constant 2000 req/s`.
    public var load: String
    public var seconds: Double
    public var measurement: Measurement
    /// Latency from the intended send time (µs), the basis of every percentile above.
    public var latency: HistogramData
    /// Latency from the actual send time (µs), for comparison with closed-loop tools.
    public var uncorrectedLatency: HistogramData
    /// Server-Timing phases (db, redis, app) as the server reported them (µs).
    public var serverTiming: [String: HistogramData]
    public var errorsByKind: [String: Int]
    public var series: [SecondPoint]
    /// The server side and the generator, sampled every second while loading.
    public var resources: [ResourceSample]
    /// A scenario's endpoints, each measured on its own.
    public var endpoints: [LoadPhase]
    /// Scenarios: whether the server answered /health 200 afterwards.
    public var healthyAfterwards: Bool?
    /// How the phase reached the server: the HTTP versions answered in, connections opened,
    /// TLS handshakes and their time. Optional (added within version 3).
    public var connections: ConnectionFigures?

    public struct ConnectionFigures: Codable, Sendable, Equatable {
        /// "1.1", "2": every version an answer came in.
        public var protocols: [String]
        public var opened: Int
        public var tlsHandshakes: Int
        public var handshakeMeanMilliseconds: Double?
        public var handshakeMaxMilliseconds: Double?

        public init(protocols: [String], opened: Int, tlsHandshakes: Int, handshakeMeanMilliseconds: Double?, handshakeMaxMilliseconds: Double?) {
            self.protocols = protocols
            self.opened = opened
            self.tlsHandshakes = tlsHandshakes
            self.handshakeMeanMilliseconds = handshakeMeanMilliseconds
            self.handshakeMaxMilliseconds = handshakeMaxMilliseconds
        }

        /// "HTTP/2, 5 connections, 5 TLS handshakes (mean 3.1 ms, max 4.0 ms)".
        public var description: String {
            var text = protocols.isEmpty ? "no answers" : protocols.map { "HTTP/" + $0 }.joined(separator: " and ")
            text += ", \(opened) connection\(opened == 1 ? "" : "s") opened"
            if tlsHandshakes > 0 {
                text += ", \(tlsHandshakes) TLS handshake\(tlsHandshakes == 1 ? "" : "s")"
                if let mean = handshakeMeanMilliseconds, let max = handshakeMaxMilliseconds {
                    text += " (mean \(String(format: "%.1f", mean)) ms, max \(String(format: "%.1f", max)) ms)"
                }
            }
            return text
        }
    }
    /// How arrivals were driven: `closed` (each connection sends again when answered),
    /// `users` (closed, with think time, ramp-up or stages) or `open` (a constant or staged
    /// arrival rate). Only an open model's latency counts from each request's intended send
    /// time; a closed model's is "closed model, not corrected": a server stall delays the
    /// next sends instead of showing in the figures (coordinated omission).
    public var model: String?

    /// Latency counted from the intended send time (an open model); false for a closed model
    /// and for documents that do not say.
    public var corrected: Bool { model == "open" }

    /// The words every report puts beside this phase's latency.
    public var latencyBasis: String {
        corrected ? "open model, corrected (from each request's intended send time)" : "closed model, not corrected"
    }

    /// Open model (a schedule of arrivals): requests that were due but never sent because
    /// the generator fell behind; nil in a closed model, which schedules nothing. Timeouts and
    /// requests still unanswered at the end are in `errorsByKind` (`timeout`, `unanswered`).
    public var behind: Int?

    /// Requests the schedule planned: those sent and those never sent.
    public var planned: Int { measurement.requests + (behind ?? 0) }

    /// The share of planned requests never sent; above 5% the figures are a floor (what
    /// the server did under less load than was asked for).
    public var behindShare: Double { planned > 0 ? Double(behind ?? 0) / Double(planned) : 0 }

    /// Requests that got no answer in time (timeouts, and those still in flight when the
    /// phase's drain ended).
    public var unanswered: Int { errorsByKind["timeout", default: 0] + errorsByKind["unanswered", default: 0] }

    public init(
        name: String, load: String, seconds: Double, measurement: Measurement, latency: HistogramData = HistogramData(),
        uncorrectedLatency: HistogramData = HistogramData(), serverTiming: [String: HistogramData] = [:], errorsByKind: [String: Int] = [:],
        series: [SecondPoint] = [], resources: [ResourceSample] = [], endpoints: [LoadPhase] = [], healthyAfterwards: Bool? = nil
    ) {
        self.name = name
        self.load = load
        self.seconds = seconds
        self.measurement = measurement
        self.latency = latency
        self.uncorrectedLatency = uncorrectedLatency
        self.serverTiming = serverTiming
        self.errorsByKind = errorsByKind
        self.series = series
        self.resources = resources
        self.endpoints = endpoints
        self.healthyAfterwards = healthyAfterwards
    }

    /// The figures targets are judged on.
    public struct Measurement: Codable, Sendable, Equatable {
        public var requests: Int
        public var rps: Double
        public var errorRate: Double
        public var p50: Double
        public var p90: Double
        public var p95: Double
        public var p99: Double
        public var p999: Double
        public var max: Double
        /// The generator, not the server, limited the run: rps is a floor.
        public var generatorBound: Bool

        public init(
            requests: Int, rps: Double, errorRate: Double, p50: Double, p90: Double, p95: Double, p99: Double, p999: Double, max: Double,
            generatorBound: Bool
        ) {
            self.requests = requests
            self.rps = rps
            self.errorRate = errorRate
            self.p50 = p50
            self.p90 = p90
            self.p95 = p95
            self.p99 = p99
            self.p999 = p999
            self.max = max
            self.generatorBound = generatorBound
        }
    }

    /// One second of the run.
    public struct SecondPoint: Codable, Sendable, Equatable {
        public var second: Int
        public var requests: Int
        public var errors: Int
        public var p50: Double
        public var p99: Double
        /// The second's latency histogram (µs, from the intended send time) in HdrHistogram's
        /// compressed encoding, base64 (`HISTF…`): what merging and re-judging a second need,
        /// in a few hundred bytes. Nil where it was not kept.
        public var latency: String?
        /// How many users (connections) sent at least one request in this second; kept for a
        /// whole phase in the users model (ramp-up, stages), nil elsewhere.
        public var users: Int?

        public init(second: Int, requests: Int, errors: Int, p50: Double, p99: Double, latency: String? = nil, users: Int? = nil) {
            self.users = users
            self.second = second
            self.requests = requests
            self.errors = errors
            self.p50 = p50
            self.p99 = p99
            self.latency = latency
        }
    }

    /// One sample of the machine while loading. Nil where it could not be read (no pid for a
    /// `--target`, no database URL).
    public struct ResourceSample: Codable, Sendable, Equatable {
        public var second: Int
        /// Server process CPU, percent of one core (200 = two cores busy).
        public var serverCPU: Double?
        public var serverRSSMiB: Double?
        /// The generator's (this process's) CPU, percent of one core.
        public var generatorCPU: Double?
        /// PostgreSQL backends by state (`active`, `idle`, `idle in transaction`, …).
        public var postgresConnections: [String: Int]?
        public var redisClients: Int?
        public var redisMemoryMiB: Double?

        public init(
            second: Int, serverCPU: Double? = nil, serverRSSMiB: Double? = nil, generatorCPU: Double? = nil,
            postgresConnections: [String: Int]? = nil, redisClients: Int? = nil, redisMemoryMiB: Double? = nil
        ) {
            self.second = second
            self.serverCPU = serverCPU
            self.serverRSSMiB = serverRSSMiB
            self.generatorCPU = generatorCPU
            self.postgresConnections = postgresConnections
            self.redisClients = redisClients
            self.redisMemoryMiB = redisMemoryMiB
        }
    }
}

/// An HDR histogram as recorded values: `[value, count]` pairs in ascending order, values
/// in microseconds at the histogram's precision (three significant digits). Small, exact
/// enough to re-derive every percentile, and mergeable by adding counts.
public struct HistogramData: Codable, Sendable, Equatable {
    public var counts: [[UInt64]]

    public init(counts: [[UInt64]] = []) {
        self.counts = counts
    }

    /// Saturates rather than overflows: a results file is input, and may be hostile.
    public var totalCount: UInt64 {
        counts.reduce(0) { total, pair in
            guard pair.count == 2 else { return total }
            let (sum, overflow) = total.addingReportingOverflow(pair[1])
            return overflow ? .max : sum
        }
    }

    /// The smallest recorded value at or below which `percentile` percent of the values lie.
    public func value(atPercentile percentile: Double) -> UInt64 {
        let total = totalCount
        guard total > 0 else { return 0 }
        let fraction = percentile.isFinite ? min(100, max(0, percentile)) / 100 : 1
        let wanted = max(1, UInt64(exactly: (fraction * Double(total)).rounded(.up)) ?? total)
        var seen: UInt64 = 0
        for pair in counts where pair.count == 2 {
            let (sum, overflow) = seen.addingReportingOverflow(pair[1])
            seen = overflow ? .max : sum
            if seen >= wanted { return pair[0] }
        }
        return counts.last(where: { $0.count == 2 })?[0] ?? 0
    }

    /// Both histograms' values together.
    public func merged(with other: HistogramData) -> HistogramData {
        var byValue: [UInt64: UInt64] = [:]
        for pair in counts + other.counts where pair.count == 2 {
            let (sum, overflow) = byValue[pair[0], default: 0].addingReportingOverflow(pair[1])
            byValue[pair[0]] = overflow ? .max : sum
        }
        return HistogramData(counts: byValue.keys.sorted().map { [$0, byValue[$0] ?? 0] })
    }
}
