import AccordHTTP
import AccordHTTPTypes
import AccordJSON
import ControlPlane
import Logging

/// A reference server running in this process on a free port, reached over real HTTP.
public struct TestServer {
    public let baseURL: String
    public let server: ControlPlaneServer

    /// Starts a server with `config` (port forced to 0), runs `body`, and always stops it.
    public static func with<T>(_ config: ServerConfig = ServerConfig(store: .memory), _ body: (TestServer) async throws -> T) async throws -> T {
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
    public func send(_ method: String, _ path: String, body: String? = nil, headers: [(name: String, value: String)] = []) async throws -> ClientResponse {
        let request = ClientRequest(method: method, url: baseURL + path, headers: headers, body: body.map { Array($0.utf8) })
        return try await BlockingHTTP.perform(request).get()
    }

    public func get(_ path: String) async throws -> ClientResponse { try await send("GET", path) }

    /// Creates a job with valid defaults, overridden by `query`.
    public func createJob(_ query: String = "domain=example.com&url=https://example.com/&job_type=navigate_extract", body: String? = nil) async throws -> ClientResponse {
        try await send("POST", "/api/v1/jobs?" + query, body: body, headers: body == nil ? [] : [("Content-Type", "application/json")])
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public let testLogger: Logger = {
    var logger = Logger(label: "accord.test") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .critical
    return logger
}()

extension ClientResponse {
    /// The body parsed as JSON (a test failure when it is not).
    public func json() throws -> JSON {
        try JSON.parse(bytes: body)
    }
}
