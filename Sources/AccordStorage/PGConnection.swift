import CLibPQ

/// One libpq connection (`PGconn`), opened in `init` and closed in `deinit`.
///
/// `@unchecked Sendable` because a `BlockingPool` lends it to one caller at a time, on one
/// thread: libpq connections are safe to move between threads, never to share.
///
/// ```swift
/// let connection = try PGConnection(url: "postgres://accord@127.0.0.1:5432/accord")
/// let result = try connection.execute("SELECT status FROM jobs WHERE id = $1", [id])
/// result.string(row: 0, column: 0)   // "pending"
/// ```
public final class PGConnection: BlockingConnection, @unchecked Sendable {
    let handle: OpaquePointer
    /// Statements prepared on this connection, by their SQL (see `executePrepared`).
    private var preparedNames: [String: String] = [:]

    /// Opens a connection to `url` (a `postgres://` URL or a `key=value` connection string).
    ///
    /// `connect_timeout=5` and `application_name=accord-serve` are defaults that the URL's own
    /// parameters override.
    public init(url: String) throws(PGError) {
        // Keywords before `dbname` are overridden by what the expanded URL sets.
        let keywords = ["connect_timeout", "application_name", "dbname"]
        let values = ["5", "accord-serve", url]
        let opened = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let opened else {
            throw PGError(message: "libpq could not allocate a connection", connectionBroken: true)
        }
        guard PQstatus(opened) == CONNECTION_OK else {
            let message = PQerrorMessage(opened).map { String(cString: $0) } ?? ""
            PQfinish(opened)
            throw PGError(message: message.trimmingLibPQMessage(), connectionBroken: true)
        }
        handle = opened
        // libpq prints NOTICEs ("relation already exists, skipping") to stderr by default;
        // they are informational for our statements and would only clutter the server's output.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit {
        PQfinish(handle)
    }

    /// True once the connection was lost; the pool then closes it instead of reusing it.
    public var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

    /// Reads, without blocking, whatever the server sent while the connection sat idle, and
    /// answers whether the connection is still usable. A connection the server has closed
    /// (restart, `pg_terminate_backend`, idle timeout) is found out here, before a statement
    /// is sent on it, so the caller can retry on another one without risk of running it twice.
    public func isAlive() -> Bool {
        guard PQstatus(handle) == CONNECTION_OK else { return false }
        // A terminated backend sends a FATAL error and then closes the socket: the first read
        // takes the message, the next one sees the end of the stream.
        for _ in 0..<2 {
            guard PQconsumeInput(handle) != 0 else { return false }
            _ = PQisBusy(handle)  // parses what was read, which may mark the connection bad
        }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Runs one statement with `$1…$n` bound to `params` (text format; nil is SQL NULL) and
    /// returns its rows in text format. Values are never spliced into `sql`.
    ///
    /// - Throws: `PGError` with the server's SQLSTATE when the statement failed, or with
    ///   `connectionBroken` set when the connection was lost.
    @discardableResult
    public func execute(_ sql: String, _ params: [String?] = []) throws(PGError) -> PGResult {
        // libpq takes NUL-terminated strings: a NUL inside a value would silently cut it short.
        // PostgreSQL's text cannot hold NUL either, so refuse it as the server would.
        for param in params where param?.utf8.contains(0) == true {
            throw PGError(
                sqlstate: "22021", message: "invalid byte sequence for encoding \"UTF8\": 0x00 in a parameter",
                connectionBroken: false)
        }
        let raw = withOptionalCStringArray(params) { values in
            PQexecParams(handle, sql, Int32(params.count), nil, values, nil, nil, 0)
        }
        guard let raw else {
            // A null result means libpq could not even send the statement (out of memory, or
            // the connection is gone).
            throw PGError(message: connectionMessage(), connectionBroken: isBroken)
        }
        let result = PGResult(owning: raw)
        let status = PQresultStatus(raw)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw error(from: raw)
        }
        return result
    }

    /// Like `execute`, through a prepared statement: `sql` is parsed and planned once per
    /// connection (named `accord_<n>` on first use), then only executed — for statements run
    /// thousands of times a second, where planning would cost more than running.
    @discardableResult
    public func executePrepared(_ sql: String, _ params: [String?] = []) throws(PGError) -> PGResult {
        let name: String
        if let known = preparedNames[sql] {
            name = known
        } else {
            name = "accord_\(preparedNames.count + 1)"
            guard let raw = PQprepare(handle, name, sql, Int32(params.count), nil) else {
                throw PGError(message: connectionMessage(), connectionBroken: isBroken)
            }
            let prepared = PGResult(owning: raw)
            guard PQresultStatus(raw) == PGRES_COMMAND_OK else { throw error(from: raw) }
            _ = prepared
            preparedNames[sql] = name
        }
        for param in params where param?.utf8.contains(0) == true {
            throw PGError(
                sqlstate: "22021", message: "invalid byte sequence for encoding \"UTF8\": 0x00 in a parameter",
                connectionBroken: false)
        }
        let raw = withOptionalCStringArray(params) { values in
            PQexecPrepared(handle, name, Int32(params.count), values, nil, nil, 0)
        }
        guard let raw else { throw PGError(message: connectionMessage(), connectionBroken: isBroken) }
        let result = PGResult(owning: raw)
        let status = PQresultStatus(raw)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw error(from: raw) }
        return result
    }

    /// Runs `body` inside BEGIN … COMMIT; rolls back when `body` or the commit throws.
    public func transaction<T>(_ body: () throws(PGError) -> T) throws(PGError) -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            // The original error matters; a failed rollback only means the connection is
            // gone, which `isBroken` already reports to the pool.
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    func error(from result: OpaquePointer) -> PGError {
        let sqlstate = PQresultErrorField(result, DiagnosticField.sqlstate).map { String(cString: $0) }
        var message = PQresultErrorField(result, DiagnosticField.primaryMessage).map { String(cString: $0) } ?? ""
        if message.isEmpty {
            message = PQresultErrorMessage(result).map { String(cString: $0) } ?? ""
        }
        if message.isEmpty { message = connectionMessage() }
        return PGError(sqlstate: sqlstate, message: message.trimmingLibPQMessage(), connectionBroken: isBroken)
    }

    func connectionMessage() -> String {
        (PQerrorMessage(handle).map { String(cString: $0) } ?? "").trimmingLibPQMessage()
    }
}

/// libpq's `PG_DIAG_*` field codes are character-literal macros, which Swift does not import.
private enum DiagnosticField {
    /// PG_DIAG_SQLSTATE
    static let sqlstate = Int32(UInt8(ascii: "C"))
    /// PG_DIAG_MESSAGE_PRIMARY
    static let primaryMessage = Int32(UInt8(ascii: "M"))
}

/// Calls `body` with a NULL-terminated C array of copies of `strings` (PQconnectdbParams's
/// keyword and value lists end at the first null pointer), freed afterwards.
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    withOptionalCStringArray(strings.map { Optional($0) } + [nil], body)
}

/// Like `withCStringArray`, with nil elements passed as null pointers (libpq's SQL NULL).
private func withOptionalCStringArray<R>(
    _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R
) -> R {
    let copies: [UnsafeMutableBufferPointer<CChar>?] = strings.map { string in
        string.map { string in
            let text = string.utf8CString  // NUL-terminated
            let copy = UnsafeMutableBufferPointer<CChar>.allocate(capacity: text.count)
            _ = copy.initialize(from: text)
            return copy
        }
    }
    defer { for copy in copies { copy?.deallocate() } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0?.baseAddress.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { buffer in
        // An empty array still needs a valid base address for libpq's nParams = 0.
        guard let base = buffer.baseAddress else {
            var none: UnsafePointer<CChar>? = nil
            return withUnsafePointer(to: &none) { body($0) }
        }
        return body(base)
    }
}

