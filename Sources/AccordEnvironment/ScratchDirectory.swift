import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A user and group that should own a server's files: Debian's `postgres` when running as root.
struct FileOwner: Sendable, Equatable {
    var name: String
    var uid: uid_t
    var gid: gid_t

    /// The account named `name`, or `nil` when there is none.
    static func named(_ name: String) -> FileOwner? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let status = getpwnam_r(name, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil else { return nil }
        return FileOwner(name: name, uid: entry.pw_uid, gid: entry.pw_gid)
    }
}

/// The private directory of one throwaway server, and the file chores around it.
///
/// Directories live directly under /tmp, not `$TMPDIR`: when running as root the `postgres`
/// account must be able to reach them, and Unix socket paths must stay under 108 bytes.
enum ScratchDirectory {
    /// Creates `/tmp/<prefix>XXXXXX` with mode 0700 (`mkdtemp`) and returns its path.
    static func create(prefix: String, doing: String) throws -> String {
        var template = Array("/tmp/\(prefix)XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }
        }
        guard made != nil else {
            throw EnvironmentError.systemCall("mkdtemp", doing: doing, subject: "in /tmp", errno: errno)
        }
        return string(fromTemplate: template)
    }

    /// Creates `path` with mode 0700, owned by `owner` when given.
    static func createSubdirectory(_ path: String, owner: FileOwner?, doing: String) throws {
        guard mkdir(path, 0o700) == 0 else {
            throw EnvironmentError.systemCall("mkdir", doing: doing, subject: "in \(path)", errno: errno)
        }
        try changeOwner(of: path, to: owner, doing: doing)
    }

    /// Gives `path` to `owner`; does nothing when `owner` is `nil`.
    static func changeOwner(of path: String, to owner: FileOwner?, doing: String) throws {
        guard let owner else { return }
        guard chown(path, owner.uid, owner.gid) == 0 else {
            throw EnvironmentError.systemCall(
                "chown to \(owner.name)", doing: doing, subject: "on \(path)", errno: errno)
        }
    }

    /// Removes `path` and everything in it; a failure is logged, since teardown must go on.
    static func remove(_ path: String, logger: Logger) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            logger.warning("failed removing directory \(path): \(error.localizedDescription)")
        }
    }

    /// Appends `text` to the file at `path`.
    static func append(_ text: String, to path: String, doing: String) throws {
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw EnvironmentError(.systemCall, doing: doing, subject: "in \(path)", cause: error.localizedDescription)
        }
    }

    /// The path a `mkdtemp`/`mkstemp` template holds after the call (without its terminator).
    static func string(fromTemplate template: [CChar]) -> String {
        let bytes = template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The ends of server logs, quoted in errors so that a failed boot explains itself.
enum LogTail {
    /// The size of the file at `path` in bytes, 0 when it does not exist: where the next
    /// attempt's log lines begin.
    static func size(ofFile path: String) -> UInt64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// The last `count` lines of the file at `path`, reading from byte `offset`.
    static func lastLines(ofFile path: String, from offset: UInt64 = 0, count: Int = 20) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: offset)
            let data = try handle.readToEnd() ?? Data()
            return lastLines(of: String(decoding: data, as: UTF8.self), count: count)
        } catch {
            return ""
        }
    }

    /// The last `count` non-empty lines of `text`, each indented by two spaces.
    static func lastLines(of text: String, count: Int) -> String {
        text.split(whereSeparator: \.isNewline)
            .filter { !$0.allSatisfy(\.isWhitespace) }
            .suffix(count)
            .map { "  \($0)" }
            .joined(separator: "\n")
    }
}
