#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Rows of values a load draws from, shared by every engine of a run: a pool (items an
/// endpoint created before the load, one column) or a feeder (a data file's rows), as k6's
/// SharedArray and Locust's feeders hand rows to virtual users.
public final class ValueSource: Sendable {
    /// Which row a request gets.
    public enum Order: Sendable, Hashable {
        /// Row after row, across every engine, from the first again after the last.
        case sequential
        /// Uniformly at random.
        case random
        /// Each row once across the whole run; after the last, ``wraps`` decides.
        case unique
        /// Zipf's law with exponent `s` over the rows in their order: the first row the most
        /// often (a few hot items, a long tail), as YCSB draws keys.
        case zipf(Double)
    }

    public let name: String
    public let columns: [String]
    public let rows: [[String]]
    public let order: Order
    /// `unique`: start over after the last row (true) or stop the load (false).
    public let wraps: Bool
    private let cursor = Atomic<Int>(0)
    /// `zipf`: cumulative probability per row.
    private let cumulative: [Double]

    public init(name: String, columns: [String], rows: [[String]], order: Order, wraps: Bool = true) {
        self.name = name
        self.columns = columns
        self.rows = rows
        self.order = order
        self.wraps = wraps
        if case let .zipf(exponent) = order, !rows.isEmpty {
            var sums: [Double] = []
            sums.reserveCapacity(rows.count)
            var total = 0.0
            for rank in 1...rows.count {
                total += 1 / pow(Double(rank), exponent)
                sums.append(total)
            }
            cumulative = sums.map { $0 / total }
        } else {
            cumulative = []
        }
    }

    /// Rows handed out by `sequential` and `unique` so far (across engines).
    public var drawn: Int { cursor.load(ordering: .relaxed) }

    /// The index of the next row for one request; nil when a `unique` source that does not
    /// wrap has given every row, or the source is empty.
    public func draw(_ random: inout some RandomNumberGenerator) -> Int? {
        guard !rows.isEmpty else { return nil }
        switch order {
        case .random:
            return Int.random(in: 0..<rows.count, using: &random)
        case .sequential:
            return cursor.wrappingAdd(1, ordering: .relaxed).oldValue % rows.count
        case .unique:
            let next = cursor.wrappingAdd(1, ordering: .relaxed).oldValue
            if next >= rows.count && !wraps { return nil }
            return next % rows.count
        case .zipf:
            let point = Double.random(in: 0..<1, using: &random)
            var low = 0
            var high = cumulative.count - 1
            while low < high {
                let middle = (low + high) / 2
                if cumulative[middle] < point { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }
}

/// The run's `{{seq}}` counter, shared by every engine of every phase: 1, 2, 3 …
public final class SequenceCounter: Sendable {
    private let value: Atomic<Int>
    private let stride: Int
    private let offset: Int

    /// Counts `start + 1`, `start + 2`, …; with a `stride` (a shard's count) and an `offset`
    /// (its index), the k-th value is `(k - 1) × stride + offset + 1`: shards of one run never
    /// send the same value, and shard 0 of 1 counts as before.
    public init(startingAfter start: Int = 0, stride: Int = 1, offset: Int = 0) {
        value = Atomic(start)
        self.stride = max(1, stride)
        self.offset = offset
    }

    public func next() -> Int {
        let k = value.wrappingAdd(1, ordering: .relaxed).newValue
        return stride == 1 ? k : (k &- 1) &* stride &+ offset &+ 1
    }
}
