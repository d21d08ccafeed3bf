import AccordProbes
import AccordResults
import Foundation

/// The machine and services a run measured on, detected rather than typed in: the baseline
/// report's "Test Environment".
public struct EnvironmentFacts: Sendable {
    public var cpuModel: String
    public var cores: Int
    public var memoryGiB: Double
    public var operatingSystem: String
    public var postgresVersion: String?
    public var redisVersion: String?
    public var serverPID: Int32?

    public static func gather(probe: SideEffectProbe?, serverPID: Int32?) async -> EnvironmentFacts {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let totalKiB = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { Double($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let release = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let os = release.split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { $0.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? "unknown"
        var postgres: String?
        var redis: String?
        if let probe {
            if probe.hasDatabase { postgres = (try? await probe.rows("SHOW server_version", params: []))?.first?.first ?? nil }
            if probe.hasRedis { redis = try? await probe.redisVersion() }
            await probe.close()
        }
        return EnvironmentFacts(
            cpuModel: model, cores: ProcessInfo.processInfo.activeProcessorCount, memoryGiB: totalKiB / 1_048_576,
            operatingSystem: os, postgresVersion: postgres, redisVersion: redis, serverPID: serverPID)
    }

    /// The machine as the reports list it: CPU, memory, OS.
    public var machine: [ResultsDocument.Fact] {
        [
            .init(name: "CPU", value: "\(cpuModel), \(cores) cores"),
            .init(name: "Memory", value: String(format: "%.1f GiB", memoryGiB)),
            .init(name: "OS", value: operatingSystem),
        ]
    }
}
