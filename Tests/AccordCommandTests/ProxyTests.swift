import AccordEnvironment
import AccordResults
import AccordTestSupport
import Foundation
import Testing

/// A forwarding proxy (Debian's tinyproxy, its own log) between the kit and `accord serve`:
/// checks and load go through it when asked — `--proxy` or the environment curl reads — and
/// not otherwise, one behaviour for both; the reports say a proxy was used.
@Suite("Proxies: --proxy and the environment", .serialized)
struct ProxyTests {
    struct Setup {
        var server: String
        var proxy: String
        var log: String
        /// Requests the proxy forwarded so far.
        var forwarded: Int {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.contains("Request (file descriptor") }.count
        }
    }

    static func with(_ body: (Setup) async throws -> Void) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tinyproxy") else {
            Issue.record("tinyproxy is not installed (make installs it): the proxy tests need it")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("accord-proxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try FreePort.find()
        let log = folder.appendingPathComponent("proxy.log").path
        try """
            Port \(port)
            Listen 127.0.0.1
            Timeout 60
            MaxClients 200
            LogFile "\(log)"
            LogLevel Info
            Allow 127.0.0.1
            """.write(to: folder.appendingPathComponent("proxy.conf"), atomically: true, encoding: .utf8)
        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: "/usr/bin/tinyproxy")
        proxy.arguments = ["-d", "-c", folder.appendingPathComponent("proxy.conf").path]
        proxy.standardOutput = FileHandle.nullDevice
        proxy.standardError = FileHandle.nullDevice
        try proxy.run()
        defer {
            // tinyproxy waits for its connections to close on SIGTERM; the test does not.
            kill(proxy.processIdentifier, SIGKILL)
            proxy.waitUntilExit()
        }
        let server = try await ServerProcess.start(
            executable: Executables.accord.path, arguments: ["serve", "--store", "memory", "--port", "0"],
            logFile: folder.appendingPathComponent("server.log").path)
        // Until the proxy forwards.
        for _ in 0..<100 {
            if await HealthProbe.status(server.url + "/health", timeoutMilliseconds: 500, transport: .init(proxy: "http://127.0.0.1:\(port)")) == 200 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        do {
            try await body(Setup(server: server.url, proxy: "http://127.0.0.1:\(port)", log: log))
        } catch {
            _ = await server.stop()
            throw error
        }
        _ = await server.stop()
    }

    static let healthSpec = Executables.repositoryRoot.appendingPathComponent("specs/health.yaml").path

    @Test func checksGoThroughTheProxyAskedForAndTheReportSaysSo() async throws {
        try await Self.with { setup in
            let before = setup.forwarded
            let json = FileManager.default.temporaryDirectory.appendingPathComponent("accord-proxy-\(UUID().uuidString).json").path
            defer { try? FileManager.default.removeItem(atPath: json) }
            let result = try await Executables.run(["check", Self.healthSpec, "--target", setup.server, "--proxy", setup.proxy, "--json", json], timeout: 60)
            #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
            let document = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
            let sent = document.suites.flatMap(\.cases).filter { $0.outcome != .skipped }.count
            #expect(setup.forwarded - before >= sent)
            #expect(document.warnings == ["every request went through the proxy \(setup.proxy)"])
            #expect(result.stdout.contains("warning: every request went through the proxy"))
        }
    }

    @Test func loadFollowsTheEnvironmentsProxyAndItsNoProxyLikeTheChecks() async throws {
        try await Self.with { setup in
            let url = setup.server + "/health"
            let before = setup.forwarded
            let through = try await Executables.run(["load", "--url", url, "-c", "2", "-d", "500ms"], environment: ["http_proxy": setup.proxy], timeout: 60)
            #expect(through.status == 0, "\(through.stderr)")
            let requests = Int(through.stdout.split(separator: "\n").first { $0.contains("requests") }?.split(separator: " ").dropFirst().first ?? "") ?? 0
            #expect(requests > 0 && setup.forwarded - before >= requests, "\(through.stdout)")
            // NO_PROXY names the server's host: straight there, the proxy sees nothing.
            let after = setup.forwarded
            let direct = try await Executables.run(
                ["load", "--url", url, "-c", "2", "-d", "300ms"], environment: ["http_proxy": setup.proxy, "NO_PROXY": "127.0.0.1"], timeout: 60)
            #expect(direct.status == 0)
            #expect(setup.forwarded == after)
            // The checks follow the same environment the same way.
            let checked = try await Executables.run(["check", Self.healthSpec, "--target", setup.server], environment: ["http_proxy": setup.proxy], timeout: 60)
            #expect(checked.status == 0 && setup.forwarded > after)
        }
    }
}
