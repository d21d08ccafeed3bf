import CLibPQ

/// The rows of one successful statement, in libpq's text format. Owns its `PGresult` (freed in
/// `deinit`); independent of the connection once returned, but not shared between threads.
public final class PGResult {
    private let handle: OpaquePointer

    /// Takes ownership of `handle`, which must be a successful result.
    init(owning handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQclear(handle)
    }

    /// Rows returned (0 for a statement without RETURNING).
    public var rowCount: Int { Int(PQntuples(handle)) }

    public var columnCount: Int { Int(PQnfields(handle)) }

    /// Rows inserted, updated or deleted by the statement (PQcmdTuples); 0 when not applicable.
    public var affectedRows: Int {
        guard let text = PQcmdTuples(handle) else { return 0 }
        return Int(String(cString: text)) ?? 0
    }

    /// The value at `row`, `column` as text; nil for SQL NULL or a position outside the result.
    public func string(row: Int, column: Int) -> String? {
        guard (0..<rowCount).contains(row), (0..<columnCount).contains(column) else { return nil }
        let r = Int32(row)
        let c = Int32(column)
        guard PQgetisnull(handle, r, c) == 0, let value = PQgetvalue(handle, r, c) else { return nil }
        return String(cString: value)
    }

    /// The value at `row`, `column` as a 64-bit integer; nil for SQL NULL or text that is not
    /// an integer in range.
    public func int64(row: Int, column: Int) -> Int64? {
        string(row: row, column: column).flatMap { Int64($0) }
    }
}
