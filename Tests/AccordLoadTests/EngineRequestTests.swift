import AccordTestSupport
import AccordHTTP
import AccordHTTPTypes
import AccordLoad
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What the engine puts on the wire: the request's own headers, and none that libcurl adds by
/// habit (`Accept: */*`, `Expect: 100-continue`), read by a one-connection HTTP responder.
@Suite("Load engine requests on the wire")
struct EngineRequestTests {
    /// Accepts one connection, answers every request on it with an empty 200, and keeps the
    /// bytes of the first request.
    final class Responder: Sendable {
        private let listener: LoopbackListener
        private let first = Mutex<String?>(nil)

        var port: Int { listener.port }

        init() throws {
            listener = try LoopbackListener(backlog: 8)
            Thread { [self] in self.serve() }.start()
        }

        private func serve() {
            let client = accept(listener.descriptor, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { return }
                pending += buffer[0..<count]
                // Requests without a body here: each ends with an empty line.
                while let end = pending.firstRange(of: Array("\r\n\r\n".utf8)) {
                    let request = String(decoding: pending[..<end.upperBound], as: UTF8.self)
                    first.withLock { if $0 == nil { $0 = request } }
                    pending.removeSubrange(..<end.upperBound)
                    let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
                    guard answer.withUnsafeBytes({ send(client, $0.baseAddress, $0.count, 0) }) == answer.count else { return }
                }
            }
        }

        var firstRequest: String? { first.withLock { $0 } }
    }

    static func load(_ request: ClientRequest) async -> LoadResult {
        await LoadRun.run(LoadPlan(requests: [LoadRequest(request: request)], connections: 1, durationNanoseconds: 200_000_000))
    }

    @Test func aGetCarriesHostAndItsOwnHeadersOnly() async throws {
        let responder = try Responder()
        let result = await Self.load(ClientRequest(url: "http://127.0.0.1:\(responder.port)/health", headers: [(name: "X-Trace", value: "load")]))
        #expect(result.recorder.completed > 0 && result.recorder.errorCount == 0)
        let request = try #require(responder.firstRequest)
        let lines = request.split(separator: "\r\n").map(String.init)
        #expect(lines.first == "GET /health HTTP/1.1")
        #expect(Set(lines.dropFirst()) == ["Host: 127.0.0.1:\(responder.port)", "X-Trace: load"])
    }

    @Test func anAcceptTheRequestSetsIsSent() async throws {
        let responder = try Responder()
        let result = await Self.load(ClientRequest(url: "http://127.0.0.1:\(responder.port)/", headers: [(name: "accept", value: "application/json")]))
        #expect(result.recorder.errorCount == 0)
        let request = try #require(responder.firstRequest)
        #expect(request.contains("\r\naccept: application/json\r\n"))
        #expect(!request.contains("*/*"))
    }
}
