import AccordHTTP
import CCurl

/// One keep-alive connection of the load engine: an easy handle owned for the whole run and
/// set up once per distinct request, so the hot path allocates nothing. Bodies are counted,
/// not kept.
final class LoadConnection {
    let handle: UnsafeMutableRawPointer
    /// Index of the request the handle is set up for, or -1.
    private(set) var configuredFor = -1
    private var headers: CurlHeaderList?
    /// When the in-flight request was meant to go (ns from start) and when it went.
    var intended: UInt64 = 0
    var sent: UInt64 = 0

    init() throws(HTTPClientError) {
        guard CurlGlobal.initialized, let handle = curl_easy_init() else { throw .setup("curl_easy_init failed") }
        self.handle = handle
        _ = accord_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = accord_curl_easy_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        _ = accord_curl_easy_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, discardBody)
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// Sets the handle up for `request` (number `index` of the plan) unless it already is.
    func configure(_ request: HTTPRequestSpec, index: Int) {
        guard configuredFor != index else { return }
        configuredFor = index
        _ = accord_curl_easy_setopt_string(handle, CURLOPT_URL, request.url)
        _ = accord_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeoutMilliseconds)
        let method = request.method.uppercased()
        if let body = request.body {
            _ = accord_curl_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            if body.isEmpty {
                _ = accord_curl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                body.withUnsafeBufferPointer { buffer in
                    _ = accord_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
                }
            }
            _ = accord_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method == "POST" ? nil : method)
        } else {
            _ = accord_curl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1)
            _ = accord_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method == "GET" ? nil : method)
        }
        var lines = request.headers.map { $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" }
        lines.append("Expect:")
        let list = CurlHeaderList(lines)
        _ = accord_curl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, list.pointer)
        headers = list
    }

    /// The status of the finished transfer (0 when none arrived).
    var status: Int {
        var code = 0
        return accord_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK ? code : 0
    }
}

/// Load bodies are not inspected: accept every byte and keep none.
private let discardBody: accord_curl_write_callback = { _, size, count, _ in size * count }
