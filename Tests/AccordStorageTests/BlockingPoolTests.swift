import AccordStorage
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// A connection that counts and can be broken on purpose: the pool's rules without a server.
final class CountingConnection: BlockingConnection {
    let number: Int
    private let broken = Mutex(false)
    init(number: Int) { self.number = number }
    var isBroken: Bool { broken.withLock { $0 } }
    func breakIt() { broken.withLock { $0 = true } }
}

/// Opens connections numbered 1, 2, 3, … and can be told to fail.
final class Connector: Sendable {
    private let state = Mutex((opened: 0, failing: false))
    var opened: Int { state.withLock { $0.opened } }
    func fail(_ failing: Bool) { state.withLock { $0.failing = failing } }
    func connect() throws -> CountingConnection {
        try state.withLock { state in
            if state.failing { throw ConnectFailed() }
            state.opened += 1
            return CountingConnection(number: state.opened)
        }
    }
}

struct ConnectFailed: Error {}

/// How many callers held a connection at once, at most.
final class InUse: Sendable {
    private let state = Mutex((now: 0, most: 0))
    var most: Int { state.withLock { $0.most } }
    func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
    func leave() { state.withLock { $0.now -= 1 } }
}

@Suite("BlockingPool")
struct BlockingPoolTests {
    @Test func reusesAnIdleConnectionInsteadOfOpeningAnother() async throws {
        let connector = Connector()
        let pool = BlockingPool(capacity: 4) { try connector.connect() }
        let first = try await pool.withConnection { $0.number }
        let second = try await pool.withConnection { $0.number }
        #expect(first == 1 && second == 1)
        #expect(connector.opened == 1)
        #expect(pool.usage.open == 1 && pool.usage.idle == 1)
        await pool.close()
    }

    @Test func neverOpensMoreThanItsCapacity() async throws {
        let connector = Connector()
        let pool = BlockingPool(capacity: 2) { try connector.connect() }
        let inUse = InUse()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await pool.withConnection { _ in
                        inUse.enter()
                        usleepMilliseconds(5)
                        inUse.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(inUse.most <= 2)
        #expect(connector.opened <= 2)
        #expect(pool.usage.waiting == 0)
        await pool.close()
    }

    @Test func replacesABrokenConnection() async throws {
        let connector = Connector()
        let pool = BlockingPool(capacity: 1) { try connector.connect() }
        try await pool.withConnection { $0.breakIt() }
        let number = try await pool.withConnection { $0.number }
        #expect(number == 2)
        #expect(pool.usage.open == 1)
        await pool.close()
    }

    @Test func aFailedConnectGivesItsSlotBack() async throws {
        let connector = Connector()
        let pool = BlockingPool(capacity: 1) { try connector.connect() }
        connector.fail(true)
        await #expect(throws: ConnectFailed.self) { try await pool.withConnection { $0.number } }
        #expect(pool.usage.open == 0)
        connector.fail(false)
        #expect(try await pool.withConnection { $0.number } == 1)
        await pool.close()
    }

    @Test func aThrowingBodyKeepsAHealthyConnection() async throws {
        let connector = Connector()
        let pool = BlockingPool(capacity: 1) { try connector.connect() }
        await #expect(throws: ConnectFailed.self) { try await pool.withConnection { _ in throw ConnectFailed() } }
        #expect(try await pool.withConnection { $0.number } == 1)
        await pool.close()
    }

    @Test func aClosedPoolRefusesCallers() async throws {
        let connector = Connector()
        let pool = BlockingPool(capacity: 1) { try connector.connect() }
        _ = try await pool.withConnection { $0.number }
        await pool.close()
        await #expect(throws: PoolClosedError.self) { try await pool.withConnection { $0.number } }
        #expect(pool.usage.idle == 0)
    }
}

private func usleepMilliseconds(_ milliseconds: Int) {
    var remaining = timespec(tv_sec: 0, tv_nsec: milliseconds * 1_000_000)
    nanosleep(&remaining, nil)
}
