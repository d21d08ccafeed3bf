/// Renders a ``LoadTemplate`` per request, on one engine: its own random generator (no
/// system call per value), the run's shared counter and sources, and buffers kept between
/// requests. Within one request every column of a source comes from one row.
struct TemplateRenderer {
    let sources: [ValueSource]
    let counter: SequenceCounter
    var random: FastRandom
    /// Per source: the row drawn for the request being rendered, or -1.
    private var rows: [Int]

    init(sources: [ValueSource], counter: SequenceCounter, seed: UInt64) {
        self.sources = sources
        self.counter = counter
        self.random = FastRandom(seed: seed)
        self.rows = [Int](repeating: -1, count: sources.count)
    }

    /// Forgets the rows of the last request; false when a source the template needs has run
    /// out (a `unique` feeder that does not wrap): the request must not go.
    mutating func begin(_ template: LoadTemplate) -> Bool {
        for index in rows.indices { rows[index] = -1 }
        for source in template.sources {
            guard sources.indices.contains(source), let row = sources[source].draw(&random) else { return false }
            rows[source] = row
        }
        return true
    }

    /// Appends `pieces` rendered to `out`.
    mutating func render(_ pieces: [LoadTemplate.Piece], into out: inout [UInt8]) {
        for piece in pieces {
            switch piece {
            case let .literal(bytes): out += bytes
            case let .value(slot, escaping):
                switch slot {
                case .uuid: Self.appendUUID(random.next(), random.next(), to: &out)
                case .sequence: Self.appendDecimal(counter.next(), to: &out)
                case let .randomInt(low, high): Self.appendDecimal(Int.random(in: low...high, using: &random), to: &out)
                case let .source(source, column):
                    guard sources.indices.contains(source), rows.indices.contains(source), rows[source] >= 0 else { continue }
                    let row = sources[source].rows[rows[source]]
                    guard row.indices.contains(column) else { continue }
                    Self.append(row[column], escaping: escaping, to: &out)
                }
            }
        }
    }

    /// `value` written as `escaping` says.
    static func append(_ value: String, escaping: LoadTemplate.Escaping, to out: inout [UInt8]) {
        switch escaping {
        case .none:
            out += value.utf8
        case .header:
            for byte in value.utf8 where byte != 13 && byte != 10 { out.append(byte) }
        case .percent:
            for byte in value.utf8 {
                if Self.unreserved(byte) {
                    out.append(byte)
                } else {
                    out += [UInt8(ascii: "%"), Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 15)]]
                }
            }
        case .json:
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case 0..<0x20: out += Array("\\u00".utf8) + [Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 15)]]
                default: out.append(byte)
                }
            }
        }
    }

    /// `value` in decimal, without a String in between.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        // Least significant digit first, then that run turned round in place.
        let start = out.count
        var magnitude = value.magnitude
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out[start...].reverse()
    }

    static func unreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): return true
        default: return false
        }
    }

    static let hex = Array("0123456789ABCDEF".utf8)
    private static let lowerHex = Array("0123456789abcdef".utf8)

    /// A version 4 UUID from 128 random bits, canonical lowercase.
    static func appendUUID(_ high: UInt64, _ low: UInt64, to out: inout [UInt8]) {
        let high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        for index in 0..<32 {
            if index == 8 || index == 12 || index == 16 || index == 20 { out.append(UInt8(ascii: "-")) }
            let word = index < 16 ? high : low
            let shift = UInt64(60 - (index % 16) * 4)
            out.append(lowerHex[Int((word >> shift) & 15)])
        }
    }
}

/// xoshiro256** — fast, good enough for drawing test data, seeded once per engine.
struct FastRandom: RandomNumberGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        // SplitMix64 spreads the seed over the state, as the algorithm's authors advise.
        var mix = seed
        func next() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }
}
