import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Debian's nginx in front of the replicas of `accord run --replicas N`: one process
/// (`master_process off`, so the pid we hold is the one that answers), its configuration, pid
/// and logs in a private directory under /tmp, listening on two free ports of 127.0.0.1:
///
/// - ``url``: every replica as one upstream (round robin, keep-alive to each);
/// - ``singleURL``: the first replica alone, through the same nginx — where one instance is
///   measured for the 1-vs-N comparison, so both figures pay for the same proxy.
///
/// ```swift
/// let proxy = try await ReverseProxy.start(upstreams: servers.map(\.url), logger: logger)
/// // proxy.url → http://127.0.0.1:41234, proxy.singleURL → http://127.0.0.1:41235
/// await proxy.stop()
/// ```
///
/// Errors: `proxy_next_upstream error timeout` — nginx's default, stated — retries a request
/// on another replica only when it could not be sent or the replica could not be reached; a
/// POST already sent to a replica that dies is answered 502, never sent twice
/// (`non_idempotent` is not given). Stopped with SIGKILL (nginx's graceful stop waits for
/// keep-alive clients), reaped, its directory removed; idempotent, `deinit` as the last
/// resort, and an ``OrphanWatchdog`` for a crash of this process.
public final class ReverseProxy: Sendable {
    /// Where Debian's package puts it.
    public static let executable = "/usr/sbin/nginx"
    /// `http://127.0.0.1:PORT`: every replica.
    public let url: String
    /// `http://127.0.0.1:PORT`: the first replica only.
    public let singleURL: String
    /// The private directory: `nginx.conf`, `error.log`, temp paths.
    public let directory: String
    private let running: Mutex<Running?>
    private let logger: Logger

    private struct Running: Sendable {
        var child: ChildProcess
        var watchdog: OrphanWatchdog?
    }

    private init(url: String, singleURL: String, directory: String, running: Running, logger: Logger) {
        self.url = url
        self.singleURL = singleURL
        self.directory = directory
        self.running = Mutex(running)
        self.logger = logger
    }

    /// The pid of nginx while it runs.
    public var pid: Int32? { running.withLock { $0?.child.pid } }

    /// Whether Debian's nginx is installed where this launcher looks.
    public static var installed: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// Throws, saying what to install, when nginx is not where Debian puts it: checked before
    /// anything boots, so a run that cannot have its proxy fails at once.
    public static func requireInstalled() throws {
        guard installed else {
            throw EnvironmentError(
                .missingProgram, doing: "starting", subject: "nginx in front of the replicas",
                cause: "\(executable) not found; install Debian's package (apt-get install nginx), or run without --replicas")
        }
    }

    /// Starts nginx in front of `upstreams` (`http://HOST:PORT` each, at least one) and waits
    /// (up to `timeout`) until both ports answer. A port lost to another process between
    /// finding and binding it is retried on fresh ports (``PortAttempts``).
    ///
    /// - Throws: ``EnvironmentError``: nginx not installed (`missingProgram`, saying what to
    ///   install), or it exited or did not answer (its error log's end).
    public static func start(
        upstreams: [String], timeout: Duration = .seconds(30), logger: Logger = Logger(label: "accord.reverse-proxy")
    ) async throws -> ReverseProxy {
        try requireInstalled()
        let hosts = upstreams.compactMap(hostAndPort)
        guard !hosts.isEmpty, hosts.count == upstreams.count else {
            throw EnvironmentError(.invalidState, doing: "starting", subject: "nginx", cause: "no upstream as http://HOST:PORT in \(upstreams)")
        }
        let directory = try ScratchDirectory.create(prefix: "accord-nginx-", doing: "starting nginx")
        do {
            return try await DispatchQueue.global().perform {
                try PortAttempts.onFreshPorts(FreePort.find, service: "nginx", logger: logger) { port in
                    let single = try FreePort.find()
                    let running = try Self.launch(hosts: hosts, ports: (port, single), directory: directory, timeout: timeout, logger: logger)
                    return ReverseProxy(
                        url: "http://\(FreePort.host):\(port)", singleURL: "http://\(FreePort.host):\(single)", directory: directory,
                        running: running, logger: logger)
                }
            }
        } catch {
            ScratchDirectory.remove(directory, logger: logger)
            throw error
        }
    }

    /// `host:port` of `http://host:port`.
    static func hostAndPort(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port else { return nil }
        return "\(host):\(port)"
    }

    /// The configuration: pure, so tests read it without starting anything.
    static func configuration(upstreams: [String], port: Int, singlePort: Int, directory: String) -> String {
        let servers = upstreams.map { "    server \($0) max_fails=1 fail_timeout=1s;" }.joined(separator: "\n")
        let location = """
                location / {
                  proxy_pass http://$upstream;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host $http_host;
                  proxy_connect_timeout 2s;
                  proxy_send_timeout 30s;
                  proxy_read_timeout 30s;
                  proxy_next_upstream error timeout;
                }
            """
        return """
            daemon off;
            master_process off;
            worker_processes 1;
            worker_rlimit_nofile 65536;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log warn;
            events { worker_connections 16384; }
            http {
              access_log off;
              server_tokens off;
              client_body_temp_path \(directory)/body;
              proxy_temp_path \(directory)/proxy;
              fastcgi_temp_path \(directory)/fastcgi;
              uwsgi_temp_path \(directory)/uwsgi;
              scgi_temp_path \(directory)/scgi;
              keepalive_requests 1000000;
              keepalive_timeout 75s;
              client_max_body_size 1m;
              upstream replicas {
            \(servers)
                keepalive 64;
                keepalive_requests 1000000;
              }
              upstream first_replica {
                server \(upstreams[0]);
                keepalive 64;
                keepalive_requests 1000000;
              }
              server {
                listen \(FreePort.host):\(port) backlog=4096;
            \(location.replacingOccurrences(of: "$upstream", with: "replicas"))
              }
              server {
                listen \(FreePort.host):\(singlePort) backlog=4096;
            \(location.replacingOccurrences(of: "$upstream", with: "first_replica"))
              }
            }

            """
    }

    private static func launch(hosts: [String], ports: (Int, Int), directory: String, timeout: Duration, logger: Logger) throws -> Running {
        let config = directory + "/nginx.conf"
        let errorLog = directory + "/error.log"
        do {
            try Self.configuration(upstreams: hosts, port: ports.0, singlePort: ports.1, directory: directory)
                .write(toFile: config, atomically: true, encoding: .utf8)
        } catch {
            throw EnvironmentError(.systemCall, doing: "writing", subject: "nginx's configuration \(config)", cause: "\(error)")
        }
        let offset = LogTail.size(ofFile: errorLog)
        let output = StandardStreams.openAppending(errorLog)
        let input = StandardStreams.openNull()
        defer {
            closeDescriptor(output)
            closeDescriptor(input)
        }
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                executable: executable, arguments: ["-c", config, "-p", directory, "-e", errorLog], input: input, output: output)
        } catch {
            throw EnvironmentError(.systemCall, doing: "starting", subject: "nginx \(executable)", cause: "\(error)")
        }
        let watchdog = OrphanWatchdog.start(pid: child.pid, signal: "KILL", directory: directory, subject: "nginx (pid \(child.pid))", logger: logger)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = child.poll() {
                watchdog?.dismiss()
                let log = LogTail.lastLines(ofFile: errorLog, from: offset, count: 10)
                let error = EnvironmentError(.commandFailed, doing: "starting", subject: "nginx", cause: "it \(status) at once; its error log ends:\n\(log)")
                throw log.contains("ddress already in use") ? error.adding("", kind: .addressInUse) : error
            }
            if listening(ports.0), listening(ports.1) { return Running(child: child, watchdog: watchdog) }
            usleep(20_000)
        }
        child.send(SIGKILL)
        _ = child.wait(timeout: .seconds(10))
        watchdog?.dismiss()
        throw EnvironmentError(
            .timedOut, doing: "starting", subject: "nginx",
            cause: "ports \(ports.0) and \(ports.1) not accepting within \(timeout); its error log ends:\n\(LogTail.lastLines(ofFile: errorLog, from: offset, count: 10))")
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    private static func listening(_ port: Int) -> Bool {
        let descriptor = LoopbackSocket.open()
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = LoopbackSocket.address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return connected == 0
    }

    /// SIGKILL, reaped, directory removed. Idempotent. `keepingLog`: copy nginx's error log
    /// there first (the run's `nginx.log`, beside `server.log`).
    public func stop(keepingLog: String? = nil) async {
        await DispatchQueue.global().perform {
            if let keepingLog, self.pid != nil {
                try? FileManager.default.removeItem(atPath: keepingLog)
                try? FileManager.default.copyItem(atPath: self.directory + "/error.log", toPath: keepingLog)
            }
            self.tearDown()
        }
    }

    deinit { tearDown() }

    private func tearDown() {
        let taken = running.withLock { running in
            let current = running
            running = nil
            return current
        }
        guard let stopped = taken else { return }
        stopped.child.send(SIGKILL)
        _ = stopped.child.wait(timeout: .seconds(30))
        stopped.watchdog?.dismiss()
        ScratchDirectory.remove(directory, logger: logger)
    }
}
