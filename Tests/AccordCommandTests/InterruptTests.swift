import AccordTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `accord run` stopped from outside: a Ctrl-C (SIGINT) or a SIGKILL mid-run must leave no
/// `accord serve`, `redis-server` or `postgres` of the run behind, nor their directories. The
/// runner's own children are found through /proc: the server and Redis by their parent, the
/// watchdogs by their `accord-watchdog` name (their arguments name the scratch directories),
/// PostgreSQL (which pg_ctl detached) by its data directory, and the backends by their parent.
@Suite("accord run interrupted", .serialized)
struct InterruptTests {
    @Test func sigintTearsDownEverythingTheRunBooted() async throws {
        let finished = try await interruptMidRun(with: SIGINT)
        // Ended by the signal (itself, or re-raised after the teardown): never a normal verdict.
        #expect(finished.reason == .uncaughtSignal && finished.status == SIGINT, "\(finished)")
    }

    @Test func sigkillStillTakesTheServerDown() async throws {
        let finished = try await interruptMidRun(with: SIGKILL)
        #expect(finished.reason == .uncaughtSignal && finished.status == SIGKILL, "\(finished)")
    }

    // MARK: The scenario

    struct Finished: CustomStringConvertible {
        var reason: Process.TerminationReason
        var status: Int32
        var seconds: Double
        var description: String { "ended (\(reason == .exit ? "exit" : "signal")) \(status) after \(seconds) s" }
    }

    /// Starts a smoke run, waits until its server is up and loaded for a moment, sends
    /// `signal`, and checks that the runner ends and everything it booted goes within 30 s.
    private func interruptMidRun(with signal: Int32) async throws -> Finished {
        let root = Executables.repositoryRoot
        let reports = FileManager.default.temporaryDirectory.appendingPathComponent("accord-interrupt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let process = Process()
        process.executableURL = Executables.accord
        process.arguments = ["run", root.appendingPathComponent("specs").path, "--profile", "smoke", "--reports", reports, "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let runner = process.processIdentifier
        defer { if process.isRunning { kill(runner, SIGKILL) } }

        // Booting PostgreSQL (initdb) on a busy machine can take a while.
        var run = RunProcesses.of(runner: runner)
        let bootDeadline = Date().addingTimeInterval(180)
        while run.server == nil, process.isRunning, Date() < bootDeadline {
            try await Task.sleep(for: .milliseconds(200))
            run = RunProcesses.of(runner: runner)
        }
        try #require(run.server != nil, "accord run started no server within 180 s (running: \(process.isRunning))")
        // Into the checks: the server is busy when the signal comes.
        try await Task.sleep(for: .seconds(3))
        run = RunProcesses.of(runner: runner)
        #expect(run.all.contains { $0.argv.first?.contains("redis-server") == true }, "\(run.all.map(\.argv))")
        #expect(run.all.contains { $0.argv.first?.hasSuffix("/postgres") == true }, "\(run.all.map(\.argv))")
        #expect(run.directories.count == 2, "\(run.directories)")
        try #require(process.isRunning, "the run ended before it could be interrupted")

        let sent = Date()
        kill(runner, signal)
        let deadline = sent.addingTimeInterval(30)
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        try #require(!process.isRunning, "accord run still runs 30 s after signal \(signal)")
        process.waitUntilExit()
        let finished = Finished(reason: process.terminationReason, status: process.terminationStatus, seconds: Date().timeIntervalSince(sent))

        var survivors = run.survivors()
        while !survivors.isEmpty, Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            survivors = run.survivors()
        }
        #expect(survivors.isEmpty, "alive 30 s after signal \(signal): \(survivors.map { "\($0.pid) \($0.argv.joined(separator: " "))" })")
        // A failed run must not leave them to the next test.
        for survivor in survivors { kill(survivor.pid, SIGKILL) }
        for directory in run.directories {
            #expect(!FileManager.default.fileExists(atPath: directory), "\(directory) is left")
        }
        return finished
    }
}

/// What one `accord run` booted, as seen in /proc.
struct RunProcesses {
    /// Its processes, each known by pid and start time (a pid may be reused).
    var all: [ProcessEntry]
    /// The scratch directories its watchdogs would remove.
    var directories: [String]
    /// Its `accord serve`.
    var server: ProcessEntry? { all.first { $0.argv.dropFirst().first == "serve" } }

    static func of(runner: pid_t) -> RunProcesses {
        let table = ProcessEntry.table()
        let children = table.filter { $0.parent == runner }
        let directories = children.filter { $0.argv.contains("accord-watchdog") }.compactMap { watchdog in
            watchdog.argv.last { $0.hasPrefix("/tmp/accord-") }
        }
        var members = children + table.filter { entry in
            directories.contains { directory in entry.argv.contains { $0.hasPrefix(directory + "/") } }
        }
        // Their children too: PostgreSQL's backends.
        members += table.filter { entry in members.contains { $0.pid == entry.parent } }
        var seen = Set<pid_t>()
        return RunProcesses(all: members.filter { seen.insert($0.pid).inserted }, directories: directories)
    }

    /// The processes of ``all`` still alive (the same start time, not a zombie), and any new
    /// process naming one of the directories.
    func survivors() -> [ProcessEntry] {
        ProcessEntry.table().filter { entry in
            all.contains { $0.pid == entry.pid && $0.started == entry.started }
                || directories.contains { directory in entry.argv.contains { $0.hasPrefix(directory + "/") } }
        }
    }
}

/// One live (non-zombie) process from /proc.
struct ProcessEntry {
    var pid: pid_t
    var parent: pid_t
    /// Clock ticks after boot: with the pid, it names one process.
    var started: UInt64
    var argv: [String]

    static func table() -> [ProcessEntry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.compactMap(read)
    }

    /// `/proc/<pid>/stat` and `cmdline`; nil for a zombie or a process already gone.
    static func read(_ pid: pid_t) -> ProcessEntry? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"),
            let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
        else { return nil }
        // After the command name: state (field 3), ppid (4), …, starttime (22).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, fields[0] != "Z", let parent = pid_t(fields[1]), let started = UInt64(fields[19]) else { return nil }
        let argv = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return ProcessEntry(pid: pid, parent: parent, started: started, argv: argv)
    }
}
