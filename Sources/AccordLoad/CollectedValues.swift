/// The values a load collected from its answers (a job id per acknowledged create), kept
/// compactly: a canonical lowercase UUID — what the control plane and most APIs hand out —
/// as its 16 bytes rather than a 36-character string on the heap, anything else as the string
/// it was. An hour of creates at 1,000 per second is 58 MB as bytes; as strings it was several
/// times that, and a long run's memory grew with it.
public struct CollectedValues: Sendable {
    private var uuids: [(UInt64, UInt64)] = []
    private var others: [String] = []

    public init() {}

    public var count: Int { uuids.count + others.count }

    public mutating func append(_ value: String) {
        if let bytes = Self.uuid(value) { uuids.append(bytes) } else { others.append(value) }
    }

    public mutating func append(contentsOf other: CollectedValues) {
        uuids += other.uuids
        others += other.others
    }

    /// Every value as it was collected (UUIDs first; the order of collection is not kept).
    public var strings: [String] { uuids.map(Self.text) + others }

    /// The 128 bits of `text` when it is a UUID in canonical lowercase form (8-4-4-4-12 hex
    /// digits), so that ``text(_:)`` gives back exactly `text`; nil otherwise.
    static func uuid(_ text: String) -> (UInt64, UInt64)? {
        let utf8 = text.utf8
        guard utf8.count == 36 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        for (index, byte) in utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = UInt64(byte - UInt8(ascii: "a") + 10)
            default: return nil
            }
            if digits < 16 { high = high << 4 | nibble } else { low = low << 4 | nibble }
            digits += 1
        }
        return (high, low)
    }

    static func text(_ bits: (UInt64, UInt64)) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        for (half, value) in [bits.0, bits.1].enumerated() {
            for digit in 0..<16 {
                let position = half * 16 + digit
                if position == 8 || position == 12 || position == 16 || position == 20 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(hex[Int((value >> UInt64(60 - 4 * digit)) & 0xF)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
