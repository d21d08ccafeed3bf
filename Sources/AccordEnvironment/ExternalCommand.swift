import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program run to completion with its output captured: `initdb`, `pg_ctl`, `psql`, `redis-cli`.
///
/// Standard output and standard error go, interleaved, to an unlinked temporary file rather than
/// a pipe: `pg_ctl start` leaves a daemon behind, and a daemon that inherited a pipe would hold
/// it open and hang a reader waiting for end of file. Standard input is `/dev/null`. The program
/// runs in a process group of its own (see `ChildProcess` for why not Foundation's `Process`).
///
/// A command still running at its timeout gets SIGTERM, then SIGKILL two seconds later (its whole
/// process group), and the run fails with ``EnvironmentError/Kind/timedOut``.
public struct ExternalCommand: Sendable {
    /// The program's absolute path.
    public var executable: String
    /// The arguments, without the program name.
    public var arguments: [String]
    /// The working directory; the caller's when `nil`.
    public var workingDirectory: String?
    /// The complete environment; the caller's when `nil`.
    public var environment: [String: String]?

    /// A command to run `executable` (an absolute path) with `arguments`.
    public init(
        _ executable: String,
        _ arguments: [String],
        workingDirectory: String? = nil,
        environment: [String: String]? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.environment = environment
    }

    /// The command line as people read it in messages: `pg_ctl start -D /tmp/…/data`.
    public var displayName: String {
        ([URL(fileURLWithPath: executable).lastPathComponent] + arguments).joined(separator: " ")
    }

    /// Runs the command to completion off Swift's cooperative thread pool and returns its output.
    /// Cancelling the calling task does not stop the command; `timeout` bounds it.
    ///
    /// - Parameters:
    ///   - doing: what the command is for, for errors: `initialising PostgreSQL`.
    ///   - subject: what it works on, with its preposition: `in /tmp/accord-pg-1a2b3c`.
    ///   - timeout: how long it may run.
    /// - Throws: ``EnvironmentError`` when the program cannot be launched, exits unsuccessfully
    ///   (the cause ends with the last lines of its output) or outlives `timeout`.
    public func run(doing: String, on subject: String, timeout: Duration) async throws -> CommandOutput {
        let command = self
        return try await DispatchQueue.global().perform {
            try command.runBlocking(doing: doing, on: subject, timeout: timeout)
        }
    }

    /// Like ``run(doing:on:timeout:)``, blocking the calling thread: for `deinit` and for code
    /// already running on a dispatch queue. Avoid it in Swift concurrency tasks: it holds one of
    /// the cooperative pool's few threads while the command runs.
    public func runBlocking(doing: String, on subject: String, timeout: Duration) throws -> CommandOutput {
        let capture = try OutputCapture(doing: doing, subject: subject)
        defer { capture.close() }
        let input = StandardStreams.openNull()
        defer { closeDescriptor(input) }

        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                executable: executable, arguments: arguments, workingDirectory: workingDirectory,
                environment: environment, input: input, output: capture.descriptor)
        } catch {
            throw EnvironmentError(
                .commandFailed, doing: doing, subject: subject, cause: "could not launch \(executable): \(error)")
        }

        let status = child.wait(timeout: timeout)
        if status == nil {
            // The whole process group goes: `runuser` waits for the program it runs.
            child.terminate(grace: .seconds(2), toGroup: true)
        }
        let output = capture.read()
        guard let status else {
            throw EnvironmentError(
                .timedOut, doing: doing, subject: subject,
                cause: "`\(displayName)` did not finish within \(timeout.formattedSeconds)\(Self.excerpt(output))"
            )
        }
        guard status.succeeded else {
            throw EnvironmentError(
                .commandFailed, doing: doing, subject: subject,
                cause: "`\(displayName)` \(status)\(Self.excerpt(output))"
            )
        }
        return CommandOutput(output: output)
    }

    /// The absolute path of `program` found on `PATH` (or the given search path), or `nil`.
    public static func locate(
        _ program: String,
        path: String? = ProcessInfo.processInfo.environment["PATH"]
    ) -> String? {
        if program.contains("/") {
            return FileManager.default.isExecutableFile(atPath: program) ? program : nil
        }
        let directories = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for directory in directories where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// `; its output ends with:` and the last lines of `output`, or nothing when it is empty.
    private static func excerpt(_ output: String) -> String {
        let tail = LogTail.lastLines(of: output, count: 15)
        return tail.isEmpty ? "" : "; its output ends with:\n\(tail)"
    }
}

/// What a command that succeeded printed.
public struct CommandOutput: Sendable, Equatable {
    /// Standard output and standard error, interleaved as written.
    public var output: String

    /// The output without surrounding whitespace and newlines: `psql -tA` answers, `PONG`.
    public var trimmed: String { output.trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// An unlinked temporary file receiving a command's output: nothing is left behind in /tmp,
/// even when this process dies mid-command.
private struct OutputCapture {
    let descriptor: Int32

    init(doing: String, subject: String) throws {
        var template = Array("/tmp/accord-output-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemp($0) } ?? -1
        }
        guard descriptor >= 0 else {
            throw EnvironmentError.systemCall("mkstemp", doing: doing, subject: subject, errno: errno)
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        unlink(ScratchDirectory.string(fromTemplate: template))
        self.descriptor = descriptor
    }

    /// Everything written so far, read with `pread` (the child shares the file offset).
    func read() -> String {
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(bytes.count)) }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func close() {
        closeDescriptor(descriptor)
    }
}
