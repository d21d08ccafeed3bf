/// The lines of a source text, split exactly where libyaml counts a line break (`\n`, `\r\n`,
/// `\r`, and the Unicode NEL, LS and PS), so that a libyaml mark's line and column find the
/// same text the renderer prints. Columns count Unicode scalars, as libyaml's do.
public struct SourceLines: Sendable {
    private let bytes: [UInt8]
    /// Byte ranges of each line's content, without its break.
    private var ranges: [Range<Int>] = []

    public init(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
        var start = 0
        var index = 0
        while index < bytes.count {
            let width = Self.breakWidth(bytes, at: index)
            if width > 0 {
                ranges.append(start..<index)
                index += width
                start = index
            } else {
                index += 1
            }
        }
        ranges.append(start..<bytes.count)
    }

    /// Number of lines; a text ending with a break has an empty last line.
    var count: Int { ranges.count }

    /// The text of 1-based `line` without its break, or nil past the end.
    public func text(ofLine line: Int) -> String? {
        guard line >= 1, line <= ranges.count else { return nil }
        return String(decoding: bytes[ranges[line - 1]], as: UTF8.self)
    }

    /// The byte at `offset`, or nil past the end.
    func byte(at offset: Int) -> UInt8? {
        bytes.indices.contains(offset) ? bytes[offset] : nil
    }

    /// The 1-based line and column (in Unicode scalars) of a byte offset, clamped to the text.
    func position(ofByteOffset offset: Int) -> (line: Int, column: Int) {
        let clamped = min(max(0, offset), bytes.count)
        var low = 0
        var high = ranges.count - 1
        // The last line whose start is at or before the offset.
        while low < high {
            let middle = (low + high + 1) / 2
            if ranges[middle].lowerBound <= clamped { low = middle } else { high = middle - 1 }
        }
        let range = ranges[low]
        let end = min(max(clamped, range.lowerBound), range.upperBound)
        let prefix = String(decoding: bytes[range.lowerBound..<end], as: UTF8.self)
        return (low + 1, prefix.unicodeScalars.count + 1)
    }

    /// How many scalars of 1-based `line` lie from 1-based `column` to the end of its content,
    /// not counting trailing blanks or a trailing ` # comment`; at least 1.
    func spanToEndOfContent(line: Int, column: Int) -> Int {
        guard let text = text(ofLine: line) else { return 1 }
        let scalars = Array(text.unicodeScalars)
        var end = scalars.count
        // A comment starts at a '#' after a blank; quotes on the line are not tracked, which
        // at worst shortens an underline.
        for index in scalars.indices where scalars[index] == "#" {
            if index > 0, scalars[index - 1] == " " || scalars[index - 1] == "\t", index >= column {
                end = index
                break
            }
        }
        while end > 0, scalars[end - 1] == " " || scalars[end - 1] == "\t" { end -= 1 }
        return max(1, end - (column - 1))
    }

    /// The width of the line break starting at `index`, or 0 when there is none.
    static func breakWidth(_ bytes: [UInt8], at index: Int) -> Int {
        switch bytes[index] {
        case 0x0A:
            return 1
        case 0x0D:
            return index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
        case 0xC2:
            return index + 1 < bytes.count && bytes[index + 1] == 0x85 ? 2 : 0
        case 0xE2:
            guard index + 2 < bytes.count, bytes[index + 1] == 0x80 else { return 0 }
            return bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 ? 3 : 0
        default:
            return 0
        }
    }
}
