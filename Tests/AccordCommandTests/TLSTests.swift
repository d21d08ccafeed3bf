import AccordEnvironment
import AccordHTTP
import AccordResults
import AccordTestSupport
import Foundation
import Testing

/// A deployment behind TLS, as buyers have them: Debian's nginx with a certificate from a CA
/// the test makes (openssl), in front of `accord serve`, one port with server TLS only and one
/// that also asks for a client certificate. Checks and load reach it with curl's options.
@Suite("TLS: --cacert, --cert/--key, --insecure, --resolve", .serialized)
struct TLSTests {
    struct Deployment {
        var folder: URL
        var port: Int
        var clientPort: Int
        /// Cleartext HTTP/2 (prior knowledge), and TLS closing every connection after 20 requests.
        var h2cPort: Int
        var shortPort: Int
        /// nginx's access log: "$server_protocol $connection $connection_requests $ssl_session_reused $server_port".
        var log: [[String]] {
            ((try? String(contentsOfFile: file("access.log"), encoding: .utf8)) ?? "").split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        }
        func file(_ name: String) -> String { folder.appendingPathComponent(name).path }
    }

    static func shell(_ command: String, in folder: URL) async throws {
        _ = try await ExternalCommand("/bin/sh", ["-c", command], workingDirectory: folder.path)
            .run(doing: "making certificates", on: "in \(folder.path)", timeout: .seconds(60))
    }

    /// A CA, a server certificate for 127.0.0.1 and accord.test signed by it, a client
    /// certificate; nginx on two free ports proxying to `accord serve --store memory`.
    static func with(_ body: (Deployment) async throws -> Void) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") else {
            Issue.record("nginx is not installed (make installs it): the TLS tests need it")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("accord-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await shell(
            """
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=accord-test-ca 2>/dev/null &&
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=accord.test 2>/dev/null &&
            printf 'subjectAltName=DNS:accord.test,IP:127.0.0.1\\n' > san.ext &&
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext 2>/dev/null &&
            openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=accord-client 2>/dev/null &&
            openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 2>/dev/null
            """, in: folder)
        let server = try await ServerProcess.start(
            executable: Executables.accord.path, arguments: ["serve", "--store", "memory", "--port", "0", "--api-keys", Self.apiKey],
            logFile: folder.appendingPathComponent("server.log").path)
        let port = try FreePort.find()
        let clientPort = try FreePort.find()
        let h2cPort = try FreePort.find()
        let shortPort = try FreePort.find()
        let upstream = server.url.replacingOccurrences(of: "http://", with: "")
        let config = """
            worker_processes 1;
            daemon off;
            pid \(folder.path)/nginx.pid;
            error_log \(folder.path)/error.log warn;
            events { worker_connections 1024; }
            http {
                log_format accord '$server_protocol $connection $connection_requests $ssl_session_reused $server_port';
                access_log \(folder.path)/access.log accord;
                upstream accord { server \(upstream); keepalive 16; }
                ssl_session_cache shared:accord:1m;
                # nginx closes a connection after 1000 requests by default (HTTP/2 too): the
                # loads here must see the connections they planned, not nginx's recycling.
                keepalive_requests 1000000;
                server {
                    listen 127.0.0.1:\(h2cPort) http2;
                    location / { proxy_pass http://accord; proxy_http_version 1.1; proxy_set_header Connection ""; }
                }
                server {
                    listen 127.0.0.1:\(shortPort) ssl;
                    keepalive_requests 20;
                    ssl_certificate \(folder.path)/server.pem;
                    ssl_certificate_key \(folder.path)/server.key;
                    location / { proxy_pass http://accord; proxy_http_version 1.1; proxy_set_header Connection ""; }
                }
                server {
                    listen 127.0.0.1:\(port) ssl http2;
                    ssl_certificate \(folder.path)/server.pem;
                    ssl_certificate_key \(folder.path)/server.key;
                    location / { proxy_pass http://accord; proxy_http_version 1.1; proxy_set_header Connection ""; }
                }
                server {
                    listen 127.0.0.1:\(clientPort) ssl;
                    ssl_certificate \(folder.path)/server.pem;
                    ssl_certificate_key \(folder.path)/server.key;
                    ssl_client_certificate \(folder.path)/ca.pem;
                    ssl_verify_client on;
                    location / { proxy_pass http://accord; proxy_http_version 1.1; proxy_set_header Connection ""; }
                }
            }
            """
        try config.write(to: folder.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let nginx = Process()
        nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        nginx.arguments = ["-c", folder.appendingPathComponent("nginx.conf").path, "-p", folder.path]
        try nginx.run()
        defer {
            nginx.terminate()
            nginx.waitUntilExit()
        }
        // Until nginx listens.
        for _ in 0..<100 {
            if await HealthProbe.status("https://127.0.0.1:\(port)/health", timeoutMilliseconds: 500, transport: .init(insecure: true)) != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        do {
            try await body(Deployment(folder: folder, port: port, clientPort: clientPort, h2cPort: h2cPort, shortPort: shortPort))
        } catch {
            _ = await server.stop()
            throw error
        }
        _ = await server.stop()
    }

    /// The key `accord serve` behind nginx asks for on every API route (/health and / are open).
    static let apiKey = "accord-tls-test-key"

    static let healthSpec = Executables.repositoryRoot.appendingPathComponent("specs/health.yaml").path

    @Test func anUntrustedCertificateStopsEarlyNamingTheOptionsThatFixIt() async throws {
        try await Self.with { deployment in
            let result = try await Executables.run(["check", Self.healthSpec, "--target", "https://127.0.0.1:\(deployment.port)"], timeout: 60)
            #expect(result.status == 3, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
            #expect(result.stderr.contains("certificate not trusted: pass --cacert FILE"), "\(result.stderr)")
            #expect(result.stderr.contains("--insecure"))
            // Stopped after the first few, not an error per case.
            #expect(result.stdout.components(separatedBy: "SSL certificate problem").count - 1 <= 5, "\(result.stdout)")
        }
    }

    @Test func trustedByCacertByNameWithResolveOrInsecureSaidLoudly() async throws {
        try await Self.with { deployment in
            let trustedJSON = deployment.file("trusted.json")
            let trusted = try await Executables.run(
                ["check", Self.healthSpec, "--target", "https://127.0.0.1:\(deployment.port)", "--cacert", deployment.file("ca.pem"), "--json", trustedJSON],
                timeout: 60)
            #expect(trusted.status == 0, "stdout: \(trusted.stdout)\nstderr: \(trusted.stderr)")
            #expect(!trusted.stdout.contains("warning:"))
            // Transcripts say what the TLS handshake cost.
            let transcripts = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: trustedJSON)), path: trustedJSON).suites.flatMap(\.cases).map(\.transcript)
            #expect(transcripts.contains { $0.contains("< (TLS handshake ") })
            // The certificate names accord.test: reached by that name before any DNS has it.
            let byName = try await Executables.run(
                [
                    "check", Self.healthSpec, "--target", "https://accord.test:\(deployment.port)", "--cacert", deployment.file("ca.pem"),
                    "--resolve", "accord.test:\(deployment.port):127.0.0.1",
                ], timeout: 60)
            #expect(byName.status == 0, "stdout: \(byName.stdout)\nstderr: \(byName.stderr)")
            let json = deployment.file("insecure.json")
            let insecure = try await Executables.run(
                ["check", Self.healthSpec, "--target", "https://127.0.0.1:\(deployment.port)", "--insecure", "--json", json], timeout: 60)
            #expect(insecure.status == 0, "stdout: \(insecure.stdout)\nstderr: \(insecure.stderr)")
            #expect(insecure.stdout.contains("warning: TLS NOT VERIFIED"))
            let document = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
            #expect(document.warnings?.first?.hasPrefix("TLS NOT VERIFIED") == true)
        }
    }

    @Test func aClientCertificateOnlyEndpointAcceptsCertAndKeyAndRefusesWithout() async throws {
        try await Self.with { deployment in
            let target = "https://127.0.0.1:\(deployment.clientPort)"
            let with = try await Executables.run(
                [
                    "check", Self.healthSpec, "--target", target, "--cacert", deployment.file("ca.pem"), "--cert", deployment.file("client.pem"),
                    "--key", deployment.file("client.key"),
                ], timeout: 60)
            #expect(with.status == 0, "stdout: \(with.stdout)\nstderr: \(with.stderr)")
            let without = try await Executables.run(["check", Self.healthSpec, "--target", target, "--cacert", deployment.file("ca.pem")], timeout: 60)
            #expect(without.status != 0)
            // nginx answers 400 "No required SSL certificate was sent".
            #expect(without.stdout.contains("400"), "\(without.stdout)")
        }
    }

    @Test func loadOverTLSReusesConnectionsWithNoErrors() async throws {
        try await Self.with { deployment in
            let url = "https://127.0.0.1:\(deployment.port)/health"
            let json = deployment.file("load.json")
            let result = try await Executables.run(
                ["load", "--url", url, "--cacert", deployment.file("ca.pem"), "-c", "4", "-d", "1s", "--json", json], timeout: 60)
            #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
            let document = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
            let phase = try #require(document.endpoints.first)
            #expect(phase.measurement.requests > 100 && phase.errorsByKind.isEmpty)
            // nginx's log: every request over TLS, on at most the 4 connections kept alive.
            let log = try String(contentsOfFile: deployment.file("access.log"), encoding: .utf8)
            #expect(log.split(separator: "\n").count >= phase.measurement.requests)
            let refused = try await Executables.run(["load", "--url", url, "-c", "2", "-d", "300ms"], timeout: 60)
            #expect(refused.stdout.contains("transfer") || refused.stdout.contains("errors"), "\(refused.stdout)")
        }
    }

    static func load(_ arguments: [String], _ deployment: Deployment, name: String) async throws -> LoadPhase {
        let json = deployment.file("\(name).json")
        let result = try await Executables.run(["load"] + arguments + ["-d", "1s", "--json", json], timeout: 60)
        #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        let document = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
        return try #require(document.endpoints.first)
    }

    /// HTTP/2 by ALPN multiplexes 8 concurrent requests on 2 connections (4 streams each); the
    /// same load over HTTP/1.1 takes a connection per request in flight; prior knowledge
    /// speaks HTTP/2 over cleartext. nginx's own log says so.
    @Test func http2MultiplexesStreamsOnThePlannedConnections() async throws {
        try await Self.with { deployment in
            let url = "https://127.0.0.1:\(deployment.port)/health"
            let h2 = try await Self.load(
                [url, "--cacert", deployment.file("ca.pem"), "--http2", "--max-streams", "4", "-c", "8"].flatMap { $0.hasPrefix("https") ? ["--url", $0] : [$0] },
                deployment, name: "h2")
            #expect(h2.errorsByKind.isEmpty && h2.measurement.requests > 100)
            #expect(h2.connections?.protocols == ["2"])
            #expect(h2.connections?.opened == 2)
            // Every request of the load (the log's HTTP/2 lines: the only HTTP/2 client here) on
            // 2 connections, many requests each.
            let lines = deployment.log.filter { $0.count == 5 && $0[4] == String(deployment.port) && $0[0] == "HTTP/2.0" }
            #expect(lines.count >= h2.measurement.requests)
            #expect(Set(lines.map { $0[1] }).count == 2)
            #expect(lines.compactMap { Int($0[2]) }.max() ?? 0 > 50)

            let h1 = try await Self.load(["--url", url, "--cacert", deployment.file("ca.pem"), "-c", "8"], deployment, name: "h1")
            #expect(h1.connections?.protocols == ["1.1"] && h1.connections?.opened == 8)

            let cleartext = ["--url", "http://127.0.0.1:\(deployment.h2cPort)/health", "--http2-prior-knowledge", "--max-streams", "8", "-c", "8"]
            if let problem = CurlVersion.priorKnowledgeProblem {
                // Debian 12's libcurl 7.88.1 fails every reuse of a cleartext HTTP/2 connection:
                // refused up front, saying why, rather than thousands of framing errors.
                let refused = try await Executables.run(["load"] + cleartext + ["-d", "1s"], timeout: 60)
                #expect(refused.status == 2 && refused.stderr.contains(problem), "\(refused.stderr)")
            } else {
                let h2c = try await Self.load(cleartext, deployment, name: "h2c")
                #expect(h2c.errorsByKind.isEmpty && h2c.connections?.protocols == ["2"] && h2c.connections?.opened == 1)
            }
        }
    }

    /// A server that closes each connection after 20 requests: the engine reconnects, and each
    /// reconnect resumes its TLS session ($ssl_session_reused "r") rather than a full handshake.
    @Test func reconnectsResumeTLSSessions() async throws {
        try await Self.with { deployment in
            let phase = try await Self.load(
                ["--url", "https://127.0.0.1:\(deployment.shortPort)/health", "--cacert", deployment.file("ca.pem"), "-c", "2"], deployment, name: "short")
            #expect(phase.errorsByKind.isEmpty)
            let figures = try #require(phase.connections)
            #expect(figures.opened > 4 && figures.tlsHandshakes == figures.opened)
            let firsts = deployment.log.filter { $0.count == 5 && $0[4] == String(deployment.shortPort) && $0[2] == "1" }
            #expect(firsts.count == figures.opened)
            // All but the first connection of each of the 2 handles resumed a session.
            #expect(firsts.filter { $0[3] == "r" }.count >= firsts.count - 2, "\(firsts)")
        }
    }

    /// The cases about raw bytes in the URL that nginx refuses itself (400, its own HTML page)
    /// before the server sees them: a proxy in front changes what they test.
    static let rewrittenByProxies: Set<String> = [
        "%00 and invalid UTF-8 as a job id are a 404 with a detail",
        "a job id with an encoded NUL answers 404 \"Job <id> not found\"",
    ]

    /// Every functional suite through nginx with TLS and HTTP/2, the server asking for an API
    /// key: --cacert and --header are all it takes. The auth suite (opt-in) too, its "without
    /// a key" cases dropping the run's header.
    @Test func theFunctionalSuitesPassThroughTLSAndHTTP2WithAKey() async throws {
        try await Self.with { deployment in
            let specs = Executables.repositoryRoot.appendingPathComponent("specs").path
            let json = deployment.file("suites.json")
            let common = ["check", specs, "--target", "https://127.0.0.1:\(deployment.port)", "--cacert", deployment.file("ca.pem"), "--http2",
                "--header", "X-API-Key: \(Self.apiKey)", "--quiet"]
            _ = try await Executables.run(common + ["--json", json], timeout: 300)
            let document = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: json)), path: json)
            let cases = document.suites.flatMap(\.cases)
            #expect(cases.filter { $0.outcome == .passed }.count > 200)
            let failed = Set(cases.filter { $0.outcome == .failed || $0.outcome == .error }.map(\.name))
            #expect(failed.isSubset(of: Self.rewrittenByProxies), "\(failed.subtracting(Self.rewrittenByProxies))")
            // The key never shows: transcripts name the header with ***.
            #expect(!cases.contains { $0.transcript.contains(Self.apiKey) })

            let auth = deployment.file("auth.json")
            _ = try await Executables.run(common + ["--tags", "auth", "--json", auth], environment: ["ACCORD_TEST_API_KEY": Self.apiKey], timeout: 120)
            let authCases = try ResultsDocument.read(Data(contentsOf: URL(fileURLWithPath: auth)), path: auth).suites.flatMap(\.cases)
                .filter { $0.outcome != .skipped }
            #expect(authCases.count >= 12)
            #expect(authCases.allSatisfy { $0.outcome == .passed }, "\(authCases.filter { $0.outcome != .passed }.map(\.name))")
        }
    }
}
