import CHiredis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking hiredis connection (`redisContext`), logged in and on its database.
///
/// ```swift
/// let redis = try RedisConnection(url: RedisURL(parsing: "redis://localhost:6379"))
/// try redis.command(["XLEN", "tq:normal"])                     // .integer(3)
/// try redis.pipeline([["PING"], ["GET", "missing"]])         // [.status("PONG"), .null]
/// ```
///
/// Commands go through hiredis's argv API with explicit lengths: arguments are binary safe
/// and never parsed as a format string. Error replies come back as values; only I/O and
/// protocol failures throw. After such a failure the connection `isBroken` and every later
/// call throws at once; a `BlockingPool` then replaces it.
///
/// `@unchecked Sendable` because `BlockingPool` gives it to one caller on one thread at a
/// time (see `BlockingConnection`); it is not safe to use from two threads at once.
public final class RedisConnection: BlockingConnection, @unchecked Sendable {
    public let url: RedisURL
    public let commandTimeout: Duration
    private let context: UnsafeMutablePointer<redisContext>
    /// Set when commands were sent whose replies were not all read: the next reply would
    /// belong to an earlier command.
    private var outOfStep = false

    /// Connects (waiting at most `connectTimeout`), then sends `AUTH` and `SELECT` when `url`
    /// asks for them. Blocks the calling thread.
    public init(url: RedisURL, connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(5)) throws(RedisError) {
        _ = ignoringSIGPIPE
        self.url = url
        self.commandTimeout = commandTimeout
        self.context = try Self.open(url, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
    }

    deinit {
        redisFree(context)
    }

    /// True once hiredis recorded an error on the context (it then refuses every command), or
    /// a pipeline was cut short.
    public var isBroken: Bool {
        outOfStep || context.pointee.err != 0
    }

    /// Sends one command and waits for its reply.
    public func command(_ arguments: [String]) throws(RedisError) -> RedisReply {
        try Self.command(arguments, on: context, timeout: commandTimeout, broken: isBroken)
    }

    /// Sends `commands` in one write and reads their replies in order: one round trip.
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        if isBroken { throw RedisError(context: context, timeout: commandTimeout) }
        guard !commands.isEmpty else { return [] }
        for arguments in commands {
            try Self.checkUsable(arguments)
            let status = withArgv(arguments) { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            if status != REDIS_OK {
                // Commands appended so far would be sent later with nobody reading their replies.
                outOfStep = true
                throw RedisError(.outOfMemory, "could not queue a command of the pipeline")
            }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
                outOfStep = true
                throw RedisError(context: context, timeout: commandTimeout)
            }
            do {
                replies.append(try Self.take(raw))
            } catch {
                outOfStep = true
                throw error
            }
        }
        return replies
    }
}

extension RedisConnection {
    private static func open(_ url: RedisURL, connectTimeout: Duration, commandTimeout: Duration) throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        guard let context = redisConnectWithTimeout(url.host, Int32(url.port), timeval(connectTimeout)) else {
            throw RedisError(.outOfMemory, "could not allocate a connection to \(url.redacted)")
        }
        do throws(RedisError) {
            if context.pointee.err != 0 {
                throw RedisError(context: context, connecting: true, timeout: connectTimeout)
            }
            if redisSetTimeout(context, timeval(commandTimeout)) != REDIS_OK {
                throw RedisError(context: context, connecting: true, timeout: connectTimeout)
            }
            if let password = url.password {
                let login = url.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]
                let reply = try command(login, on: context, timeout: commandTimeout, broken: false)
                if let message = reply.errorMessage { throw RedisError(.handshake, "AUTH: \(message)") }
            }
            if url.database != 0 {
                let reply = try command(["SELECT", String(url.database)], on: context, timeout: commandTimeout, broken: false)
                if let message = reply.errorMessage { throw RedisError(.handshake, "SELECT \(url.database): \(message)") }
            }
            return context
        } catch {
            redisFree(context)
            throw error
        }
    }

    private static func command(
        _ arguments: [String], on context: UnsafeMutablePointer<redisContext>, timeout: Duration, broken: Bool
    ) throws(RedisError) -> RedisReply {
        if broken { throw RedisError(context: context, timeout: timeout) }
        try checkUsable(arguments)
        let raw = withArgv(arguments) { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        guard let raw else { throw RedisError(context: context, timeout: timeout) }
        return try take(raw)
    }

    private static func checkUsable(_ arguments: [String]) throws(RedisError) {
        guard let name = arguments.first, !name.isEmpty else { throw RedisError(.invalidCommand, "no command name") }
        guard arguments.count <= Int(Int32.max) else { throw RedisError(.invalidCommand, "\(name) has too many arguments") }
    }

    /// Copies a reply hiredis handed over, and frees it.
    private static func take(_ raw: UnsafeMutableRawPointer) throws(RedisError) -> RedisReply {
        defer { freeReplyObject(raw) }
        return try RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
    }
}

/// Calls `body` with hiredis's argv form of `arguments`: a pointer and a byte length per
/// argument, all into one buffer, so arguments may hold any bytes, NUL included.
private func withArgv<Result>(
    _ arguments: [String],
    _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int>?) -> Result
) -> Result {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(arguments.reduce(1) { $0 + $1.utf8.count })
    var offsets: [Int] = []
    var lengths: [Int] = []
    for argument in arguments {
        offsets.append(bytes.count)
        lengths.append(argument.utf8.count)
        bytes.append(contentsOf: argument.utf8)
    }
    bytes.append(0)  // never empty, so the buffer has an address even when every argument is ""
    return bytes.withUnsafeBufferPointer { buffer in
        var pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
            buffer.baseAddress.map { UnsafeRawPointer($0 + offset).assumingMemoryBound(to: CChar.self) }
        }
        return pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeBufferPointer { lengths in
                body(Int32(truncatingIfNeeded: arguments.count), argv.baseAddress, lengths.baseAddress)
            }
        }
    }
}

extension timeval {
    fileprivate init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: .init(seconds), tv_usec: .init(attoseconds / 1_000_000_000_000))
    }
}

/// hiredis writes with write(2), which raises SIGPIPE when Redis has closed the socket; the
/// default action would end the process. SwiftNIO ignores SIGPIPE the same way on Linux as
/// soon as it opens a socket; this covers processes that talk to Redis before that (tools,
/// tests). Evaluated once, on first use.
private let ignoringSIGPIPE: Bool = {
    _ = signal(SIGPIPE, SIG_IGN)
    return true
}()
