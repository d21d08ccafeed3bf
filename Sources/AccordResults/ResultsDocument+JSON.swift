import Foundation

extension ResultsDocument {
    /// `results.json` / `--json`: pretty, keys sorted, so two runs diff line by line.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Why a results file could not be read back.
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Reads `results.json` back, refusing other documents and other versions with a reason.
    public static func read(_ data: Data, path: String) throws(ReadError) -> ResultsDocument {
        struct Header: Decodable {
            var format: String?
            var version: Int?
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw ReadError(description: "\(path): not a JSON object")
        }
        let version = header.version.map(String.init) ?? "missing"
        // The formats this document replaced: named, with what to do.
        if let old = header.format, ["accord-run-results", "accord-check-results"].contains(old) {
            throw ReadError(
                description: "\(path): '\(old)' version \(version) is an older results format; this accord reads '\(formatName)' version "
                    + "\(currentVersion) only: re-run the checks or the run with this accord, or read the file with the accord that wrote it")
        }
        guard header.format == formatName else {
            throw ReadError(description: "\(path): not an accord results document (format is \(header.format.map { "'\($0)'" } ?? "missing"), expected '\(formatName)')")
        }
        guard header.version == currentVersion else {
            throw ReadError(description: "\(path): results version \(version) is not supported (this accord reads version \(currentVersion) of '\(formatName)')")
        }
        do {
            return try JSONDecoder().decode(ResultsDocument.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ReadError(description: "\(path): missing '\(key.stringValue)' at \(Self.path(context.codingPath))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw ReadError(description: "\(path): wrong type at \(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            throw ReadError(description: "\(path): invalid at \(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw ReadError(description: "\(path): \(error)")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
