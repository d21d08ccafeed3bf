import CZlib
import Foundation

/// HdrHistogram's standard compressed encoding (the "V2 compressed" form every HdrHistogram
/// implementation reads: Java, C, Go, Python's `hdrhistogram`), base64 text starting `HISTF…`.
/// A second of latency fits in a few hundred bytes, and adding two decoded histograms gives
/// exactly the histogram of all their samples — what per-second series and merged shards need.
///
/// Layout (big-endian): the compressed cookie `0x1c849314`, the zlib stream's length, then
/// the zlib-deflated V2 encoding: cookie `0x1c849313`, payload length, normalizing index offset
/// (0), significant digits, lowest discernible value, highest trackable value, the
/// integer-to-double ratio (1.0), and the counts array as ZigZag LEB128 numbers, a run of
/// zero counts written as its negated length.
///
/// ```swift
/// let text = HistogramEncoding.encode([(value: 1000, count: 97), (value: 48_000, count: 3)], highestTrackableValue: 600_000_000)
/// // "HISTFAAAAC...": HdrHistogram's tools read it
/// let back = try HistogramEncoding.decode(text)   // the same counts, bucket by bucket
/// ```
public enum HistogramEncoding {
    static let compressedCookie: UInt32 = 0x1c84_9314
    static let cookie: UInt32 = 0x1c84_9313
    /// The bucket layout of every histogram accord records: 1 µs to the highest trackable
    /// value at three significant digits.
    public static let significantDigits = 3

    /// Why a text is not a histogram this encoding reads.
    public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The base64 text of a histogram whose recorded values are `counts` (any value of a
    /// bucket stands for the bucket; zero counts are skipped).
    public static func encode(_ counts: [(value: UInt64, count: UInt64)], highestTrackableValue: UInt64) -> String {
        let layout = Layout(digits: significantDigits)
        var byIndex: [Int: UInt64] = [:]
        for (value, count) in counts where count > 0 { byIndex[layout.index(of: max(1, value)), default: 0] &+= count }
        var payload: [UInt8] = []
        var index = 0
        let last = byIndex.keys.max() ?? -1
        while index <= last {
            let count = byIndex[index] ?? 0
            if count == 0 {
                var zeros = 1
                while index + zeros <= last, (byIndex[index + zeros] ?? 0) == 0 { zeros += 1 }
                if zeros > 1 { putZigZag(-Int64(zeros), into: &payload) } else { putZigZag(0, into: &payload) }
                index += zeros
            } else {
                putZigZag(Int64(clamping: count), into: &payload)
                index += 1
            }
        }
        var plain: [UInt8] = []
        put32(cookie, into: &plain)
        put32(UInt32(payload.count), into: &plain)
        put32(0, into: &plain)  // normalizing index offset
        put32(UInt32(significantDigits), into: &plain)
        put64(1, into: &plain)  // lowest discernible value
        put64(max(2, highestTrackableValue), into: &plain)
        put64((1.0).bitPattern, into: &plain)
        plain += payload
        let deflated = deflate(plain)
        var whole: [UInt8] = []
        put32(compressedCookie, into: &whole)
        put32(UInt32(deflated.count), into: &whole)
        whole += deflated
        return Data(whole).base64EncodedString()
    }

    /// The counts of an encoded histogram, one entry per non-empty bucket (the bucket's lowest
    /// value), ascending, and its highest trackable value.
    public static func decode(_ text: String) throws(DecodeError) -> (counts: [(value: UInt64, count: UInt64)], highestTrackableValue: UInt64) {
        guard let data = Data(base64Encoded: text) else { throw DecodeError(description: "not base64") }
        let bytes = [UInt8](data)
        guard bytes.count >= 8, read32(bytes, at: 0) == compressedCookie else {
            throw DecodeError(description: "not HdrHistogram's compressed encoding (cookie 0x1c849314)")
        }
        let length = Int(read32(bytes, at: 4))
        guard length <= bytes.count - 8 else { throw DecodeError(description: "the compressed length \(length) exceeds the data") }
        guard let plain = inflate(Array(bytes[8..<(8 + length)])) else { throw DecodeError(description: "the zlib stream is damaged") }
        guard plain.count >= 40, read32(plain, at: 0) == cookie else { throw DecodeError(description: "not a V2 histogram (cookie 0x1c849313)") }
        let payloadLength = Int(read32(plain, at: 4))
        let offset = read32(plain, at: 8)
        let digits = Int(read32(plain, at: 12))
        let lowest = read64(plain, at: 16)
        let highest = read64(plain, at: 24)
        guard offset == 0, digits >= 1, digits <= 5, lowest == 1, payloadLength <= plain.count - 40 else {
            throw DecodeError(description: "an unsupported histogram layout (offset \(offset), \(digits) digits, lowest \(lowest))")
        }
        let layout = Layout(digits: digits)
        var counts: [(value: UInt64, count: UInt64)] = []
        var cursor = 40
        let end = 40 + payloadLength
        var index = 0
        while cursor < end {
            guard let number = getZigZag(plain, at: &cursor, end: end) else { throw DecodeError(description: "a count is cut short") }
            if number < 0 {
                guard number > -Int64(Int32.max) else { throw DecodeError(description: "an impossible run of zeros") }
                index += Int(-number)
            } else {
                if number > 0 {
                    guard let value = layout.value(at: index) else { throw DecodeError(description: "a count beyond 64-bit values") }
                    counts.append((value, UInt64(number)))
                }
                index += 1
            }
        }
        return (counts, highest)
    }

    // MARK: Bucket layout (HdrHistogram's, for lowest discernible value 1)

    struct Layout {
        let subBucketHalfCountMagnitude: Int
        var subBucketHalfCount: Int { 1 << subBucketHalfCountMagnitude }
        var subBucketMask: UInt64 { UInt64((1 << (subBucketHalfCountMagnitude + 1)) - 1) }

        init(digits: Int) {
            var largest = 2
            for _ in 0..<digits { largest *= 10 }
            // ceil(log2(2 × 10^digits)), at least 1
            var magnitude = 0
            while (1 << magnitude) < largest { magnitude += 1 }
            subBucketHalfCountMagnitude = max(magnitude, 1) - 1
        }

        func index(of value: UInt64) -> Int {
            let bucket = (64 - subBucketHalfCountMagnitude - 1) - (value | subBucketMask).leadingZeroBitCount
            let subBucket = Int(value >> UInt64(bucket))
            return ((bucket + 1) << subBucketHalfCountMagnitude) + (subBucket - subBucketHalfCount)
        }

        func value(at index: Int) -> UInt64? {
            var bucket = (index >> subBucketHalfCountMagnitude) - 1
            var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
            if bucket < 0 {
                subBucket -= subBucketHalfCount
                bucket = 0
            }
            guard bucket + subBucketHalfCountMagnitude + 1 <= 64 else { return nil }
            return UInt64(subBucket) << UInt64(bucket)
        }
    }

    // MARK: Bytes

    static func putZigZag(_ value: Int64, into bytes: inout [UInt8]) {
        var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        // HdrHistogram's LEB128 stops at 9 bytes: the ninth carries 8 bits.
        for _ in 0..<8 {
            if zigzag < 0x80 {
                bytes.append(UInt8(zigzag))
                return
            }
            bytes.append(UInt8(zigzag & 0x7F) | 0x80)
            zigzag >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: zigzag))
    }

    static func getZigZag(_ bytes: [UInt8], at cursor: inout Int, end: Int) -> Int64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        for position in 0..<9 {
            guard cursor < end else { return nil }
            let byte = bytes[cursor]
            cursor += 1
            if position == 8 {
                result |= UInt64(byte) << 56
                break
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return Int64(bitPattern: (result >> 1) ^ (0 &- (result & 1)))
    }

    static func put32(_ value: UInt32, into bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func put64(_ value: UInt64, into bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    static func read32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { ($0 << 8) | UInt32($1) }
    }

    static func read64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset..<(offset + 8)].reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// zlib's format (header and checksum), as Java's `Deflater` writes it.
    static func deflate(_ input: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(size))
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { inp in compress2(out.baseAddress, &size, inp.baseAddress, uLong(inp.count), Z_DEFAULT_COMPRESSION) }
        }
        // compressBound is always enough; a failure here would be zlib's own bug.
        guard status == Z_OK else { return [] }
        return Array(output.prefix(Int(size)))
    }

    /// Inflates a zlib stream, growing the buffer as needed up to 64 MiB; nil when damaged.
    static func inflate(_ input: [UInt8]) -> [UInt8]? {
        var capacity = max(1024, input.count * 8)
        while capacity <= 64 << 20 {
            var size = uLong(capacity)
            var output = [UInt8](repeating: 0, count: capacity)
            let status = output.withUnsafeMutableBufferPointer { out in
                input.withUnsafeBufferPointer { inp in uncompress(out.baseAddress, &size, inp.baseAddress, uLong(inp.count)) }
            }
            if status == Z_OK { return Array(output.prefix(Int(size))) }
            guard status == Z_BUF_ERROR else { return nil }
            capacity *= 4
        }
        return nil
    }
}
