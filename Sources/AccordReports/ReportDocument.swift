/// What `baseline.md` and `report.html` both say, built once from a `ResultsDocument`
/// (`ReportDocument+Build.swift`) and rendered twice (`MarkdownRenderer`, `HTMLReport`), so
/// the two can never disagree. Charts are part of the content; Markdown leaves them out.
///
/// Every string in here may come from the report and is untrusted: the renderers escape it.
struct ReportDocument: Sendable, Equatable {
    var title: String
    /// One line under the title: date, system, verdict.
    var header: [[Span]]
    var passed: Bool
    var sections: [Section]

    struct Section: Sendable, Equatable {
        /// The HTML `<section id>`; stable, tests and the browser check look for it.
        var id: String
        var title: String
        var blocks: [Block]
    }

    enum Block: Sendable, Equatable {
        case paragraph([Span])
        case list([[Span]])
        case table(Table)
        /// A sub-heading inside a section.
        case heading(String)
        /// A shell command, shown verbatim.
        case code(String)
        case chart(Chart)
    }

    enum Span: Sendable, Equatable {
        case text(String)
        case strong(String)
        case code(String)
    }

    struct Table: Sendable, Equatable {
        var header: [String]
        var rows: [[String]]
    }
}

extension ReportDocument.Block {
    /// A paragraph of plain text.
    static func text(_ text: String) -> Self { .paragraph([.text(text)]) }
}

/// A chart as values: axes, series and dashed reference lines; `SVGChart` draws it.
struct Chart: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        /// Latency against percentile on the HdrHistogram log axis.
        case latencySpectrum = "latency-spectrum"
        /// Completed requests per second and p99, second by second.
        case timeline = "timeline"
        /// Achieved throughput against p99, one line per subject.
        case capacity = "capacity"
        /// CPU and memory second by second.
        case resources = "resources"
    }

    enum Scale: Sendable, Equatable {
        case linear
        /// Base-10 logarithmic; every value must be positive.
        case log10
    }

    struct Axis: Sendable, Equatable {
        var label: String
        var scale: Scale = .linear
        /// Fixed ticks (value, label); nil lets `SVGChart` pick round numbers from the data.
        var ticks: [Tick]?
    }

    struct Tick: Sendable, Equatable {
        var value: Double
        var label: String
    }

    struct Point: Sendable, Equatable {
        var x: Double
        var y: Double
    }

    struct Series: Sendable, Equatable {
        var name: String
        var points: [Point]
        var dashed = false
        /// Plotted against the right-hand axis.
        var onRightAxis = false
    }

    /// A horizontal reference line (a target), dashed: `tag` on the line where there is
    /// room for it, `label` in the legend.
    struct Rule: Sendable, Equatable {
        var y: Double
        var tag: String
        var label: String
    }

    /// Unique in the document: the `id` of the SVG.
    var id: String
    var kind: Kind
    var title: String
    var x: Axis
    var y: Axis
    var rightY: Axis?
    var series: [Series]
    var rules: [Rule] = []
}
