import CLibPQ

extension PGConnection {
    /// Streams `rows` into `sql`, a `COPY … FROM STDIN` statement in text format, and answers
    /// the rows the server stored. Rows are encoded into a buffer of about `bufferBytes` that
    /// is sent whenever it fills, so memory stays flat whatever the row count.
    ///
    /// COPY fires the table's triggers (statement-level ones once, with the whole transition
    /// table), and is all or nothing: one bad row and nothing is stored.
    ///
    /// - Throws: `PGError` when the server refused the data (with its SQLSTATE), when a value
    ///   holds a NUL (text cannot), or when the connection was lost.
    @discardableResult
    public func copyIn(_ sql: String, rows: some Sequence<[String?]>, bufferBytes: Int = 1 << 20) throws(PGError) -> Int {
        guard let started = PQexec(handle, sql) else { throw PGError(message: connectionMessage(), connectionBroken: isBroken) }
        // Owns (frees) the result; kept alive until its status and error have been read.
        let start = PGResult(owning: started)
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            throw PQresultStatus(started) == PGRES_FATAL_ERROR
                ? error(from: started)
                : PGError(message: "\(sql) did not start a COPY FROM STDIN", connectionBroken: false)
        }
        _ = start
        var buffer: [UInt8] = []
        buffer.reserveCapacity(bufferBytes + 4096)
        var failure: PGError?
        for row in rows {
            do throws(PGError) {
                try CopyText.append(row: row, to: &buffer)
            } catch {
                failure = error
                break
            }
            if buffer.count >= bufferBytes {
                guard send(buffer) else { break }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if failure == nil, !buffer.isEmpty { _ = send(buffer) }
        // Ending with an error message makes the server abort the COPY (nothing stored).
        let ended = failure.map { PQputCopyEnd(handle, $0.message) } ?? PQputCopyEnd(handle, nil)
        var outcome: Result<Int, PGError> = ended == 1
            ? .success(0) : .failure(PGError(message: connectionMessage(), connectionBroken: isBroken))
        // The COPY's result, then nil; every result must be read before the next statement.
        while let raw = PQgetResult(handle) {
            let result = PGResult(owning: raw)
            if case .success = outcome {
                outcome = PQresultStatus(raw) == PGRES_COMMAND_OK ? .success(result.affectedRows) : .failure(error(from: raw))
            }
        }
        if let failure { throw failure }
        return try outcome.get()
    }

    /// Sends one buffer of COPY data; false when libpq could not (the error is read at the end).
    private func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { PQputCopyData(handle, $0, Int32(buffer.count)) == 1 }
            } ?? true
        }
    }
}

/// PostgreSQL's COPY text format: columns separated by tabs, rows ended by a newline, NULL as
/// `\N`, and a backslash, tab, newline or carriage return inside a value escaped.
public enum CopyText {
    /// Appends `row` as one line of COPY text.
    ///
    /// - Throws: `PGError` (SQLSTATE 22021) for a value with a NUL, which text cannot hold.
    public static func append(row: [String?], to buffer: inout [UInt8]) throws(PGError) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let value else {
                buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
                continue
            }
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0:
                    throw PGError(
                        sqlstate: "22021", message: "invalid byte sequence for encoding \"UTF8\": 0x00 in a COPY value", connectionBroken: false)
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\n"))
    }
}
