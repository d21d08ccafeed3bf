/// A `ReportDocument` as CommonMark with GitHub tables. Charts are left out (they live in
/// `report.html`). Report text is escaped where Markdown would read it as markup: `<` never
/// opens HTML, `*` and backticks never start emphasis or code, `|` never splits a cell.
enum MarkdownRenderer {
    static func render(_ document: ReportDocument) -> String {
        var md = "# \(text(document.title))\n\n"
        md += document.header.map(spans).joined(separator: "  \n") + "\n\n---\n"
        for section in document.sections {
            md += "\n## \(text(section.title))\n"
            for block in section.blocks {
                guard let rendered = render(block) else { continue }
                md += "\n" + rendered
            }
        }
        return md
    }

    static func render(_ block: ReportDocument.Block) -> String? {
        switch block {
        case .paragraph(let content):
            return spans(content) + "\n"
        case .list(let items):
            return items.map { "- " + spans($0) + "\n" }.joined()
        case .heading(let title):
            return "### \(text(title))\n"
        case .code(let code):
            let fence = String(repeating: "`", count: max(3, longestRun(of: "`", in: code) + 1))
            return "\(fence)sh\n\(code)\n\(fence)\n"
        case .table(let table):
            let width = table.header.count
            func row(_ cells: [String]) -> String {
                let padded = cells.prefix(width) + Array(repeating: "", count: max(0, width - cells.count))
                return "| " + padded.map { cell($0) }.joined(separator: " | ") + " |\n"
            }
            return row(table.header) + "|" + String(repeating: "---|", count: width) + "\n" + table.rows.map(row).joined()
        case .chart:
            return nil
        }
    }

    static func spans(_ content: [ReportDocument.Span]) -> String {
        content.map { span in
            switch span {
            case .text(let value): return text(value)
            case .strong(let value): return "**\(text(value))**"
            case .code(let value): return code(value)
            }
        }.joined()
    }

    /// Plain text on one line, with Markdown's active characters neutralized.
    static func text(_ value: String) -> String {
        var out = ""
        var characters = value.makeIterator()
        var next = characters.next()
        while let character = next {
            next = characters.next()
            switch character {
            // Only `<` before a letter, `/`, `!` or `?` can open HTML; `p99 < 20 ms` stays as it is.
            case "<" where next.map { $0.isLetter || "/!?".contains($0) } ?? false: out += "&lt;"
            case "*", "`", "\\": out += "\\" + String(character)
            case "\n", "\r", "\r\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    static func cell(_ value: String) -> String {
        text(value).split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }

    /// A code span fenced by more backticks than it holds.
    static func code(_ value: String) -> String {
        let flat = value.split(whereSeparator: \.isNewline).joined(separator: " ")
        let fence = String(repeating: "`", count: longestRun(of: "`", in: flat) + 1)
        let pad = flat.hasPrefix("`") || flat.hasSuffix("`") ? " " : ""
        return fence + pad + flat + pad + fence
    }

    static func longestRun(of character: Character, in text: String) -> Int {
        var longest = 0
        var current = 0
        for c in text {
            current = c == character ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }
}
