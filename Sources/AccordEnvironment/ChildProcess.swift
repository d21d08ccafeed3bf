import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended.
enum ProcessTermination: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)

    var succeeded: Bool { self == .exited(0) }

    var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signalled(let signal): "was killed by signal \(signal)"
        }
    }

    /// Decodes a `waitpid` status (the `WIFEXITED`/`WEXITSTATUS` macros are not imported).
    init(waitStatus status: Int32) {
        let signal = status & 0x7F
        self = signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }
}

/// A child process started with `posix_spawn` and reaped with `waitpid` by this object alone.
///
/// Why not Foundation's `Process`: on Linux it learns that a child exited from end-of-file on a
/// socket the child inherits, so when the child leaves a daemon behind (`pg_ctl start` leaves
/// the postmaster) the daemon holds the socket and `Process` never notices the exit — the wait
/// hangs and the child stays a zombie. Here the child inherits only its standard descriptors;
/// every other descriptor is closed in the child (descriptors opened by other threads while
/// this one spawns may slip through unless they are close-on-exec, as Swift's and NIO's are).
///
/// Each child starts in a process group of its own (a terminal's Ctrl-C reaches only this
/// process, whose cleanup then runs), with an empty signal mask and default dispositions for
/// the signals servers rely on.
final class ChildProcess: Sendable {
    /// The child's pid, which is also its process group id.
    let pid: pid_t
    private let status = Mutex<ProcessTermination?>(nil)

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `executable` (an absolute path) with `arguments`.
    ///
    /// - Parameters:
    ///   - workingDirectory: run there (through `/bin/sh -c 'cd … && exec …'`, since glibc's
    ///     `posix_spawn_file_actions_addchdir_np` is not visible to Swift); `nil` keeps ours.
    ///   - environment: the complete environment; ours when `nil`.
    ///   - input, output: descriptors to become the child's stdin and its stdout and stderr.
    /// - Throws: ``SpawnFailure`` with `posix_spawn`'s error code.
    static func spawn(
        executable: String,
        arguments: [String],
        workingDirectory: String? = nil,
        environment: [String: String]? = nil,
        input: Int32,
        output: Int32
    ) throws(SpawnFailure) -> ChildProcess {
        var argv = [executable] + arguments
        var path = executable
        if let workingDirectory {
            path = "/bin/sh"
            argv = ["/bin/sh", "-c", #"cd -- "$0" && exec "$@""#, workingDirectory] + argv
        }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input, STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, output, STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, output, STDERR_FILENO)
        for descriptor in openDescriptors() where descriptor > STDERR_FILENO {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid = pid_t()
        let result = withCStrings(argv) { argvPointers in
            withCStrings(env) { envPointers in
                posix_spawn(&pid, path, &actions, &attributes, argvPointers, envPointers)
            }
        }
        guard result == 0 else { throw SpawnFailure(code: result) }
        return ChildProcess(pid: pid)
    }

    /// The exit status once the child has exited (reaping it), `nil` while it runs.
    func poll() -> ProcessTermination? {
        status.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &raw, WNOHANG) } while result == -1 && errno == EINTR
            if result == pid {
                status = ProcessTermination(waitStatus: raw)
            } else if result == -1 {
                // ECHILD: someone else reaped it; it is gone either way.
                status = .exited(-1)
            }
            return status
        }
    }

    /// Whether the child is still running.
    var isRunning: Bool { poll() == nil }

    /// Waits until the child exits or `timeout` passes; its exit status, or `nil` on timeout.
    func wait(timeout: Duration) -> ProcessTermination? {
        let deadline = ContinuousClock.now + timeout
        var pause: useconds_t = 1_000
        while true {
            if let status = poll() { return status }
            if ContinuousClock.now >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Sends `signal` to the child, or to its whole process group, unless it has been reaped
    /// (its pid could then belong to another process).
    func send(_ signal: Int32, toGroup: Bool = false) {
        status.withLock { status in
            guard status == nil else { return }
            kill(toGroup ? -pid : pid, signal)
        }
    }

    /// SIGTERM, then SIGKILL if the child still runs after `grace`; returns once it is reaped.
    @discardableResult
    func terminate(grace: Duration, toGroup: Bool = false) -> ProcessTermination {
        send(SIGTERM, toGroup: toGroup)
        if let status = wait(timeout: grace) { return status }
        send(SIGKILL, toGroup: toGroup)
        return wait(timeout: .seconds(3600)) ?? .signalled(SIGKILL)
    }

    /// This process's open descriptors, from /proc/self/fd (or the first 1024 where there is none).
    private static func openDescriptors() -> [Int32] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else {
            return Array(0..<1024)
        }
        return names.compactMap { Int32($0) }
    }

    /// Calls `body` with a NULL-terminated C array of copies of `strings`.
    private static func withCStrings<R>(
        _ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R
    ) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}

/// A `posix_spawn` that failed, with its error code.
struct SpawnFailure: Error, CustomStringConvertible {
    var code: Int32
    var description: String { String(cString: strerror(code)) }
}

/// Descriptors for a child's standard streams, opened close-on-exec so that only the child's
/// duplicates survive into it.
enum StandardStreams {
    /// `/dev/null` for reading or writing; -1 when it cannot be opened.
    static func openNull() -> Int32 {
        open("/dev/null", O_RDWR | O_CLOEXEC)
    }

    /// A file opened for appending, created with mode 0600 when absent; -1 with `errno` on failure.
    static func openAppending(_ path: String) -> Int32 {
        open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
    }
}

/// Closes `descriptor` when it is valid; for types with a `close()` method of their own.
func closeDescriptor(_ descriptor: Int32) {
    guard descriptor >= 0 else { return }
    _ = close(descriptor)
}
