/// Data a booted environment is filled with before the load (`seed:`), declared generically:
/// a table, a generator per column, and the stream entries that match the rows.
///
/// ```yaml
/// seed:
///   - table: jobs
///     rows: 1000000                        # at baseline; quick seeds 1/10, smoke 1/100
///     columns:
///       id: {uuid: true}
///       status: {choice: {pending: 70, completed: 20, failed: 10}}
///       created_at: {age: [0s, 30d]}
///       domain: "d{{random_int 1 500}}.example"
///     streams:
///       - key: "queue:{{status}}"
///         where: {status: pending}
///         fields: {id: "{{id}}"}
/// ```
public struct SeedTable: Sendable {
    /// A plain SQL identifier (`[A-Za-z_][A-Za-z0-9_]*`), quoted when used.
    public var table: Located<String>
    /// Rows at the `baseline` profile (1,000,000 when not written).
    public var rows: Int
    /// In the order written: a template may use the columns before it.
    public var columns: [SeedColumn]
    public var streams: [SeedStream]
    public var location: SourceLocation

    public static let defaultRows = 1_000_000

    public init(table: Located<String>, rows: Int = SeedTable.defaultRows, columns: [SeedColumn], streams: [SeedStream] = [], location: SourceLocation) {
        self.table = table
        self.rows = rows
        self.columns = columns
        self.streams = streams
        self.location = location
    }
}

/// One column and how its values are made.
public struct SeedColumn: Sendable {
    public var name: String
    public var generator: SeedGenerator
    public var location: SourceLocation

    public init(name: String, generator: SeedGenerator, location: SourceLocation) {
        self.name = name
        self.generator = generator
        self.location = location
    }
}

/// How one column's value is made for row n (0-based).
public enum SeedGenerator: Sendable, Equatable {
    /// The same text in every row; nil is SQL NULL.
    case constant(String?)
    /// `start + n`.
    case sequence(start: Int)
    /// A random version-4 UUID, lower-case.
    case uuid
    /// One of the values, drawn with the given weights.
    case choice([WeightedValue])
    /// A timestamp: the seeding's start minus an age drawn uniformly from the range
    /// (milliseconds), written as ISO 8601 UTC with microseconds.
    case age(ClosedRange<Int64>)
    /// A template over earlier columns (`{{status}}`) and `uuid`, `seq`, `random_int A B`.
    case template(Template)
}

/// A choice's value and its weight (a positive integer; weights need not add up to 100).
public struct WeightedValue: Sendable, Equatable {
    public var value: String
    public var weight: Int

    public init(value: String, weight: Int) {
        self.value = value
        self.weight = weight
    }
}

/// Stream entries written for the rows that match `filter` (all rows without one): one entry
/// per row in the stream `key` renders to, with `fields` rendered over the row's columns.
public struct SeedStream: Sendable {
    public var key: Template
    /// Column name and the exact text the row's value must have.
    public var filter: [(column: String, value: String)]
    public var fields: [(name: String, value: Template)]
    public var location: SourceLocation

    public init(key: Template, filter: [(column: String, value: String)] = [], fields: [(name: String, value: Template)], location: SourceLocation) {
        self.key = key
        self.filter = filter
        self.fields = fields
        self.location = location
    }
}
