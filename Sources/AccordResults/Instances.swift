extension ResultsDocument {
    /// One server process of a booted run (`accord run --replicas N`: one per replica; without
    /// it, the one server), measured over the load session: from each replica's own `/metrics`
    /// (requests answered) and from /proc (CPU, peak RSS).
    ///
    /// ```json
    /// "instances": [{"index": 0, "url": "http://127.0.0.1:40101", "pid": 4242, "requests": 61204,
    ///                "seconds": 48.2, "rps": 1269.8, "cpuSeconds": 31.5, "peakRSSMiB": 58.1, "restarted": false}]
    /// ```
    public struct Instance: Codable, Sendable, Equatable {
        /// 0-based, in the order the replicas were started (replica 0 is the one measured alone).
        public var index: Int
        /// Where the replica itself listens (behind nginx when there are several).
        public var url: String
        /// The process at the end of the load (after a `kill_replica`, the restarted one's).
        public var pid: Int32
        /// Requests it answered during the load session (`accord_http_requests_total` but
        /// `/metrics` itself); for a replica killed and restarted, since its restart.
        public var requests: Int?
        /// The wall-clock seconds of the load session, which `rps` divides by (for a replica
        /// restarted during it, the seconds since its restart).
        public var seconds: Double
        /// `requests / seconds`: its mean rate over the whole session, pauses included.
        public var rps: Double?
        /// User + system CPU seconds it used during the session (since its restart, if restarted).
        public var cpuSeconds: Double?
        /// Its peak resident set (VmHWM), MiB.
        public var peakRSSMiB: Double?
        /// True when the process at the end is not the one at the start (a fault killed it).
        public var restarted: Bool

        public init(
            index: Int, url: String, pid: Int32, requests: Int?, seconds: Double, rps: Double?, cpuSeconds: Double?, peakRSSMiB: Double?,
            restarted: Bool
        ) {
            self.index = index
            self.url = url
            self.pid = pid
            self.requests = requests
            self.seconds = seconds
            self.rps = rps
            self.cpuSeconds = cpuSeconds
            self.peakRSSMiB = peakRSSMiB
            self.restarted = restarted
        }
    }

    /// One instance against N, behind the same nginx: the capacity search of one subject run
    /// again with nginx sending everything to replica 0. The N-replica figure is the
    /// `capacity` entry of the same subject.
    ///
    /// ```json
    /// "scaling": {"replicas": 2, "subject": "job_status", "oneInstance": {…a Capacity…}}
    /// ```
    public struct Scaling: Codable, Sendable, Equatable {
        public var replicas: Int
        /// The capacity subject measured both ways.
        public var subject: String
        /// Its capacity with one replica behind nginx.
        public var oneInstance: Capacity

        public init(replicas: Int, subject: String, oneInstance: Capacity) {
            self.replicas = replicas
            self.subject = subject
            self.oneInstance = oneInstance
        }
    }
}
