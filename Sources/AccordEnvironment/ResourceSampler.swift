import AccordProbes
import AccordResults
import Foundation

/// The server side while loading, once a second: the server's CPU and RSS from /proc (when
/// its pid is known), this process's CPU (the generator), PostgreSQL backends by state from
/// pg_stat_activity, and Redis clients and memory from INFO. What cannot be read stays nil.
public struct ResourceSampler: Sendable {
    let probe: SideEffectProbe?
    /// The server's pid now (it changes when a fault kills and restarts the server).
    let serverPID: @Sendable () -> Int32?
    var interval: Duration = .seconds(1)

    public init(probe: SideEffectProbe?, serverPID: @escaping @Sendable () -> Int32?, interval: Duration = .seconds(1)) {
        self.probe = probe
        self.serverPID = serverPID
        self.interval = interval
    }

    /// Runs `body` while sampling; the samples cover its whole duration.
    public func around<T: Sendable>(_ body: @Sendable () async -> T) async -> (value: T, samples: [LoadPhase.ResourceSample]) {
        let sampler = Task { await self.loop() }
        let value = await body()
        sampler.cancel()
        return (value, await sampler.value)
    }

    private func loop() async -> [LoadPhase.ResourceSample] {
        var samples: [LoadPhase.ResourceSample] = []
        let ownPID = getpid()
        var pid = serverPID()
        var lastServer = pid.flatMap(Self.cpuTicks)
        var lastOwn = Self.cpuTicks(ownPID)
        let start = ContinuousClock.now
        var last = start
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let now = ContinuousClock.now
            let elapsed = (now - last).seconds
            last = now
            // The second of the load it belongs to, by the clock: a slow store query (a paused
            // Redis, a restarting PostgreSQL) must not shift the labels of later samples.
            let second = max(1, Int((now - start).seconds.rounded()))
            var sample = LoadPhase.ResourceSample(second: second)
            let current = serverPID()
            if current != pid {
                // Restarted: its CPU counts from zero again.
                pid = current
                lastServer = nil
            }
            if let pid, let ticks = Self.cpuTicks(pid) {
                if let previous = lastServer { sample.serverCPU = Self.percent(ticks - previous, over: elapsed) }
                lastServer = ticks
                sample.serverRSSMiB = Self.rssMiB(pid)
            }
            if let ticks = Self.cpuTicks(ownPID) {
                if let previous = lastOwn { sample.generatorCPU = Self.percent(ticks - previous, over: elapsed) }
                lastOwn = ticks
            }
            if let probe {
                if probe.hasDatabase, let rows = try? await probe.rows(
                    "SELECT coalesce(state, 'background'), count(*)::text FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1",
                    params: [])
                {
                    sample.postgresConnections = Dictionary(
                        rows.compactMap { row in row.count == 2 ? row[0].flatMap { s in row[1].flatMap(Int.init).map { (s, $0) } } : nil },
                        uniquingKeysWith: +)
                }
                if probe.hasRedis {
                    if let clients = try? await probe.redisInfo("clients") { sample.redisClients = clients["connected_clients"].flatMap(Int.init) }
                    if let memory = try? await probe.redisInfo("memory") {
                        sample.redisMemoryMiB = memory["used_memory"].flatMap(Double.init).map { $0 / 1_048_576 }
                    }
                }
            }
            samples.append(sample)
        }
        return samples
    }

    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    static func percent(_ ticks: Int, over seconds: Double) -> Double {
        seconds > 0 ? Double(ticks) / ticksPerSecond / seconds * 100 : 0
    }

    /// utime + stime of a process, in clock ticks.
    static func cpuTicks(_ pid: Int32) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return parseCPUTicks(stat)
    }

    /// From a /proc/<pid>/stat line: fields 14 and 15, counted after the `)` that closes the
    /// command name (which may itself hold spaces and parentheses). Pure.
    static func parseCPUTicks(_ stat: String) -> Int? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After ")": state is field 3, so utime (14) is index 11 and stime (15) index 12.
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    static func rssMiB(_ pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return nil }
        return kib / 1024
    }
}
