import AccordEnvironment
import AccordHTTP
import Foundation

/// Debian's nginx (`make` installs it) as a child process on a free port, serving a tiny
/// `200 ok` for every path, with a generated configuration in a scratch directory: a real,
/// fast server that is not ours, to be frozen on purpose (``NginxServer/Freezer``).
///
/// One process (`master_process off`): it is the worker that answers, so SIGSTOP on it
/// freezes every answer, as a stalled worker would.
public final class NginxServer {
    public static let binary = "/usr/sbin/nginx"
    public let process: Process
    public let port: Int
    private let directory: URL

    /// Whether the binary is there (CI installs it; elsewhere the tests that need it skip).
    public static var installed: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    /// Starts nginx on a free port and waits (at most 30 s) for it to answer; on another
    /// port when it exits at once (a process beside this one took the port first), three
    /// times at most.
    public static func start() async throws -> NginxServer {
        var failures: [String] = []
        for _ in 1...3 {
            do { return try await NginxServer(port: try FreePort.find()) } catch let failure as Exited {
                failures.append(failure.log)
            }
        }
        throw TestFailure("nginx exited at once three times; its error logs: \(failures)")
    }

    private struct Exited: Error { var log: String }

    private init(port: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accord-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let scratch = directory.path
        let config = """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(scratch)/nginx.pid;
            error_log \(scratch)/logs/error.log;
            events { worker_connections 4096; }
            http {
              access_log off;
              client_body_temp_path \(scratch)/body;
              proxy_temp_path \(scratch)/proxy;
              fastcgi_temp_path \(scratch)/fastcgi;
              uwsgi_temp_path \(scratch)/uwsgi;
              scgi_temp_path \(scratch)/scgi;
              keepalive_requests 1000000;
              server {
                listen 127.0.0.1:\(port);
                location / { default_type text/plain; return 200 "ok\\n"; }
              }
            }
            """
        try config.write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-c", directory.appendingPathComponent("nginx.conf").path, "-p", scratch, "-e", "\(scratch)/logs/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.port = port
        self.directory = directory
        // Generous: other suites may be loading the machine's two cores meanwhile.
        let deadline = Date().addingTimeInterval(30)
        while await HealthProbe.status(baseURL + "/", timeoutMilliseconds: 1000) != 200 {
            guard process.isRunning, Date() < deadline else {
                let log = (try? String(contentsOfFile: "\(scratch)/logs/error.log", encoding: .utf8)) ?? ""
                let running = process.isRunning
                stop()
                if !running { throw Exited(log: log) }
                throw TestFailure("nginx (\(running ? "running" : "exited")) did not answer on port \(port) within 30 s; its error log: \(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    deinit { stop() }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Ends nginx and removes its directory. SIGKILL: a child of Foundation's `Process`
    /// inherits the test runner's blocked signals, so nginx never acts on a SIGTERM.
    public func stop() {
        Self.kill(process)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Kills a child and reaps it, waiting at most 5 s (`waitUntilExit` only once it ended:
    /// on a running process it spins).
    static func kill(_ process: Process) {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if !process.isRunning { process.waitUntilExit() }
    }

    /// Freezes a process for `stallMilliseconds` every `periodMilliseconds` (SIGSTOP, then
    /// SIGCONT), from a small shell loop of its own, until stopped; stopping always thaws it.
    public final class Freezer {
        private let loop: Process
        private let target: pid_t

        public init(_ target: pid_t, stallMilliseconds: Int = 300, periodMilliseconds: Int = 2000) throws {
            self.target = target
            let pause = Double(periodMilliseconds - stallMilliseconds) / 1000
            let stall = Double(stallMilliseconds) / 1000
            loop = Process()
            loop.executableURL = URL(fileURLWithPath: "/bin/sh")
            loop.arguments = ["-c", "while :; do sleep \(pause); kill -STOP \(target); sleep \(stall); kill -CONT \(target); done"]
            try loop.run()
        }

        deinit { stop() }

        public func stop() {
            NginxServer.kill(loop)
            Foundation.kill(target, SIGCONT)
        }
    }
}
