import AccordTestSupport
import AccordHTTP
import AccordHTTPTypes
import AccordLoad
import Testing

/// The engine enforces each request's time limit itself (libcurl is given none): a request
/// unanswered past it ends as a timeout, and its connection is replaced. The server is a
/// `LoopbackListener` that never accepts: the kernel completes the handshakes and keeps what
/// the client sends, and no answer ever comes.
@Suite("Load engine time limits")
struct EngineTimeoutTests {
    @Test func unansweredRequestsEndAsTimeoutsAtTheirLimit() async throws {
        let listener = try LoopbackListener()
        let request = ClientRequest(url: "http://127.0.0.1:\(listener.port)/never", timeoutMilliseconds: 150)
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
        let listener = try LoopbackListener()
        let request = ClientRequest(url: "http://127.0.0.1:\(listener.port)/never", timeoutMilliseconds: 0)
        let plan = LoadPlan(requests: [LoadRequest(request: request)], connections: 1, durationNanoseconds: 300_000_000)
        let result = await LoadRun.run(plan)
        // One request went, nothing came back, and no limit ended it: it is still unanswered
        // when the engine gives up draining.
        #expect(result.sent == 1)
        #expect(result.recorder.completed == 0)
        withExtendedLifetime(listener) {}
    }
}
