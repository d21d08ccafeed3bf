import AccordHTTP
import AccordLoad
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The engine enforces each request's time limit itself (libcurl is given none): a request
/// unanswered past it ends as a timeout, and its connection is replaced.
@Suite("Load engine time limits")
struct EngineTimeoutTests {
    /// A TCP listener on 127.0.0.1 that never accepts: the kernel completes the handshakes and
    /// keeps what the client sends, and no answer ever comes.
    final class SilentListener {
        let descriptor: Int32
        let port: Int

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            try #require(descriptor >= 0)
            self.descriptor = descriptor
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
            }
            try #require(bound && listen(descriptor, 128) == 0)
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(descriptor) }
    }

    @Test func unansweredRequestsEndAsTimeoutsAtTheirLimit() async throws {
        let listener = try SilentListener()
        let request = HTTPRequestSpec(url: "http://127.0.0.1:\(listener.port)/never", timeoutMilliseconds: 150)
        let plan = LoadPlan(requests: [LoadRequest(request: request)], connections: 2, durationNanoseconds: 700_000_000)
        let result = await LoadRun.run(plan)
        #expect(result.setupError == nil)
        // Every request ended, each as a timeout: nothing was answered, nothing failed otherwise.
        #expect(result.recorder.completed == result.sent)
        #expect(result.recorder.errors == [.timeout: result.sent])
        // Each connection timed out more than once: a timed-out request does not hold its
        // connection, the next one goes out on a fresh connection at once.
        #expect(result.sent >= 4)
        #expect(result.recorder.succeeded == 0)
        withExtendedLifetime(listener) {}
    }

    @Test func aRequestWithoutALimitIsNotTimedOut() async throws {
        let listener = try SilentListener()
        let request = HTTPRequestSpec(url: "http://127.0.0.1:\(listener.port)/never", timeoutMilliseconds: 0)
        let plan = LoadPlan(requests: [LoadRequest(request: request)], connections: 1, durationNanoseconds: 300_000_000)
        let result = await LoadRun.run(plan)
        // One request went, nothing came back, and no limit ended it: it is still unanswered
        // when the engine gives up draining.
        #expect(result.sent == 1)
        #expect(result.recorder.completed == 0)
        withExtendedLifetime(listener) {}
    }
}
