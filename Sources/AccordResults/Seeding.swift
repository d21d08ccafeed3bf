extension ResultsDocument {
    /// What the run put in the stores before its load (`seed:` in the specs): per table, the
    /// rows and stream entries written and how long it took; or why nothing was seeded.
    ///
    /// ```json
    /// "seeding": {"tables": [{"table": "jobs", "rows": 1000000, "streamEntries": 600241, "seconds": 41.3}]}
    /// "seeding": {"tables": [], "skipped": "a --target is seeded only with --seed-rows N and --database-url"}
    /// ```
    public struct Seeding: Codable, Sendable, Equatable {
        public var tables: [Table]
        /// Why nothing (or not everything) was seeded; nil when every declared table was.
        public var skipped: String?

        public init(tables: [Table] = [], skipped: String? = nil) {
            self.tables = tables
            self.skipped = skipped
        }

        public struct Table: Codable, Sendable, Equatable {
            public var table: String
            public var rows: Int
            /// Entries added to the streams the table's `streams:` declare (0 when none are).
            public var streamEntries: Int
            /// Wall-clock seconds for the rows and their stream entries.
            public var seconds: Double

            public init(table: String, rows: Int, streamEntries: Int, seconds: Double) {
                self.table = table
                self.rows = rows
                self.streamEntries = streamEntries
                self.seconds = seconds
            }
        }

        /// One line per table for the reports: `jobs: 1,000,000 rows, 600,241 stream entries in 41.3 s`,
        /// then why something was not seeded.
        public var lines: [String] {
            tables.map { table in
                var text = "\(table.table): \(Self.grouped(table.rows)) rows"
                if table.streamEntries > 0 { text += ", \(Self.grouped(table.streamEntries)) stream entries" }
                return text + " in \((table.seconds * 10).rounded() / 10) s"
            } + (skipped.map { [tables.isEmpty ? "not seeded: \($0)" : $0] } ?? [])
        }

        static func grouped(_ value: Int) -> String {
            let digits = String(value.magnitude)
            var out = ""
            for (index, digit) in digits.enumerated() {
                if index > 0, (digits.count - index) % 3 == 0 { out += "," }
                out.append(digit)
            }
            return (value < 0 ? "-" : "") + out
        }
    }
}
