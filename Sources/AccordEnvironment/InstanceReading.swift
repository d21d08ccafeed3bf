import AccordHTTP
import AccordHTTPTypes
import Foundation

/// One server process's figures at one moment, for the `instances` of a run: requests
/// answered from its own `GET /metrics`, CPU and peak RSS from /proc. Two readings — at the
/// start and at the end of the load — give what it did in between.
///
/// ```swift
/// let before = await InstanceReading.read(server)
/// … load …
/// let after = await InstanceReading.read(server)
/// ```
public struct InstanceReading: Sendable {
    public var pid: Int32
    /// Requests answered so far (every route but `/metrics`); nil when `/metrics` did not answer.
    public var requests: Int?
    /// User + system CPU seconds so far.
    public var cpuSeconds: Double?
    /// Peak resident set so far (VmHWM), MiB.
    public var peakRSSMiB: Double?
    /// Seconds since the process started (from /proc: its start time against the uptime).
    public var ageSeconds: Double?
    public var at: ContinuousClock.Instant

    public init(pid: Int32, requests: Int?, cpuSeconds: Double?, peakRSSMiB: Double?, ageSeconds: Double? = nil, at: ContinuousClock.Instant) {
        self.pid = pid
        self.requests = requests
        self.cpuSeconds = cpuSeconds
        self.peakRSSMiB = peakRSSMiB
        self.ageSeconds = ageSeconds
        self.at = at
    }

    /// Reads `server` now (its `/metrics` with a 2 s limit).
    public static func read(_ server: ServerProcess) async -> InstanceReading {
        let pid = server.pid
        var requests: Int?
        let request = ClientRequest(url: server.url + "/metrics", timeoutMilliseconds: 2000)
        if case let .success(response) = await BlockingHTTP.perform(request), response.status == 200 {
            requests = requestsServed(prometheus: response.bodyText)
        }
        return InstanceReading(
            pid: pid, requests: requests, cpuSeconds: ResourceSampler.cpuTicks(pid).map { Double($0) / ResourceSampler.ticksPerSecond },
            peakRSSMiB: peakRSSMiB(pid), ageSeconds: ageSeconds(pid), at: .now)
    }

    /// Seconds since `pid` started: /proc/uptime less its start time (field 22 of its stat).
    static func ageSeconds(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let started = parseStartTicks(stat),
            let uptime = (try? String(contentsOfFile: "/proc/uptime", encoding: .utf8))?.split(separator: " ").first.flatMap({ Double($0) })
        else { return nil }
        return max(0, uptime - Double(started) / ResourceSampler.ticksPerSecond)
    }

    /// Field 22 (starttime, clock ticks after boot) of a /proc/<pid>/stat line, counted after
    /// the `)` that closes the command name. Pure.
    static func parseStartTicks(_ stat: String) -> Int? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After ")": state is field 3 (index 0), so starttime (22) is index 19.
        return fields.count > 19 ? Int(fields[19]) : nil
    }

    /// The sum of `accord_http_requests_total` over every route but `metrics` (the readings
    /// themselves). Pure; 0 when the text holds no such sample (a server that has answered
    /// nothing yet has no counter).
    public static func requestsServed(prometheus text: String) -> Int {
        var total = 0
        for line in text.split(separator: "\n") where line.hasPrefix("accord_http_requests_total") {
            guard !line.contains("route=\"metrics\""), let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            total += Int(value)
        }
        return total
    }

    /// VmHWM of `/proc/PID/status`, MiB.
    static func peakRSSMiB(_ pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return parseKiB(status, field: "VmHWM:").map { $0 / 1024 }
    }

    /// The kB value of `field` in a /proc status text. Pure.
    static func parseKiB(_ status: String, field: String) -> Double? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// What the process did between `start` and `self` (the end), as the results' entry.
    /// A different pid at the end (killed and restarted) counts from zero, its counters did,
    /// and over the seconds since its restart. Pure.
    public func since(_ start: InstanceReading) -> (requests: Int?, seconds: Double, cpuSeconds: Double?, restarted: Bool) {
        let restarted = start.pid != pid
        let window = (at - start.at).seconds
        let seconds = restarted ? min(window, ageSeconds ?? window) : window
        let served = restarted ? requests : requests.flatMap { end in start.requests.map { end - $0 } }
        let cpu = restarted ? cpuSeconds : cpuSeconds.flatMap { end in start.cpuSeconds.map { end - $0 } }
        return (served, seconds, cpu, restarted)
    }
}
