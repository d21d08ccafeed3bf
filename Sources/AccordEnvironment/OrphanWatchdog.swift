import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small `/bin/sh` child that tears a server down if this process dies without doing so.
///
/// `stop()` and `deinit` cover every orderly path, but neither runs when the process crashes,
/// is killed, or exits while still holding a server. Children start in process groups of their
/// own, so a server does not even receive the terminal's Ctrl-C. The watchdog polls
/// this process once a second; once it is gone (or a zombie), the watchdog signals the server
/// (whose pid it was given, or the first line of its pid file), sends SIGKILL if it is still
/// alive five seconds later, and removes the server's directory, if it has one. After an
/// orderly teardown, ``dismiss()`` ends it.
///
/// This is the "register the directory for cleanup" step: one watchdog per server, started
/// before the server so that a crash during start is covered too.
final class OrphanWatchdog: Sendable {
    private let child: ChildProcess

    private init(child: ChildProcess) {
        self.child = child
    }

    /// Starts a watchdog for the server whose pid file is `pidFile` and whose directory is
    /// `directory`. Returns `nil` (after logging a warning) when it cannot be started: the
    /// server still works, only crash cleanup is lost.
    static func start(pidFile: String, signal: String, directory: String, logger: Logger) -> OrphanWatchdog? {
        start(arguments: [pidFile, signal, directory, ""], subject: directory, logger: logger)
    }

    /// Starts a watchdog for the running server `pid`, which has no directory to remove (the
    /// reference server, whose log belongs to the run's reports). Start one per process: after
    /// a restart the pid is another.
    static func start(pid: pid_t, signal: String, subject: String, logger: Logger) -> OrphanWatchdog? {
        start(arguments: ["", signal, "", String(pid)], subject: subject, logger: logger)
    }

    /// Starts a watchdog for the running server `pid` that also removes `directory` (nginx in
    /// front of the replicas: its configuration and logs are scratch).
    static func start(pid: pid_t, signal: String, directory: String, subject: String, logger: Logger) -> OrphanWatchdog? {
        start(arguments: ["", signal, directory, String(pid)], subject: subject, logger: logger)
    }

    private static func start(arguments: [String], subject: String, logger: Logger) -> OrphanWatchdog? {
        let null = StandardStreams.openNull()
        defer { closeDescriptor(null) }
        do {
            let child = try ChildProcess.spawn(
                executable: "/bin/sh",
                arguments: ["-c", script, "accord-watchdog", String(getpid())] + arguments,
                input: null, output: null)
            return OrphanWatchdog(child: child)
        } catch {
            logger.warning(
                "failed starting the crash-cleanup watchdog for \(subject): \(error); a crash of this process would leave the server running"
            )
            return nil
        }
    }

    /// Ends the watchdog without it touching the server: teardown has been done.
    func dismiss() {
        // The group kill takes the shell's `sleep` child too.
        child.send(SIGKILL, toGroup: true)
        _ = child.wait(timeout: .seconds(5))
    }

    /// `$1` parent pid, `$2` server pid file (or empty), `$3` signal name, `$4` directory to
    /// remove (or empty), `$5` server pid (or empty: read from `$2`).
    /// INT and HUP are ignored so that a Ctrl-C that kills the parent does not kill the cleanup.
    private static let script = #"""
        trap '' INT HUP
        alive() {
            kill -0 "$1" 2>/dev/null || return 1
            ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"
        }
        while alive "$1"; do sleep 1; done
        pid=$5
        if [ -z "$pid" ] && [ -r "$2" ]; then pid=$(head -n 1 "$2"); fi
        case "$pid" in ''|*[!0-9]*) pid='' ;; esac
        if [ -n "$pid" ]; then
            kill -s "$3" "$pid" 2>/dev/null
            tries=0
            while alive "$pid" && [ "$tries" -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done
            kill -s KILL "$pid" 2>/dev/null
        fi
        if [ -n "$4" ]; then rm -rf -- "$4"; fi
        """#
}
