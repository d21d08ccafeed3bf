import NIOPosix
import Synchronization

/// A client connection whose calls block the calling thread (libpq's, hiredis's).
///
/// Conforming classes own one C handle and are `@unchecked Sendable` for one reason: a
/// `BlockingPool` hands each connection to exactly one caller at a time, and runs that
/// caller's work on one thread; no two threads ever touch the handle at once.
public protocol BlockingConnection: AnyObject, Sendable {
    /// True once the connection can no longer be used (the peer went away, a protocol error):
    /// the pool then closes it instead of reusing it.
    var isBroken: Bool { get }
}

/// A fixed-size pool of blocking connections, each used on a thread of the pool's own:
/// blocking calls never run on an event-loop thread or a Swift concurrency thread.
///
/// Connections open lazily and are replaced after failures, so the pool recovers by itself
/// when its server comes back.
public final class BlockingPool<Connection: BlockingConnection>: Sendable {
    /// What a waiter receives: a connection to use, or the right to open a new one.
    private enum Lease: Sendable {
        case connection(Connection)
        case openSlot
    }

    private enum AcquireDecision {
        case ready(Lease)
        case wait
        case closed
    }

    private struct State: ~Copyable {
        var idle: [Connection] = []
        var open = 0
        var waiters: [CheckedContinuation<Lease, any Error>] = []
        var closed = false
    }

    public let capacity: Int
    private let state = Mutex(State())
    private let threads: NIOThreadPool
    private let connect: @Sendable () throws -> Connection

    /// - Parameters:
    ///   - capacity: the most connections open at once (and the number of threads).
    ///   - connect: opens one connection; runs on a pool thread.
    public init(capacity: Int, connect: @escaping @Sendable () throws -> Connection) {
        self.capacity = max(1, capacity)
        self.connect = connect
        self.threads = NIOThreadPool(numberOfThreads: self.capacity)
        threads.start()
    }

    /// Connections open right now, and callers waiting for one.
    public var usage: (open: Int, idle: Int, waiting: Int) {
        state.withLock { ($0.open, $0.idle.count, $0.waiters.count) }
    }

    /// Runs `body` with a connection of the pool, on a pool thread. A connection that is
    /// broken afterwards is closed, and the next caller opens a fresh one.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let lease = try await acquire()
        let threads = self.threads
        let connect = self.connect
        let connection: Connection
        switch lease {
        case let .connection(existing):
            connection = existing
        case .openSlot:
            do {
                connection = try await threads.runIfActive { try connect() }
            } catch {
                release(nil)
                throw error
            }
        }
        do {
            let value = try await threads.runIfActive { try body(connection) }
            release(connection.isBroken ? nil : connection)
            return value
        } catch {
            release(connection.isBroken ? nil : connection)
            throw error
        }
    }

    private func acquire() async throws -> Lease {
        let decision: AcquireDecision = state.withLock { state in
            if state.closed { return .closed }
            if let connection = state.idle.popLast() { return .ready(.connection(connection)) }
            if state.open < capacity {
                state.open += 1
                return .ready(.openSlot)
            }
            return .wait
        }
        switch decision {
        case let .ready(lease): return lease
        case .closed: throw PoolClosedError()
        case .wait:
            return try await withCheckedThrowingContinuation { continuation in
                let closed = state.withLock { state -> Bool in
                    if state.closed { return true }
                    // Something may have been released between the decision and now.
                    if let connection = state.idle.popLast() {
                        continuation.resume(returning: .connection(connection))
                    } else if state.open < capacity {
                        state.open += 1
                        continuation.resume(returning: .openSlot)
                    } else {
                        state.waiters.append(continuation)
                    }
                    return false
                }
                if closed { continuation.resume(throwing: PoolClosedError()) }
            }
        }
    }

    /// Returns a connection (or, with nil, the slot of a connection that was closed).
    private func release(_ connection: Connection?) {
        let waiter: (CheckedContinuation<Lease, any Error>, Lease)? = state.withLock { state in
            if !state.waiters.isEmpty {
                let next = state.waiters.removeFirst()
                return (next, connection.map(Lease.connection) ?? .openSlot)
            }
            if let connection, !state.closed {
                state.idle.append(connection)
            } else {
                state.open -= 1
            }
            return nil
        }
        if let (continuation, lease) = waiter { continuation.resume(returning: lease) }
    }

    /// Closes idle connections, fails waiters, and stops the threads. Connections in use are
    /// closed when their callers return them.
    public func close() async {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            let idle = state.idle
            let waiters = state.waiters
            state.open -= idle.count
            state.idle = []
            state.waiters = []
            return (idle, waiters)
        }
        for waiter in waiters { waiter.resume(throwing: PoolClosedError()) }
        _ = idle  // dropping the last references frees the C handles in their deinit
        try? await threads.shutdownGracefully()
    }
}

/// The pool was closed (the server is shutting down).
public struct PoolClosedError: Error, Sendable, CustomStringConvertible {
    public var description: String { "connection pool is closed" }
}
