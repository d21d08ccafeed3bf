import AccordTestSupport
import Foundation
import Testing

@testable import AccordEnvironment

/// nginx in front of the replicas: its configuration (pure), the figures read from each
/// replica's /metrics, and a real nginx over two real `accord serve` processes.
@Suite("Reverse proxy (nginx in front of replicas)")
struct ReverseProxyTests {
    @Test func theConfigurationBalancesKeepsAliveAndNeverRetriesASentPost() {
        let text = ReverseProxy.configuration(
            upstreams: ["127.0.0.1:4001", "127.0.0.1:4002"], port: 5000, singlePort: 5001, directory: "/tmp/accord-nginx-x")
        #expect(text.contains("master_process off;") && text.contains("daemon off;"))
        #expect(text.contains("server 127.0.0.1:4001 max_fails=1") && text.contains("server 127.0.0.1:4002 max_fails=1"))
        #expect(text.contains("listen 127.0.0.1:5000") && text.contains("listen 127.0.0.1:5001"))
        #expect(text.contains("keepalive 64;") && text.contains("proxy_set_header Connection \"\";"))
        // nginx's default, stated: only unsent requests move to another replica; a sent POST never does.
        #expect(text.contains("proxy_next_upstream error timeout;") && !text.contains("non_idempotent"))
        // The single-replica port reaches replica 0 alone.
        let single = text.components(separatedBy: "upstream first_replica {").last ?? ""
        #expect(single.contains("server 127.0.0.1:4001;") && !single.prefix(80).contains("4002"))
    }

    @Test(arguments: [
        ("accord_http_requests_total{route=\"health\",status=\"200\"} 10\naccord_http_requests_total{route=\"create_job\",status=\"201\"} 5\n"
            + "accord_http_requests_total{route=\"metrics\",status=\"200\"} 3\n# HELP x\n", 15),
        // A server that has answered nothing has no counter yet: 0, not unknown.
        ("# nothing\naccord_pool_connections{pool=\"database\",state=\"open\"} 8\n", 0),
        ("", 0),
    ] as [(String, Int)])
    func requestsServedAddEveryRouteButMetrics(text: String, expected: Int) {
        #expect(InstanceReading.requestsServed(prometheus: text) == expected)
    }

    @Test func aRestartedReplicaCountsFromItsRestart() {
        let start = ContinuousClock.now
        let before = InstanceReading(pid: 10, requests: 100, cpuSeconds: 5, peakRSSMiB: 40, ageSeconds: 60, at: start)
        let same = InstanceReading(pid: 10, requests: 700, cpuSeconds: 8, peakRSSMiB: 41, ageSeconds: 80, at: start + .seconds(20))
        let sameDelta = same.since(before)
        #expect(sameDelta.requests == 600 && sameDelta.cpuSeconds == 3 && sameDelta.seconds == 20 && !sameDelta.restarted)
        let restarted = InstanceReading(pid: 11, requests: 50, cpuSeconds: 1, peakRSSMiB: 30, ageSeconds: 5, at: start + .seconds(20))
        let restartedDelta = restarted.since(before)
        #expect(restartedDelta.requests == 50 && restartedDelta.cpuSeconds == 1 && restartedDelta.seconds == 5 && restartedDelta.restarted)
        // /proc/<pid>/stat's start time: field 22, after a command name with spaces and parentheses.
        let stat = "1234 (accord (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 9 0 98765 0 0"
        #expect(InstanceReading.parseStartTicks(stat) == 98765)
        #expect(InstanceReading.parseStartTicks("1 (x) S 1 2") == nil)
        #expect(InstanceReading.ageSeconds(getpid()).map { $0 >= 0 } == true)
    }

    @Test func peakRSSIsReadFromVmHWM() {
        #expect(InstanceReading.parseKiB("Name:\taccord\nVmHWM:\t   20480 kB\nVmRSS:\t 1024 kB\n", field: "VmHWM:") == 20480)
        #expect(InstanceReading.parseKiB("Name:\taccord\n", field: "VmHWM:") == nil)
    }

    @Test(.enabled(if: ReverseProxy.installed))
    func nginxSpreadsRequestsOverTwoServersAndStopsForGood() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accord-proxy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var servers: [ServerProcess] = []
        for index in 0..<2 {
            servers.append(try await ServerProcess.start(
                executable: Executables.accord.path, arguments: ["serve", "--store", "memory", "--port", "0"],
                logFile: "\(directory)/server-\(index).log"))
        }
        let proxy = try await ReverseProxy.start(upstreams: servers.map(\.url))
        for _ in 0..<20 { #expect(await HealthProbe.status(proxy.url + "/health", timeoutMilliseconds: 5000) == 200) }
        #expect(await HealthProbe.status(proxy.singleURL + "/health", timeoutMilliseconds: 5000) == 200)
        var served: [Int] = []
        for server in servers { served.append(await InstanceReading.read(server).requests ?? 0) }
        // Round robin: both answered, and nothing was counted twice (20 + 1 through the single port).
        #expect(served.allSatisfy { $0 >= 5 } && served.reduce(0, +) == 21, "\(served)")
        // One replica killed: nginx moves unsent requests to the other.
        await servers[1].kill()
        for _ in 0..<10 { #expect(await HealthProbe.status(proxy.url + "/health", timeoutMilliseconds: 5000) == 200) }
        let pid = try #require(proxy.pid)
        await proxy.stop()
        await proxy.stop()
        #expect(kill(pid, 0) != 0 && !FileManager.default.fileExists(atPath: proxy.directory))
        #expect(await HealthProbe.status(proxy.url + "/health", timeoutMilliseconds: 1000) == nil)
        for server in servers { await server.stop() }
    }
}
