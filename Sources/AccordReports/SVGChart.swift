import Foundation

/// Draws a `Chart` as inline SVG: a frame, round-number or given ticks on a linear or log
/// scale, a grid, one polyline per series (dashed where asked), dashed reference lines and a
/// legend. No script, no external reference; the `<svg>` carries `id`, `data-chart` and a
/// `<title>`, so tests and a headless browser can find each chart.
///
/// ```svg
/// <svg id="capacity-curve" data-chart="capacity" viewBox="0 0 640 330" width="640" height="330" role="img" …>
///   <title id="capacity-curve-title">Capacity: achieved throughput against p99</title>
///   <polyline class="series" points="72.0,250.3 …" stroke="#1f77b4" …/>
/// ```
struct SVGChart {
    static let width = 640.0
    static let plotHeight = 220.0
    static let palette = ["#1f6fb4", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#495057"]

    var chart: Chart

    /// Maps data values to pixels along one axis.
    struct Mapping {
        var scale: Chart.Scale
        var low: Double
        var high: Double
        var from: Double
        var to: Double

        func callAsFunction(_ value: Double) -> Double {
            let v = scale == .log10 ? log10(max(value, 1e-9)) : value
            let l = scale == .log10 ? log10(low) : low
            let h = scale == .log10 ? log10(high) : high
            return h == l ? (from + to) / 2 : from + (v - l) / (h - l) * (to - from)
        }
    }

    func render() -> String {
        let left = 64.0
        let right = Self.width - (chart.rightY == nil ? 24 : 64)
        let top = 16.0
        let bottom = top + Self.plotHeight
        let legend = legendLayout(startY: bottom + 46, left: left, right: right)
        let height = (legend.last?.y ?? bottom + 34) + 16
        let id = Markup.escape(chart.id)
        var svg = "<svg id=\"\(id)\" data-chart=\"\(chart.kind.rawValue)\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height))\" "
            + "width=\"\(Int(Self.width))\" height=\"\(Int(height))\" role=\"img\" aria-labelledby=\"\(id)-title\">\n"
        svg += "<title id=\"\(id)-title\">\(Markup.escape(chart.title))</title>\n"
        svg += "<rect class=\"plot\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(Self.plotHeight))\"/>\n"

        let leftSeries = chart.series.filter { !$0.onRightAxis }
        let rightSeries = chart.series.filter(\.onRightAxis)
        let xTicks = ticks(chart.x, chart.series.flatMap { $0.points.map(\.x) })
        let yTicks = ticks(chart.y, leftSeries.flatMap { $0.points.map(\.y) } + chart.rules.map(\.y))
        let x = Mapping(scale: chart.x.scale, low: xTicks.first?.value ?? 0, high: xTicks.last?.value ?? 1, from: left, to: right)
        let y = Mapping(scale: chart.y.scale, low: yTicks.first?.value ?? 0, high: yTicks.last?.value ?? 1, from: bottom, to: top)

        for tick in xTicks {
            let px = f(x(tick.value))
            svg += "<line class=\"grid\" x1=\"\(px)\" y1=\"\(f(top))\" x2=\"\(px)\" y2=\"\(f(bottom))\"/>"
            svg += "<text class=\"tick\" x=\"\(px)\" y=\"\(f(bottom + 14))\" text-anchor=\"middle\">\(Markup.escape(tick.label))</text>\n"
        }
        for tick in yTicks {
            let py = f(y(tick.value))
            svg += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(py)\" x2=\"\(f(right))\" y2=\"\(py)\"/>"
            svg += "<text class=\"tick\" x=\"\(f(left - 6))\" y=\"\(f(y(tick.value) + 4))\" text-anchor=\"end\">\(Markup.escape(tick.label))</text>\n"
        }
        svg += "<text class=\"axis\" x=\"\(f((left + right) / 2))\" y=\"\(f(bottom + 32))\" text-anchor=\"middle\">\(Markup.escape(chart.x.label))</text>\n"
        svg += "<text class=\"axis\" transform=\"translate(14 \(f((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(Markup.escape(chart.y.label))</text>\n"

        var rightY: Mapping?
        if let axis = chart.rightY {
            let rTicks = ticks(axis, rightSeries.flatMap { $0.points.map(\.y) })
            let mapping = Mapping(scale: axis.scale, low: rTicks.first?.value ?? 0, high: rTicks.last?.value ?? 1, from: bottom, to: top)
            for tick in rTicks {
                svg += "<text class=\"tick\" x=\"\(f(right + 6))\" y=\"\(f(mapping(tick.value) + 4))\" text-anchor=\"start\">\(Markup.escape(tick.label))</text>\n"
            }
            svg += "<text class=\"axis\" transform=\"translate(\(f(Self.width - 10)) \(f((top + bottom) / 2))) rotate(90)\" text-anchor=\"middle\">\(Markup.escape(axis.label))</text>\n"
            rightY = mapping
        }

        var tagged: [Double] = []
        for rule in chart.rules {
            let py = y(rule.y)
            svg += "<line class=\"rule\" x1=\"\(f(left))\" y1=\"\(f(py))\" x2=\"\(f(right))\" y2=\"\(f(py))\" stroke-dasharray=\"6 4\"/>"
            // A tag only where it does not overlap another; the legend names every rule.
            if tagged.allSatisfy({ abs($0 - py) >= 13 }) {
                tagged.append(py)
                svg += "<text class=\"rule-label\" x=\"\(f(right - 4))\" y=\"\(f(py - 4))\" text-anchor=\"end\">\(Markup.escape(rule.tag))</text>"
            }
            svg += "\n"
        }
        for (index, series) in chart.series.enumerated() {
            let mapY = series.onRightAxis ? (rightY ?? y) : y
            let points = series.points.filter { $0.x.isFinite && $0.y.isFinite }
                .map { "\(f(x($0.x))),\(f(mapY($0.y)))" }.joined(separator: " ")
            let dash = series.dashed ? " stroke-dasharray=\"5 3\"" : ""
            svg += "<polyline class=\"series\" points=\"\(points)\" fill=\"none\" stroke=\"\(color(index))\" stroke-width=\"2\"\(dash)>"
            svg += "<title>\(Markup.escape(series.name))</title></polyline>\n"
        }
        if chart.series.allSatisfy({ $0.points.isEmpty }) {
            svg += "<text class=\"empty\" x=\"\(f((left + right) / 2))\" y=\"\(f((top + bottom) / 2))\" text-anchor=\"middle\">no data recorded</text>\n"
        }
        for item in legend {
            let entry = legendEntries[item.index]
            let dash = entry.dashed ? " stroke-dasharray=\"5 3\"" : ""
            svg += "<line x1=\"\(f(item.x))\" y1=\"\(f(item.y - 4))\" x2=\"\(f(item.x + 18))\" y2=\"\(f(item.y - 4))\" stroke=\"\(entry.color)\" stroke-width=\"2\"\(dash)/>"
            svg += "<text class=\"legend\" x=\"\(f(item.x + 22))\" y=\"\(f(item.y))\">\(Markup.escape(entry.name))</text>\n"
        }
        return svg + "</svg>"
    }

    func color(_ index: Int) -> String { Self.palette[index % Self.palette.count] }

    /// Each series in its colour, then each reference line in grey, dashed.
    var legendEntries: [(name: String, color: String, dashed: Bool)] {
        chart.series.enumerated().map { ($1.name, color($0), $1.dashed) } + chart.rules.map { ($0.label, "#868e96", true) }
    }

    /// Legend entries flowed left to right, wrapping; text width estimated at 6.5 px a character.
    func legendLayout(startY: Double, left: Double, right: Double) -> [(index: Int, x: Double, y: Double)] {
        var items: [(index: Int, x: Double, y: Double)] = []
        var cursor = left
        var line = startY
        for (index, entry) in legendEntries.enumerated() {
            let width = 22 + Double(entry.name.count) * 6.5 + 16
            if cursor > left && cursor + width > right {
                cursor = left
                line += 16
            }
            items.append((index, cursor, line))
            cursor += width
        }
        return items
    }

    /// The axis's own ticks, or round numbers covering the values (from zero on a linear axis).
    func ticks(_ axis: Chart.Axis, _ values: [Double]) -> [Chart.Tick] {
        if let given = axis.ticks, !given.isEmpty { return given }
        let finite = values.filter(\.isFinite)
        switch axis.scale {
        case .linear:
            return Self.linearTicks(low: min(0, finite.min() ?? 0), high: finite.max() ?? 1)
        case .log10:
            return Self.logTicks(low: finite.filter { $0 > 0 }.min() ?? 1, high: finite.filter { $0 > 0 }.max() ?? 10)
        }
    }

    /// About five ticks at 1, 2 or 5 times a power of ten.
    static func linearTicks(low: Double, high: Double) -> [Chart.Tick] {
        let span = high > low ? high - low : max(abs(high), 1)
        let rough = span / 5
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let first = floor(low / step) * step
        var ticks: [Chart.Tick] = []
        var value = first
        while ticks.count < 12 {
            ticks.append(Chart.Tick(value: value, label: ReportFormat.short(value)))
            if value >= high { break }
            value = first + Double(ticks.count) * step
        }
        return ticks
    }

    /// Powers of ten around the values; with under two decades, also 2 and 5 times them.
    static func logTicks(low: Double, high: Double) -> [Chart.Tick] {
        let lowDecade = Int(floor(log10(low)))
        let highDecade = max(Int(ceil(log10(high))), lowDecade + 1)
        let multipliers: [Double] = highDecade - lowDecade <= 2 ? [1, 2, 5] : [1]
        var ticks: [Chart.Tick] = []
        for decade in lowDecade...highDecade {
            for multiplier in multipliers {
                let value = multiplier * pow(10, Double(decade))
                if decade == highDecade && multiplier > 1 { break }
                ticks.append(Chart.Tick(value: value, label: ReportFormat.short(value)))
            }
        }
        return ticks
    }

    /// Pixel coordinates with one decimal.
    func f(_ value: Double) -> String { ReportFormat.fixed(value, 1) }
}
