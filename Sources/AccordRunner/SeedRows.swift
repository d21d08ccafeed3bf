import AccordSpec

/// One seed table's rows as text, and the stream entries that match them: a pure function of
/// the row number, the clock reading it was given and the random numbers it draws, so a
/// seeded generator makes the same rows every time.
///
/// ```
/// row 0: ["3f2c…-4…", "pending", "2", "2026-12-01T09:12:01.123456Z"]
/// XADD queue:pending * id 3f2c…-4…
/// ```
struct SeedRows<Random: RandomNumberGenerator> {
    let table: SeedTable
    /// The instant ages count back from, in microseconds since the epoch.
    let nowMicroseconds: Int64
    var random: Random
    private let generators: [Compiled]
    private let streams: [CompiledStream]

    /// A generator with its choice weights summed and its templates' names resolved to
    /// column positions once, not per row.
    private enum Compiled {
        case constant(String?)
        case sequence(Int)
        case uuid
        case choice(values: [String], cumulative: [Int], total: Int)
        case age(ClosedRange<Int64>)
        case template([Piece])
    }

    private enum Piece {
        case literal(String)
        case column(Int)
        case uuid
        case randomInt(ClosedRange<Int>)
        case sequence
    }

    private struct CompiledStream {
        var key: [Piece]
        var filter: [(column: Int, value: String)]
        var fields: [(name: String, value: [Piece])]
    }

    init(table: SeedTable, nowMicroseconds: Int64, random: Random) {
        self.table = table
        self.nowMicroseconds = nowMicroseconds
        self.random = random
        let names = table.columns.map(\.name)
        func pieces(_ template: Template) -> [Piece] {
            template.parts.map { part in
                switch part {
                case let .literal(text): .literal(text)
                // The decoder admits only known columns; an unknown one renders empty.
                case let .variable(name): names.firstIndex(of: name).map { .column($0) } ?? .literal("")
                case .uuid: .uuid
                case let .randomInt(low, high): .randomInt(low...high)
                case .sequence: .sequence
                case .environment: .literal("")
                }
            }
        }
        generators = table.columns.map { column in
            switch column.generator {
            case let .constant(value): return .constant(value)
            case let .sequence(start): return .sequence(start)
            case .uuid: return .uuid
            case let .choice(choices):
                var sum = 0
                let cumulative = choices.map { choice in
                    sum += choice.weight
                    return sum
                }
                return .choice(values: choices.map(\.value), cumulative: cumulative, total: sum)
            case let .age(range): return .age(range)
            case let .template(template): return .template(pieces(template))
            }
        }
        streams = table.streams.map { stream in
            CompiledStream(
                key: pieces(stream.key),
                filter: stream.filter.compactMap { filter in names.firstIndex(of: filter.column).map { (column: $0, value: filter.value) } },
                fields: stream.fields.map { (name: $0.name, value: pieces($0.value)) })
        }
    }

    /// Row `n` (0-based): one value per column, in the declared order; nil is NULL.
    mutating func row(_ n: Int) -> [String?] {
        var values: [String?] = []
        values.reserveCapacity(generators.count)
        for generator in generators {
            switch generator {
            case let .constant(value): values.append(value)
            case let .sequence(start): values.append(String(start + n))
            case .uuid: values.append(Self.uuid(&random))
            case let .choice(choices, cumulative, total):
                let draw = Int.random(in: 0..<total, using: &random)
                let index = cumulative.firstIndex { draw < $0 } ?? (choices.count - 1)
                values.append(choices[index])
            case let .age(range):
                let ageMilliseconds = Int64.random(in: range, using: &random)
                let microseconds = Int64.random(in: 0..<1000, using: &random)
                values.append(Self.iso8601(microseconds: nowMicroseconds - ageMilliseconds * 1000 - microseconds))
            case let .template(pieces):
                values.append(render(pieces, row: n, values: values))
            }
        }
        return values
    }

    /// The `XADD key * field value …` commands for `row`: one per declared stream it matches.
    mutating func streamCommands(for row: [String?], number n: Int) -> [[String]] {
        var commands: [[String]] = []
        for stream in streams where stream.filter.allSatisfy({ row[$0.column] == $0.value }) {
            var command = ["XADD", render(stream.key, row: n, values: row), "*"]
            for field in stream.fields {
                command.append(field.name)
                command.append(render(field.value, row: n, values: row))
            }
            commands.append(command)
        }
        return commands
    }

    /// `{{seq}}` is the row's number counted from 1; a NULL column renders empty.
    private mutating func render(_ pieces: [Piece], row n: Int, values: [String?]) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case let .literal(text): out += text
            case let .column(index): out += values.indices.contains(index) ? values[index] ?? "" : ""
            case .uuid: out += Self.uuid(&random)
            case let .randomInt(range): out += String(Int.random(in: range, using: &random))
            case .sequence: out += String(n + 1)
            }
        }
        return out
    }

    /// A random version-4 UUID, lower-case: `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`.
    static func uuid(_ random: inout Random) -> String {
        let high = (random.next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (random.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        for (word, dashes) in [(high, [8, 12]), (low, [0, 4])] {
            for index in 0..<16 {
                if dashes.contains(index) { bytes.append(UInt8(ascii: "-")) }
                bytes.append(digits[Int((word >> UInt64(60 - 4 * index)) & 0xF)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `2026-12-01T09:12:01.123456Z` (proleptic Gregorian, UTC) without the C library: days
    /// to a civil date by Howard Hinnant's algorithm.
    static func iso8601(microseconds: Int64) -> String {
        let perDay: Int64 = 86_400_000_000
        let days = microseconds >= 0 ? microseconds / perDay : (microseconds - perDay + 1) / perDay
        let ofDay = microseconds - days * perDay
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let seconds = ofDay / 1_000_000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):"
            + "\(pad(seconds % 60, 2)).\(pad(ofDay % 1_000_000, 6))Z"
    }
}

/// wyrand: a fast, well-mixed generator for seeding (the system's draws a syscall each time,
/// which a million rows of several draws each would feel).
struct SeedRandom: RandomNumberGenerator {
    var state: UInt64

    init(state: UInt64) { self.state = state }

    mutating func next() -> UInt64 {
        state &+= 0xA076_1D64_78BD_642F
        let product = state.multipliedFullWidth(by: state ^ 0xE703_7ED1_A0B4_28DB)
        return product.high ^ product.low
    }
}
