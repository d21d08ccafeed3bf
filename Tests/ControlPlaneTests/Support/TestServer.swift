import AccordHTTP
import AccordJSON
import ControlPlane
import Logging

/// A reference server running in this process on a free port, reached over real HTTP.
struct TestServer {
    let baseURL: String
    let server: ControlPlaneServer

    /// Starts a server with `config` (port forced to 0), runs `body`, and always stops it.
    static func with<T>(_ config: ServerConfig = ServerConfig(store: .memory), _ body: (TestServer) async throws -> T) async throws -> T {
        var config = config
        config.port = 0
        config.host = "127.0.0.1"
        let server = try await ControlPlaneServer.start(config: config, logger: testLogger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await server.run { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            _ = await task.result
            throw TestFailure("the server stopped before listening")
        }
        let running = TestServer(baseURL: "http://127.0.0.1:\(port)", server: server)
        do {
            let value = try await body(running)
            task.cancel()
            _ = await task.result
            return value
        } catch {
            task.cancel()
            _ = await task.result
            throw error
        }
    }

    /// Sends one request; `path` may carry a query string.
    func send(_ method: String, _ path: String, body: String? = nil, headers: [(name: String, value: String)] = []) async throws -> HTTPResponseData {
        let request = HTTPRequestSpec(method: method, url: baseURL + path, headers: headers, body: body.map { Array($0.utf8) })
        return try await BlockingHTTP.perform(request).get()
    }

    func get(_ path: String) async throws -> HTTPResponseData { try await send("GET", path) }

    /// Creates a job with valid defaults, overridden by `query`.
    func createJob(_ query: String = "domain=example.com&url=https://example.com/&job_type=navigate_extract", body: String? = nil) async throws -> HTTPResponseData {
        try await send("POST", "/api/v1/jobs?" + query, body: body, headers: body == nil ? [] : [("Content-Type", "application/json")])
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

let testLogger: Logger = {
    var logger = Logger(label: "accord.test") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .critical
    return logger
}()

extension HTTPResponseData {
    /// The body parsed as JSON (a test failure when it is not).
    func json() throws -> JSON {
        try JSON.parse(bytes: body)
    }
}
