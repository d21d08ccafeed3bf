import AccordResults

/// `baseline.md`: the vendor's "Performance Baseline Report", filled with what was measured
/// here, so a buyer can read the two side by side. Same content as `report.html`, without
/// the charts; a section with nothing measured says so in one line.
///
/// ```markdown
/// ## Performance Targets vs Measured
///
/// | Target | Measured | Verdict |
/// |---|---|---|
/// | create_job p99 < 100 ms | 8.4 ms | ✅ |
/// ```
public enum BaselineReport {
    public static func markdown(_ report: ResultsDocument) -> String {
        MarkdownRenderer.render(ReportDocument(report))
    }
}
