import Foundation

/// An environment that could not be booted, reached or torn down: a missing program, a command
/// that failed or hung, a server that never became ready.
///
/// It reads `failed <doing what> <on what>: <cause>`, and the cause says what to do when there
/// is something to do:
///
/// ```
/// failed starting PostgreSQL on 127.0.0.1: program `initdb` not found in
/// /usr/lib/postgresql/*/bin (version 13 or newer); install the apt package `postgresql`,
/// or set ACCORD_PG_BIN to the directory holding initdb, pg_ctl and postgres
/// ```
///
/// `accord` exits with code 3 on any of these.
public struct EnvironmentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that react differently (retry on ``addressInUse``).
    public enum Kind: Sendable, Equatable {
        /// A program the environment needs is not installed.
        case missingProgram
        /// A command exited unsuccessfully, or a server exited while starting.
        case commandFailed
        /// A command did not finish, or a server did not become ready, in time.
        case timedOut
        /// A server could not bind its port because another process holds it.
        case addressInUse
        /// A system call failed (socket, mkdtemp, chown, writing a file).
        case systemCall
        /// The operation does not fit the current state, e.g. restarting a torn-down server.
        case invalidState
    }

    /// What went wrong.
    public var kind: Kind
    /// What was being done, as a gerund phrase: `starting PostgreSQL`.
    public var doing: String
    /// What it was done on, with its preposition: `on 127.0.0.1:54321`, `in /tmp/accord-pg-1a2b3c`.
    public var subject: String
    /// Why it failed, and what to do about it when that is known.
    public var cause: String

    /// Creates an error that reads `failed <doing> <subject>: <cause>`.
    public init(_ kind: Kind, doing: String, subject: String, cause: String) {
        self.kind = kind
        self.doing = doing
        self.subject = subject
        self.cause = cause
    }

    /// `failed <doing> <subject>: <cause>`.
    public var description: String { "failed \(doing) \(subject): \(cause)" }

    /// An error for a failed system call, its cause read from `code` (an `errno` value).
    static func systemCall(_ call: String, doing: String, subject: String, errno code: Int32) -> EnvironmentError {
        EnvironmentError(.systemCall, doing: doing, subject: subject, cause: "\(call): \(String(cString: strerror(code)))")
    }

    /// The same error with more cause appended, e.g. the tail of a server log.
    func adding(_ detail: String, kind newKind: Kind? = nil) -> EnvironmentError {
        EnvironmentError(newKind ?? kind, doing: doing, subject: subject, cause: cause + detail)
    }
}
