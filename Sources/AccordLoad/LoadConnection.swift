import AccordHTTP
import AccordHTTPTypes
import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// One keep-alive connection of the load engine: an easy handle owned for the whole run and
/// set up once per distinct request, so the hot path allocates nothing. Bodies are discarded
/// unless the request collects a field from them (then kept, up to `bodyLimit`), and headers
/// are looked at only when the plan records `Server-Timing`.
final class LoadConnection {
    let handle: UnsafeMutableRawPointer
    /// Index of the request the handle is set up for, or -1.
    private(set) var configuredFor = -1
    private var headers: CurlHeaderList?
    private var resolveList: CurlHeaderList?
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
    /// A templated body, where libcurl reads it during the transfer (CURLOPT_POSTFIELDS).
    private let bodyBuffer = OwnedBytes()
    /// A templated request's header lines, and which of them change per request.
    private var headerLines: HeaderLines?
    private var templatedLines: [(index: Int, line: (prefix: [UInt8], value: [LoadTemplate.Piece]))] = []
    /// The in-flight answer's `Server-Timing` phases, when the plan records them.
    fileprivate(set) var phases: [ServerTiming.Phase] = []
    /// Bodies kept for collecting stop growing here (a job's acknowledgement is far smaller).
    static let bodyLimit = 1 << 20

    /// `index` is the connection's number in its engine, kept by libcurl (CURLINFO_PRIVATE).
    init(index: Int, serverTiming: Bool = false) throws(HTTPClientError) {
        guard CurlGlobal.initialized, let handle = curl_easy_init() else { throw .setup("curl_easy_init failed") }
        self.handle = handle
        _ = accord_curl_easy_setopt_pointer(handle, CURLOPT_PRIVATE, UnsafeMutableRawPointer(bitPattern: index + 1))
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
        // The hot path of a templated load: no String, no allocation once the buffers have
        // grown to the largest request.
        if let query = template.query, let parsedURL {
            // Only the query changes: libcurl parses just that part.
            scratch.removeAll(keepingCapacity: true)
            renderer.render(query, into: &scratch)
            scratch.append(0)
            let set = scratch.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { curl_url_set(parsedURL, CURLUPART_QUERY, $0.baseAddress, 0) == CURLUE_OK }
            }
            if set { _ = accord_curl_easy_setopt_url(handle, parsedURL) }
        } else if template.urlChanges {
            scratch.removeAll(keepingCapacity: true)
            renderer.render(template.url, into: &scratch)
            scratch.append(0)
            let parsed = parsedURL.map { url in
                scratch.withUnsafeBufferPointer { bytes in
                    bytes.withMemoryRebound(to: CChar.self) { curl_url_set(url, CURLUPART_URL, $0.baseAddress, 0) == CURLUE_OK }
                }
            } ?? false
            if parsed, let parsedURL {
                _ = accord_curl_easy_setopt_url(handle, parsedURL)
            } else {
                setURL(String(decoding: scratch.dropLast(), as: UTF8.self))
            }
        }
        if let pieces = template.body {
            scratch.removeAll(keepingCapacity: true)
            renderer.render(pieces, into: &scratch)
            bodyBuffer.store(scratch)
            _ = accord_curl_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(scratch.count))
            _ = accord_curl_easy_setopt_pointer(handle, CURLOPT_POSTFIELDS, bodyBuffer.pointer)
        }
        if let lines = headerLines {
            for (index, line) in templatedLines {
                scratch.removeAll(keepingCapacity: true)
                scratch += line.prefix
                renderer.render(line.value, into: &scratch)
                lines.set(index, scratch)
            }
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
        // Proxy (none unless the run names one: no getenv per transfer), TLS, --resolve.
        resolveList = TransportSetup.apply(request.transport, to: handle)
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
        headerLines = nil
        templatedLines = []
        if let template = planned.template, !template.headers.isEmpty {
            // Header lines in memory of our own, the templated ones rewritten in place per
            // request (a new curl_slist per request is an allocation per line).
            let lines = Self.headerLines(template.headers.map { (name: $0.name, value: $0.value.isEmpty ? "" : "x") }, hasBody: request.body != nil)
            let owned = HeaderLines(count: lines.count)
            for (index, line) in lines.enumerated() { owned.set(index, Array(line.utf8)) }
            for (index, header) in template.headers.enumerated() where header.value.contains(where: \.isValue) {
                templatedLines.append((index, (prefix: Array("\(header.name): ".utf8), value: header.value)))
            }
            for (index, header) in template.headers.enumerated() where !header.value.contains(where: \.isValue) {
                let value = header.value.reduce(into: [UInt8]()) { bytes, piece in if case let .literal(literal) = piece { bytes += literal } }
                owned.set(index, value.isEmpty ? Array("\(header.name);".utf8) : Array("\(header.name): ".utf8) + value)
            }
            _ = accord_curl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, owned.pointer)
            headerLines = owned
            headers = nil
        }
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
        let list = CurlHeaderList(Self.headerLines(fields, hasBody: hasBody))
        _ = accord_curl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, list.pointer)
        headers = list
    }

    static func headerLines(_ fields: [(name: String, value: String)], hasBody: Bool) -> [String] {
        var lines = fields.map { $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" }
        if !fields.contains(where: { $0.name.lowercased() == "accept" }) { lines.append("Accept:") }
        if hasBody { lines.append("Expect:") }
        return lines
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

/// Bytes at a stable address libcurl may read until the next `store`.
final class OwnedBytes {
    private(set) var pointer: UnsafeMutableRawPointer?
    private var capacity = 0

    func store(_ bytes: [UInt8]) {
        if bytes.count > capacity || pointer == nil {
            let size = max(64, bytes.count)
            guard let grown = realloc(pointer, size) else { return }
            pointer = grown
            capacity = size
        }
        guard let pointer else { return }
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: bytes.count) }
        }
    }

    deinit { free(pointer) }
}

/// A `curl_slist` whose nodes and text this object owns, so a line can be rewritten in place
/// between transfers without an allocation (libcurl only reads the list while sending).
final class HeaderLines {
    let pointer: UnsafeMutablePointer<curl_slist>
    private var text: [UnsafeMutablePointer<CChar>?]
    private var capacities: [Int]

    init(count: Int) {
        pointer = .allocate(capacity: max(1, count))
        text = Array(repeating: nil, count: count)
        capacities = Array(repeating: 0, count: count)
        for index in 0..<max(1, count) {
            (pointer + index).initialize(to: curl_slist(data: nil, next: index + 1 < count ? pointer + index + 1 : nil))
        }
    }

    /// Line `index` becomes `bytes` (without CR or LF).
    func set(_ index: Int, _ bytes: [UInt8]) {
        guard text.indices.contains(index) else { return }
        if bytes.count + 1 > capacities[index] {
            let size = max(64, bytes.count + 1)
            guard let grown = realloc(text[index], size) else { return }
            text[index] = grown.assumingMemoryBound(to: CChar.self)
            capacities[index] = size
        }
        guard let line = text[index] else { return }
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { UnsafeMutableRawPointer(line).copyMemory(from: base, byteCount: bytes.count) }
        }
        line[bytes.count] = 0
        pointer[index].data = line
    }

    deinit {
        for line in text { free(line) }
        pointer.deinitialize(count: max(1, text.count))
        pointer.deallocate()
    }
}
