import AccordHTTPTypes
import CCurl
import Foundation

/// A libcurl multi handle, owned: runs many transfers at once on the calling thread.
public final class CurlMulti {
    let handle: UnsafeMutableRawPointer

    public init() throws(HTTPClientError) {
        guard CurlGlobal.initialized, let handle = curl_multi_init() else {
            throw .setup("curl_multi_init failed")
        }
        self.handle = handle
    }

    deinit {
        curl_multi_cleanup(handle)
    }

    /// Sends every request at the same time (one connection each) and blocks until all are
    /// answered or failed; results come back in the order of `requests`.
    public func performAll(_ requests: [ClientRequest]) -> [Result<ClientResponse, HTTPClientError>] {
        var results = [Result<ClientResponse, HTTPClientError>](repeating: .failure(.setup("not run")), count: requests.count)
        var easies: [CurlEasy] = []
        var indexByHandle: [UnsafeMutableRawPointer: Int] = [:]
        for (index, request) in requests.enumerated() {
            do throws(HTTPClientError) {
                let easy = try CurlEasy()
                try easy.configure(request)
                guard curl_multi_add_handle(handle, easy.handle) == CURLM_OK else {
                    results[index] = .failure(.setup("curl_multi_add_handle failed"))
                    continue
                }
                easies.append(easy)
                indexByHandle[easy.handle] = index
            } catch {
                results[index] = .failure(error)
            }
        }
        var running: Int32 = 1
        while running > 0 {
            guard curl_multi_perform(handle, &running) == CURLM_OK else { break }
            if running > 0 { _ = curl_multi_poll(handle, nil, 0, 100, nil) }
            var queued: Int32 = 0
            while let message = curl_multi_info_read(handle, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easyHandle = message.pointee.easy_handle,
                    let index = indexByHandle[easyHandle], let easy = easies.first(where: { $0.handle == easyHandle })
                else { continue }
                results[index] = easy.outcome(message.pointee.data.result, timeoutMilliseconds: requests[index].timeoutMilliseconds)
            }
        }
        for easy in easies { curl_multi_remove_handle(handle, easy.handle) }
        return results
    }
}

/// Runs blocking libcurl work on a thread of its own, so that neither Swift's cooperative
/// pool nor an event loop ever waits on the network.
public enum BlockingHTTP {
    /// Performs one request on a fresh handle.
    public static func perform(_ request: ClientRequest) async -> Result<ClientResponse, HTTPClientError> {
        await onThread {
            do throws(HTTPClientError) {
                return try CurlEasy().perform(request)
            } catch {
                return .failure(error)
            }
        }
    }

    /// Performs all requests concurrently (see `CurlMulti.performAll`).
    public static func performAll(_ requests: [ClientRequest]) async -> [Result<ClientResponse, HTTPClientError>] {
        await onThread {
            do throws(HTTPClientError) {
                return try CurlMulti().performAll(requests)
            } catch {
                return requests.map { _ in .failure(error) }
            }
        }
    }

    /// Runs `work` on a new thread of its own and returns its result; shared by the load
    /// engine, whose event loops block in curl_multi_poll.
    package static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.start()
        }
    }
}
