import AccordTestSupport
import AccordResults
import Foundation
import Testing

/// HdrHistogram's compressed encoding: what goes in comes out bucket by bucket, two decoded
/// histograms add up to the histogram of all their samples, and damaged text is refused.
@Suite("HdrHistogram encoding")
struct HistogramEncodingTests {
    /// The bucket (as its lowest value) a value falls in, at three significant digits.
    static func bucket(_ value: UInt64) -> UInt64 {
        guard value >= 2048 else { return value }
        var shift: UInt64 = 0
        while (value >> shift) >= 2048 { shift += 1 }
        return (value >> shift) << shift
    }

    static func expected(_ values: [(UInt64, UInt64)]) -> [UInt64: UInt64] {
        var buckets: [UInt64: UInt64] = [:]
        for (value, count) in values where count > 0 { buckets[bucket(max(1, value)), default: 0] += count }
        return buckets
    }

    static func decoded(_ text: String) throws -> [UInt64: UInt64] {
        var buckets: [UInt64: UInt64] = [:]
        for (value, count) in try HistogramEncoding.decode(text).counts { buckets[value, default: 0] += count }
        return buckets
    }

    @Test("round trip", arguments: [
        [(UInt64(1), UInt64(1))],
        [(1000, 97), (48_000, 3)],
        [(1, 5), (2, 0), (2047, 1), (2048, 2), (2049, 3), (4095, 4), (1_000_000, 1)],
        [(599_999_999, 1), (17, 100_000_000_000)],
        [(0, 4)],
        [],
    ] as [[(UInt64, UInt64)]])
    func roundTrip(values: [(UInt64, UInt64)]) throws {
        let text = HistogramEncoding.encode(values.map { (value: $0.0, count: $0.1) }, highestTrackableValue: 600_000_000)
        #expect(text.hasPrefix("HISTF"))
        #expect(try Self.decoded(text) == Self.expected(values))
        #expect(try HistogramEncoding.decode(text).highestTrackableValue == 600_000_000)
    }

    @Test("decoded histograms add up exactly to the histogram of every sample", arguments: [1, 2, 3, 42, 1234])
    func mergeIsExact(seed: UInt64) throws {
        var random = SeededRandom(state: seed)
        func sample() -> [(UInt64, UInt64)] {
            (0..<200).map { _ in (1 + random.next() % 5_000_000, 1 + random.next() % 50) }
        }
        let a = sample()
        let b = sample()
        let encodedA = HistogramEncoding.encode(a.map { (value: $0.0, count: $0.1) }, highestTrackableValue: 600_000_000)
        let encodedB = HistogramEncoding.encode(b.map { (value: $0.0, count: $0.1) }, highestTrackableValue: 600_000_000)
        let added = try Self.decoded(encodedA).merging(Self.decoded(encodedB), uniquingKeysWith: +)
        #expect(added == Self.expected(a + b))
    }

    @Test("damaged or foreign text is refused with a reason", arguments: [
        ("not base64 at all!", "not base64"),
        ("AAAAAA==", "not HdrHistogram's compressed encoding"),
        ("HISTFAAAABAA", "exceeds the data"),
        ("HISTFAAAAAR4nGNgAAAABQAB", "damaged"),
    ])
    func refusals(text: String, reason: String) {
        #expect {
            try HistogramEncoding.decode(text)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test func aSecondOfLatencyIsSmall() {
        var random = SeededRandom(state: 7)
        let values = (0..<5000).map { _ in (value: 200 + random.next() % 20_000, count: UInt64(1)) }
        #expect(HistogramEncoding.encode(values, highestTrackableValue: 600_000_000).utf8.count < 8000)
    }
}

/// Another implementation reads what we write: PyPI's `hdrhistogram` decodes the text and
/// finds the same counts. Runs where `ACCORD_HDR_PYTHON` names a Python with `hdrh`
/// installed (`.ci/run` makes that virtualenv); elsewhere it is reported as skipped.
@Suite("HdrHistogram encoding, read by PyPI's hdrhistogram")
struct HistogramInteropTests {
    static let python = ProcessInfo.processInfo.environment["ACCORD_HDR_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }

    @Test(.enabled(if: python != nil, "set ACCORD_HDR_PYTHON to a Python with hdrhistogram installed"))
    func pythonReadsTheSameCounts() throws {
        let values: [(value: UInt64, count: UInt64)] = [(1, 3), (999, 10), (1000, 7), (2047, 1), (2048, 5), (48_123, 2), (5_000_000, 1)]
        let text = HistogramEncoding.encode(values, highestTrackableValue: 600_000_000)
        let script = """
            import sys
            from hdrh.histogram import HdrHistogram
            h = HdrHistogram.decode(sys.argv[1])
            print(h.get_total_count())
            for v in [1, 999, 1000, 2047, 2048, 48123, 5000000]:
                print(h.get_count_at_value(v))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.python))
        process.arguments = ["-c", script, text]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(process.terminationStatus == 0, "\(lines)")
        // 48,123 shares its bucket (32 wide there) with nothing else recorded: count 2.
        #expect(lines == ["29", "3", "10", "7", "1", "5", "2", "1"])
    }
}
