import Foundation
import AccordJSON
import AccordStorage
import Hummingbird
import Logging
import Synchronization

/// A second API, shaped unlike the control plane, for proving the runner knows nothing of
/// the control plane: tasks at `/v2/tasks` with the id at `$.data.uuid`, rows in `tasks`,
/// stream entries in `tq:*` with the id in field `uuid`, health at `/ready` (204).
///
/// Its faults are chosen by the task's title, so a test knows exactly how many it caused:
/// `…-drop` is stored but never reaches a stream, `…-dup` reaches its stream twice, `…-del`
/// reaches its stream but its row is deleted right after the answer.
public final class TaskAPI: Sendable {
    public let baseURL: String
    /// Every title a create carried, in arrival order.
    public var titles: [String] { received.withLock { $0 } }
    /// Faults caused, by kind: "drop", "dup", "del".
    public var faults: [String: Int] { caused.withLock { $0 } }

    private let received = Mutex<[String]>([])
    private let caused = Mutex<[String: Int]>([:])

    private init(baseURL: String) { self.baseURL = baseURL }

    /// Creates `tasks`, serves until `body` returns, and stops.
    public static func with<T>(databaseURL: String, redisURL: String, _ body: (TaskAPI) async throws -> T) async throws -> T {
        let redisAddress = try RedisURL(parsing: redisURL)
        let postgres = BlockingPool<PGConnection>(capacity: 4) { try PGConnection(url: databaseURL) }
        let redis = BlockingPool<RedisConnection>(capacity: 4) { try RedisConnection(url: redisAddress) }
        _ = try await postgres.withConnection { connection in
            _ = try connection.execute("CREATE TABLE IF NOT EXISTS tasks (uuid text PRIMARY KEY, title text NOT NULL, site text NOT NULL)")
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let state = Mutex<TaskAPI?>(nil)
        let router = Router()
        router.get("/ready") { _, _ in Response(status: .noContent) }
        router.post("/v2/tasks") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 16)
            guard let document = try? JSON.parse(bytes: Array(buffer: bytes)), let title = document["title"]?.stringValue,
                let site = document["site"]?.stringValue
            else { return Response(status: .unprocessableContent) }
            let api = state.withLock { $0 }
            api?.received.withLock { $0.append(title) }
            let uuid = UUID().uuidString.lowercased()
            _ = try await postgres.withConnection { connection in
                _ = try connection.execute("INSERT INTO tasks (uuid, title, site) VALUES ($1, $2, $3)", [uuid, title, site])
            }
            let lane = "tq:" + (site.utf8.count % 2 == 0 ? "even" : "odd")
            let copies = title.hasSuffix("-drop") ? 0 : title.hasSuffix("-dup") ? 2 : 1
            for _ in 0..<copies {
                _ = try await redis.withConnection { connection in _ = try connection.command(["XADD", lane, "*", "uuid", uuid, "title", title]) }
            }
            if title.hasSuffix("-del") {
                _ = try await postgres.withConnection { connection in _ = try connection.execute("DELETE FROM tasks WHERE uuid = $1", [uuid]) }
            }
            for kind in ["drop", "dup", "del"] where title.hasSuffix("-" + kind) { api?.caused.withLock { $0[kind, default: 0] += 1 } }
            let answer = JSON.object([("data", .object([("uuid", .string(uuid)), ("title", .string(title))]))]).serialized()
            return Response(status: .accepted, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        router.get("/v2/tasks/:uuid") { _, context -> Response in
            let uuid = context.parameters.get("uuid") ?? ""
            let found = try await postgres.withConnection { connection in
                try connection.execute("SELECT title FROM tasks WHERE uuid = $1", [uuid]).rowCount
            }
            return Response(status: found == 1 ? .ok : .notFound)
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: testLogger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw TestFailure("the task API did not start")
        }
        let api = TaskAPI(baseURL: "http://127.0.0.1:\(port)")
        state.withLock { $0 = api }
        defer { continuation.finish() }
        do {
            let value = try await body(api)
            task.cancel()
            _ = await task.result
            await postgres.close()
            await redis.close()
            return value
        } catch {
            task.cancel()
            _ = await task.result
            await postgres.close()
            await redis.close()
            throw error
        }
    }
}


