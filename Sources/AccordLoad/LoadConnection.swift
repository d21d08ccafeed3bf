import AccordHTTP
import AccordHTTPTypes
import CCurl

/// One keep-alive connection of the load engine: an easy handle owned for the whole run and
/// set up once per distinct request, so the hot path allocates nothing. Bodies are discarded
/// unless the request collects a field from them (then kept, up to `bodyLimit`), and headers
/// are looked at only when the plan records `Server-Timing`.
final class LoadConnection {
    let handle: UnsafeMutableRawPointer
    /// Index of the request the handle is set up for, or -1.
    private(set) var configuredFor = -1
    private var headers: CurlHeaderList?
    /// The configured request's URL, parsed once (libcurl would parse the string per transfer).
    private var parsedURL: OpaquePointer?
    /// When the in-flight request was meant to go (ns from start) and when it went.
    var intended: UInt64 = 0
    var sent: UInt64 = 0
    /// How long the configured request may take before it counts as a timeout (ns, 0: no
    /// limit). The engine enforces it (see `LoadEngine`), not libcurl: a libcurl timeout puts
    /// every transfer in and out of the multi handle's timer tree and moves its timer on
    /// almost every answer, work that costs a load generator a share of its throughput.
    private(set) var timeoutNanoseconds: UInt64 = 0
    /// The in-flight answer's body, when the configured request collects from it.
    fileprivate(set) var body: [UInt8] = []
    private var keepsBody = false
    /// Where templated parts are rendered (kept between requests).
    private var scratch: [UInt8] = []
    /// The in-flight answer's `Server-Timing` phases, when the plan records them.
    fileprivate(set) var phases: [ServerTiming.Phase] = []
    /// Bodies kept for collecting stop growing here (a job's acknowledgement is far smaller).
    static let bodyLimit = 1 << 20

    /// `index` is the connection's number in its engine, kept by libcurl (CURLINFO_PRIVATE).
    init(index: Int, serverTiming: Bool = false) throws(HTTPClientError) {
        guard CurlGlobal.initialized, let handle = curl_easy_init() else { throw .setup("curl_easy_init failed") }
        self.handle = handle
        _ = accord_curl_easy_setopt_pointer(handle, CURLOPT_PRIVATE, UnsafeMutableRawPointer(bitPattern: index + 1))
        // Load goes straight to the target: a proxy would be measured instead, and looking the
        // proxy variables up costs getenv calls on every transfer.
        _ = accord_curl_easy_setopt_string(handle, CURLOPT_NOPROXY, "*")
        _ = accord_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = accord_curl_easy_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        // A load run talks to one target for minutes at most: its address is looked up once
        // and kept, rather than the DNS cache being pruned after every answer (a walk of the
        // cache per request).
        _ = accord_curl_easy_setopt_long(handle, CURLOPT_DNS_CACHE_TIMEOUT, -1)
        _ = accord_curl_easy_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, discardBody)
        if serverTiming {
            _ = accord_curl_easy_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, readServerTiming)
            _ = accord_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, Unmanaged.passUnretained(self).toOpaque())
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        if let parsedURL { curl_url_cleanup(parsedURL) }
    }

    /// The connection number `init(index:)` stored in `easy`, if any.
    static func index(of easy: UnsafeMutableRawPointer) -> Int? {
        var value: UnsafeMutableRawPointer?
        guard accord_curl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &value) == CURLE_OK, let value else { return nil }
        return Int(bitPattern: value) - 1
    }

    /// Sets the handle up for `planned` (number `index` of the plan) unless it already is, and
    /// forgets what the previous answer left; a templated request is rendered anew each time.
    /// False when a source the template draws from has run out: nothing is to be sent.
    func prepare(_ planned: LoadRequest, index: Int, renderer: inout TemplateRenderer) -> Bool {
        if keepsBody { body.removeAll(keepingCapacity: true) }
        if !phases.isEmpty { phases.removeAll(keepingCapacity: true) }
        if configuredFor != index { configure(planned, index: index) }
        guard let template = planned.template else { return true }
        guard renderer.begin(template) else { return false }
        if template.url.contains(where: \.isValue) {
            scratch.removeAll(keepingCapacity: true)
            renderer.render(template.url, into: &scratch)
            setURL(String(decoding: scratch, as: UTF8.self))
        }
        if let pieces = template.body {
            scratch.removeAll(keepingCapacity: true)
            renderer.render(pieces, into: &scratch)
            setBody(scratch)
        }
        if !template.headers.isEmpty {
            var rendered: [(name: String, value: String)] = []
            for header in template.headers {
                scratch.removeAll(keepingCapacity: true)
                renderer.render(header.value, into: &scratch)
                rendered.append((name: header.name, value: String(decoding: scratch, as: UTF8.self)))
            }
            setHeaders(rendered, hasBody: planned.request.body != nil)
        }
        return true
    }

    /// What stays the same for every request of plan request `index`.
    private func configure(_ planned: LoadRequest, index: Int) {
        configuredFor = index
        let request = planned.request
        keepsBody = planned.collect != nil
        _ = accord_curl_easy_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, keepsBody ? keepBody : discardBody)
        _ = accord_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, keepsBody ? Unmanaged.passUnretained(self).toOpaque() : nil)
        setURL(request.url)
        timeoutNanoseconds = UInt64(max(0, request.timeoutMilliseconds)) * 1_000_000
        let method = request.method.uppercased()
        if let body = request.body {
            setBody(body)
            _ = accord_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method == "POST" ? nil : method)
        } else {
            _ = accord_curl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1)
            _ = accord_curl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method == "GET" ? nil : method)
        }
        setHeaders(request.headers, hasBody: request.body != nil)
    }

    /// The URL, parsed once into the handle's `CURLU` (libcurl would parse a string per
    /// transfer); a URL libcurl cannot parse stays a string: the transfer then fails with
    /// libcurl's error.
    private func setURL(_ text: String) {
        if let parsedURL, curl_url_set(parsedURL, CURLUPART_URL, text, 0) == CURLUE_OK {
            _ = accord_curl_easy_setopt_url(handle, parsedURL)
            return
        }
        if let parsedURL {
            _ = accord_curl_easy_setopt_url(handle, nil)
            curl_url_cleanup(parsedURL)
            self.parsedURL = nil
        }
        _ = accord_curl_easy_setopt_string(handle, CURLOPT_URL, text)
        if let url = curl_url(), curl_url_set(url, CURLUPART_URL, text, 0) == CURLUE_OK {
            _ = accord_curl_easy_setopt_url(handle, url)
            parsedURL = url
        }
    }

    /// The body, copied by libcurl (its size first: COPYPOSTFIELDS copies that many bytes).
    private func setBody(_ body: [UInt8]) {
        _ = accord_curl_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
        if body.isEmpty {
            _ = accord_curl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
        } else {
            body.withUnsafeBufferPointer { buffer in
                _ = accord_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            }
        }
    }

    /// The request's own headers and nothing libcurl adds by habit: no "Accept: */*" unless
    /// the request sets one (no Accept means any type, RFC 9110 §12.5.1; wrk sends none, and
    /// libcurl formats the line anew on every request), and no "Expect: 100-continue" round
    /// trip before a body.
    private func setHeaders(_ fields: [(name: String, value: String)], hasBody: Bool) {
        var lines = fields.map { $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" }
        if !fields.contains(where: { $0.name.lowercased() == "accept" }) { lines.append("Accept:") }
        if hasBody { lines.append("Expect:") }
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

/// Keeps the body of a request that collects (up to `LoadConnection.bodyLimit`).
private let keepBody: accord_curl_write_callback = { data, size, count, context in
    guard let data, let context else { return size * count }
    let connection = Unmanaged<LoadConnection>.fromOpaque(context).takeUnretainedValue()
    let room = max(0, LoadConnection.bodyLimit - connection.body.count)
    data.withMemoryRebound(to: UInt8.self, capacity: size * count) { bytes in
        connection.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: min(room, size * count)))
    }
    return size * count
}

/// Picks the `Server-Timing` header out of the answer's header lines.
private let readServerTiming: accord_curl_write_callback = { data, size, count, context in
    guard let data, let context, size * count > 14 else { return size * count }
    let first = UInt8(bitPattern: data[0])
    // Most lines are other headers: one byte tells.
    guard first == UInt8(ascii: "S") || first == UInt8(ascii: "s") else { return size * count }
    let line = data.withMemoryRebound(to: UInt8.self, capacity: size * count) { bytes in
        String(decoding: UnsafeBufferPointer(start: bytes, count: size * count), as: UTF8.self)
    }
    if let value = ServerTiming.value(ofHeaderLine: line[...]) {
        Unmanaged<LoadConnection>.fromOpaque(context).takeUnretainedValue().phases += ServerTiming.parse(value)
    }
    return size * count
}
