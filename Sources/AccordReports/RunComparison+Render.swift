import AccordResults

/// `accord compare`'s table on the console, and its JUnit suite (one testcase per figure,
/// rendered by `JUnitReport` like every other verdict).
extension RunComparison {
    /// A plain-text table, columns padded; regressions marked `REGRESSION`.
    public func table() -> String {
        let header = ["Subject", "Figure", "Base", "New", "Change", ""]
        let rows = figures.map { [$0.subject, $0.figure, $0.base, $0.new, Self.show($0.change), mark($0)] }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                text += cell + String(repeating: " ", count: index == cells.count - 1 ? 0 : widths[index] - cell.count + 2)
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text + "\n"
        }
        return line(header) + rows.map(line).joined() + summary() + "\n"
    }

    public func summary() -> String {
        let limit = ReportFormat.short(maxRegression * 100) + "%"
        let count = regressions.count
        return "\(figures.count) figures compared: "
            + (count == 0 ? "no regression beyond \(limit)." : "\(count) regression\(count == 1 ? "" : "s") beyond \(limit).")
    }

    func mark(_ figure: Figure) -> String {
        switch figure.verdict {
        case .unchanged: return ""
        case .improved: return "improved"
        case .worse: return "worse, within \(ReportFormat.short(maxRegression * 100))%"
        case .regression: return "REGRESSION"
        case .added: return "only in the new run"
        case .removed: return "only in the base run"
        }
    }

    /// `+14.3%`, `-3.0%`, `0.0%`, or `—` when there is no ratio.
    static func show(_ change: Double?) -> String {
        guard let change else { return "—" }
        let text = ReportFormat.fixed(change * 100, 1)
        if text == "0.0" || text == "-0.0" { return "0.0%" }
        return (change > 0 ? "+" : "") + text + "%"
    }

    /// One testcase per figure: a regression fails, a figure in one run only is skipped.
    public func suite(file: String) -> ResultsDocument.Suite {
        let limit = ReportFormat.short(maxRegression * 100) + "%"
        return ResultsDocument.Suite(name: "compare", file: file, cases: figures.map { figure in
            let name = "\(figure.subject) \(figure.figure): \(figure.base) → \(figure.new) (\(Self.show(figure.change)))"
            switch figure.verdict {
            case .regression:
                return ResultsDocument.Case(
                    name: name, location: figure.subject, outcome: .failed,
                    failures: [CheckFailure(
                        message: "\(figure.subject) \(figure.figure) regressed", expected: "\(figure.base), within \(limit)",
                        actual: "\(figure.new) (\(Self.show(figure.change)))")])
            case .added, .removed:
                return ResultsDocument.Case(name: name, location: figure.subject, outcome: .skipped, reason: mark(figure))
            case .unchanged, .improved, .worse:
                return ResultsDocument.Case(name: name, location: figure.subject, outcome: .passed)
            }
        })
    }
}
