import AccordHTTP
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
        let port: Int
        private let descriptor: Int32
        private let first = Mutex<String?>(nil)

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            try #require(descriptor >= 0)
            self.descriptor = descriptor
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
            }
            try #require(bound && listen(descriptor, 8) == 0)
            port = Int(UInt16(bigEndian: address.sin_port))
            Thread { [self] in self.serve() }.start()
        }

        private func serve() {
            let client = accept(descriptor, nil, nil)
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

        deinit { close(descriptor) }
    }

    static func load(_ request: HTTPRequestSpec) async -> LoadResult {
        await LoadRun.run(LoadPlan(requests: [LoadRequest(request: request)], connections: 1, durationNanoseconds: 200_000_000))
    }

    @Test func aGetCarriesHostAndItsOwnHeadersOnly() async throws {
        let responder = try Responder()
        let result = await Self.load(HTTPRequestSpec(url: "http://127.0.0.1:\(responder.port)/health", headers: [(name: "X-Trace", value: "load")]))
        #expect(result.recorder.completed > 0 && result.recorder.errorCount == 0)
        let request = try #require(responder.firstRequest)
        let lines = request.split(separator: "\r\n").map(String.init)
        #expect(lines.first == "GET /health HTTP/1.1")
        #expect(Set(lines.dropFirst()) == ["Host: 127.0.0.1:\(responder.port)", "X-Trace: load"])
    }

    @Test func anAcceptTheRequestSetsIsSent() async throws {
        let responder = try Responder()
        let result = await Self.load(HTTPRequestSpec(url: "http://127.0.0.1:\(responder.port)/", headers: [(name: "accept", value: "application/json")]))
        #expect(result.recorder.errorCount == 0)
        let request = try #require(responder.firstRequest)
        #expect(request.contains("\r\naccept: application/json\r\n"))
        #expect(!request.contains("*/*"))
    }
}
