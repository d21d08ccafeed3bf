import AccordJSON

/// A feeder file's rows: CSV (a header line names the columns; RFC 4180 quoting, `""` for a
/// quote inside quotes, line breaks inside quotes kept) or JSON Lines (each line an object;
/// the columns are every member name seen, in order of first appearance; strings as they
/// are, other values as JSON text, a missing member as an empty string).
public struct FeederRows: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]

    public init(columns: [String], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }

    /// Why a file could not be read as rows, and on which line (1-based).
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }
    }

    public static func parse(_ text: String, format: Feeder.Format) throws(Problem) -> FeederRows {
        switch format {
        case .csv: return try csv(text)
        case .jsonl: return try jsonLines(text)
        }
    }

    static func csv(_ text: String) throws(Problem) -> FeederRows {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var afterQuote = false
        var line = 1
        var recordLine = 1
        var sawAny = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        func endRecord() {
            fields.append(field)
            // A blank line is no record.
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((line: recordLine, fields: fields)) }
            fields = []
            field = ""
        }
        while let scalar = pending {
            pending = iterator.next()
            sawAny = true
            if quoted {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = iterator.next()
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                guard field.isEmpty, !afterQuote else { throw Problem(line: line, message: "a quote inside an unquoted field (quote the whole field and double the quote)") }
                quoted = true
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
            case "\r" where pending == "\n":
                continue
            case "\n", "\r":
                endRecord()
                afterQuote = false
                line += 1
                recordLine = line
            default:
                guard !afterQuote else { throw Problem(line: line, message: "text after a closing quote") }
                field.unicodeScalars.append(scalar)
            }
        }
        if quoted { throw Problem(line: line, message: "a quoted field is never closed") }
        if sawAny && (!field.isEmpty || !fields.isEmpty) { endRecord() }
        guard let header = records.first else { throw Problem(line: 1, message: "no header line naming the columns") }
        if let duplicate = Dictionary(grouping: header.fields, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw Problem(line: header.line, message: "column '\(duplicate)' is named twice")
        }
        var rows: [[String]] = []
        rows.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            guard record.fields.count == header.fields.count else {
                throw Problem(line: record.line, message: "\(record.fields.count) fields where the header names \(header.fields.count)")
            }
            rows.append(record.fields)
        }
        guard !rows.isEmpty else { throw Problem(line: header.line, message: "no rows after the header") }
        return FeederRows(columns: header.fields, rows: rows)
    }

    static func jsonLines(_ text: String) throws(Problem) -> FeederRows {
        var columns: [String] = []
        var index: [String: Int] = [:]
        var objects: [[(key: String, value: JSON)]] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: [" ", "\t", "\r"])
            if trimmed.isEmpty { continue }
            let value: JSON
            do { value = try JSON.parse(String(trimmed)) } catch { throw Problem(line: number + 1, message: "not JSON: \(error)") }
            guard case let .object(members) = value else { throw Problem(line: number + 1, message: "each line must be a JSON object") }
            for member in members where index[member.key] == nil {
                index[member.key] = columns.count
                columns.append(member.key)
            }
            objects.append(members)
        }
        guard !objects.isEmpty else { throw Problem(line: 1, message: "no rows") }
        let rows = objects.map { members -> [String] in
            var row = [String](repeating: "", count: columns.count)
            for member in members {
                guard let column = index[member.key] else { continue }
                if case let .string(text) = member.value { row[column] = text } else { row[column] = member.value.serialized() }
            }
            return row
        }
        return FeederRows(columns: columns, rows: rows)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> Substring {
        var text = self
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return text
    }
}
