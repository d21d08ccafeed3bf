import AccordResults

/// `report.html`: the baseline report as one self-contained page — inline CSS, inline SVG
/// charts, no script, no external URL — that works offline, prints, and reads on a phone.
/// Every section is a `<section id>`; every chart an `<svg id data-chart>` with a `<title>`.
/// Everything from the report is escaped (& < > " ').
///
/// ```html
/// <section id="capacity"><h2>Throughput Capacity</h2>
///   <div class="table"><table>…</table></div>
///   <figure class="chart"><svg id="capacity-curve" data-chart="capacity" …>…</svg>
///     <figcaption>Capacity: achieved throughput against p99</figcaption></figure>
/// </section>
/// ```
public enum HTMLReport {
    public static func render(_ report: ResultsDocument) -> String {
        render(ReportDocument(report))
    }

    static func render(_ document: ReportDocument) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Markup.escape(document.title))</title>
            <style>
            \(style)</style>
            </head>
            <body>
            <header>
            <h1>\(Markup.escape(document.title))</h1>

            """
        for line in document.header { html += "<p>\(spans(line))</p>\n" }
        html += "<p class=\"verdict \(document.passed ? "pass" : "fail")\">\(document.passed ? "PASSED" : "FAILED")</p>\n</header>\n"
        html += "<nav aria-label=\"Sections\"><ol>\n"
        for section in document.sections {
            html += "<li><a href=\"#\(Markup.escape(section.id))\">\(Markup.escape(section.title))</a></li>\n"
        }
        html += "</ol></nav>\n<main>\n"
        for section in document.sections {
            html += "<section id=\"\(Markup.escape(section.id))\">\n<h2>\(Markup.escape(section.title))</h2>\n"
            for block in section.blocks { html += render(block) }
            html += "</section>\n"
        }
        return html + "</main>\n<footer><p>Written by accord from results.json; re-render with <code>accord report</code>.</p></footer>\n</body>\n</html>\n"
    }

    static func render(_ block: ReportDocument.Block) -> String {
        switch block {
        case .paragraph(let content):
            return "<p>\(spans(content))</p>\n"
        case .list(let items):
            return "<ul>\n" + items.map { "<li>\(spans($0))</li>\n" }.joined() + "</ul>\n"
        case .heading(let title):
            return "<h3>\(text(title))</h3>\n"
        case .code(let code):
            return "<pre><code>\(Markup.escape(code))</code></pre>\n"
        case .table(let table):
            var html = "<div class=\"table\"><table>\n<thead><tr>"
            html += table.header.map { "<th>\(text($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for row in table.rows {
                html += "<tr>" + row.map { "<td>\(text($0))</td>" }.joined() + "</tr>\n"
            }
            return html + "</tbody>\n</table></div>\n"
        case .chart(let chart):
            return "<figure class=\"chart\">\n\(SVGChart(chart: chart).render())\n<figcaption>\(Markup.escape(chart.title))</figcaption>\n</figure>\n"
        }
    }

    /// Text for the page: escaped, and the verdict marks the Markdown writes as emoji (✅ ❌ ⚠️
    /// ➖ ⏳) drawn as small inline SVGs instead. A plain Debian install has no emoji font, and a
    /// browser there shows each emoji as an empty box; shapes need no font at all.
    static func text(_ value: String) -> String {
        var html = Markup.escape(value)
        for (emoji, mark) in marks where html.contains(emoji) { html = html.replacingOccurrences(of: emoji, with: mark) }
        return html
    }

    /// Each mark: a 1em SVG in the text's line, named for screen readers and the print.
    static let marks: [(String, String)] = [
        ("✅", mark("ok", "met", ##"<path d="M3 8.5l3.2 3.2L13 4.8" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>"##)),
        ("❌", mark("bad", "missed", ##"<path d="M4 4l8 8M12 4l-8 8" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/>"##)),
        // With and without the emoji variation selector: the first replacement takes both.
        ("⚠️", warning), ("⚠", warning),
        ("➖", mark("skip", "skipped", ##"<circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.8"/><path d="M4.5 8h7" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>"##)),
        ("⏳", mark("wait", "not run", ##"<circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.8"/><path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>"##)),
    ]

    static let warning = mark(
        "warn", "warning",
        ##"<path d="M8 1.8L15 14H1z" fill="currentColor"/><path d="M8 6v4" stroke="#fff" stroke-width="1.6" stroke-linecap="round"/><circle cx="8" cy="12" r="0.9" fill="#fff"/>"##)

    static func mark(_ kind: String, _ label: String, _ shape: String) -> String {
        ##"<svg class="mark \##(kind)" viewBox="0 0 16 16" width="16" height="16" role="img" aria-label="\##(label)">\##(shape)</svg>"##
    }

    static func spans(_ content: [ReportDocument.Span]) -> String {
        content.map { span in
            switch span {
            case .text(let value): return text(value)
            case .strong(let value): return "<strong>\(text(value))</strong>"
            case .code(let value): return "<code>\(Markup.escape(value))</code>"
            }
        }.joined()
    }

    static let style = """
        :root { color-scheme: light; --ink: #212529; --muted: #6c757d; --line: #dee2e6; --pass: #2b8a3e; --fail: #c92a2a; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 1120px; padding: 16px 20px 40px; color: var(--ink); background: #fff;
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        h1 { font-size: 1.6em; margin: 0.4em 0; }
        h2 { font-size: 1.3em; margin: 1.6em 0 0.5em; padding-bottom: 0.2em; border-bottom: 2px solid var(--line); }
        h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
        header p { margin: 0.15em 0; }
        .verdict { display: inline-block; margin-top: 0.5em !important; padding: 0.2em 0.8em; border-radius: 4px; color: #fff; font-weight: 700; }
        .verdict.pass { background: var(--pass); }
        .verdict.fail { background: var(--fail); }
        svg.mark { width: 1em; height: 1em; vertical-align: -0.15em; }
        svg.mark.ok { color: var(--pass); }
        svg.mark.bad { color: var(--fail); }
        svg.mark.warn { color: #e67700; }
        svg.mark.wait { color: var(--muted); }
        svg.mark.skip { color: var(--muted); }
        nav ol { columns: 2 14em; padding-left: 1.4em; margin: 1em 0; }
        nav a { color: #1f6fb4; }
        code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; }
        pre { background: #f8f9fa; border: 1px solid var(--line); padding: 0.6em 0.8em; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
        .table { overflow-x: auto; margin: 0.6em 0; }
        table { border-collapse: collapse; font-size: 0.88em; min-width: 50%; }
        th, td { border: 1px solid var(--line); padding: 0.25em 0.55em; text-align: left; vertical-align: top; }
        th { background: #f1f3f5; }
        tbody tr:nth-child(even) { background: #fafbfc; }
        td { word-break: break-word; }
        figure.chart { margin: 1em 0; }
        figure.chart svg { display: block; max-width: 100%; height: auto; }
        figcaption { color: var(--muted); font-size: 0.85em; }
        svg .plot { fill: #fff; stroke: #adb5bd; }
        svg .grid { stroke: #edf0f2; stroke-width: 1; }
        svg text { font-family: system-ui, sans-serif; fill: var(--ink); }
        svg .tick { font-size: 11px; fill: #495057; }
        svg .axis, svg .legend { font-size: 12px; }
        svg .rule { stroke: #868e96; stroke-width: 1.5; }
        svg .rule-label, svg .empty { font-size: 11px; fill: var(--muted); }
        footer { margin-top: 3em; color: var(--muted); font-size: 0.85em; }
        @media (max-width: 640px) { body { padding: 10px; font-size: 14px; } nav ol { columns: 1; } }
        @media print {
          body { max-width: none; padding: 0; font-size: 10pt; }
          nav { display: none; }
          h2 { break-after: avoid; }
          figure.chart, tr { break-inside: avoid; }
          .table { overflow: visible; }
          table { font-size: 7.5pt; }
          th, td { padding: 1px 3px; }
          a { color: inherit; text-decoration: none; }
        }

        """
}
