/// What the server's Prometheus endpoint exposed after the load (`metrics:` in a spec): each
/// metric family with its type, help text, label names and number of series. The reports turn
/// it into what to alert on.
public struct Monitoring: Codable, Sendable, Equatable {
    /// The URL read.
    public var source: String
    public var families: [MetricFamily]
    /// Why nothing could be read, when so.
    public var note: String?

    public init(source: String, families: [MetricFamily], note: String? = nil) {
        self.source = source
        self.families = families
        self.note = note
    }

    public struct MetricFamily: Codable, Sendable, Equatable {
        public var name: String
        /// counter, gauge, histogram, summary or untyped.
        public var type: String
        public var help: String
        public var labels: [String]
        public var series: Int

        public init(name: String, type: String, help: String, labels: [String], series: Int) {
            self.name = name
            self.type = type
            self.help = help
            self.labels = labels
            self.series = series
        }
    }

    /// Reads the Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE` and
    /// sample lines, histogram and summary series (`_bucket`, `_sum`, `_count`) counted under
    /// their family. Lines it does not understand are skipped.
    public static func parse(_ text: String, source: String) -> Monitoring {
        var order: [String] = []
        var families: [String: MetricFamily] = [:]
        func family(_ name: String) -> MetricFamily {
            if families[name] == nil {
                order.append(name)
                families[name] = MetricFamily(name: name, type: "untyped", help: "", labels: [], series: 0)
            }
            return families[name] ?? MetricFamily(name: name, type: "untyped", help: "", labels: [], series: 0)
        }
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingSpaces
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let rest = line.dropFirst(7)
                let name = String(rest.prefix { $0 != " " })
                let value = String(rest.dropFirst(name.count).drop { $0 == " " })
                var entry = family(name)
                if line.hasPrefix("# HELP ") { entry.help = value } else { entry.type = value }
                families[name] = entry
                continue
            }
            guard !line.hasPrefix("#"), !line.isEmpty else { continue }
            let sample = String(line.prefix { $0 != "{" && $0 != " " })
            var name = sample
            for suffix in ["_bucket", "_sum", "_count"] where sample.hasSuffix(suffix) {
                let base = String(sample.dropLast(suffix.count))
                if let known = families[base], known.type == "histogram" || known.type == "summary" { name = base }
            }
            var entry = family(name)
            if let open = line.firstIndex(of: "{"), let close = line.firstIndex(of: "}"), open < close {
                for pair in line[line.index(after: open)..<close].split(separator: ",") {
                    let label = String(pair.prefix { $0 != "=" }).trimmingSpaces
                    if !label.isEmpty, label != "le", label != "quantile", !entry.labels.contains(label) { entry.labels.append(label) }
                }
            }
            // A histogram's series are counted once, by its _count lines.
            if name == sample || sample.hasSuffix("_count") { entry.series += 1 }
            families[name] = entry
        }
        return Monitoring(source: source, families: order.compactMap { families[$0] })
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String { String(drop { $0 == " " || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\r" }.reversed()) }
}
