/// Loads one YAML document (through libyaml's document API) into a `YAMLNode` tree that
/// remembers where every node was written, and turns every problem into a located
/// `Diagnostic` instead of trapping, hanging or exhausting memory:
///
/// ```swift
/// let (root, diagnostics) = YAMLLoader.load("suite: jobs\ncases: []\n", file: "specs/jobs.yaml")
/// root?.mappingValue("suite")?.location   // specs/jobs.yaml:1:8, length 4
/// ```
///
/// Refused with a diagnostic: syntax errors (with a human message, e.g. tabs used for
/// indentation), invalid UTF-8 and control characters, an empty file, nesting deeper than
/// `maxDepth`, recursive aliases, aliases that expand beyond `maxAliasExpansion` nodes, more
/// than 1,000 anchors or 10,000 aliases. Reported alongside a tree: duplicate keys (each
/// repeat, at the repeat) and a second document.
public enum YAMLLoader {
    /// The most levels of lists and mappings nested in one another (the root is level 1;
    /// a scalar adds no level).
    public static let maxDepth = 128
    /// How many nodes aliases may add by copying their anchors' nodes.
    public static let maxAliasExpansion = 100_000

    /// Parses `text` (the contents of `file`); never traps or hangs, whatever the input.
    ///
    /// `root` is nil when no tree could be made (a syntax error, an empty file, a limit);
    /// otherwise it is returned even with diagnostics, so that later stages can report more of
    /// a file's problems in one run. Diagnostics are in file order.
    public static func load(_ text: String, file: String) -> (root: YAMLNode?, diagnostics: [Diagnostic]) {
        load(bytes: Array(text.utf8), file: file)
    }

    /// Parses the raw bytes of a file, so that invalid UTF-8 is reported where it is rather
    /// than silently replaced.
    public static func load(bytes: [UInt8], file: String) -> (root: YAMLNode?, diagnostics: [Diagnostic]) {
        let lines = SourceLines(bytes: bytes)

        // Bound libyaml's own work (deep flow nesting, anchors) before it composes anything.
        let survey = TokenSurvey(bytes: bytes, file: file)
        if let refusal = survey.refusal { return (nil, [refusal]) }

        let parser = LibYAMLParser(bytes: bytes)
        guard let document = parser.loadDocument() else {
            return (nil, [diagnose(parser.error, lines: lines, file: file)])
        }
        guard document.nodeCount > 0 else {
            return (nil, [.error("the file is empty", at: SourceLocation(file: file, line: 1, column: 1))])
        }

        var builder = YAMLTreeBuilder(document: document, lines: lines, file: file, survey: survey)
        var diagnostics: [Diagnostic] = []
        var root: YAMLNode?
        do {
            root = try builder.buildRoot()
        } catch {
            diagnostics.append(error)
        }
        diagnostics += builder.diagnostics

        // A spec file is one document: anything after it is a mistake worth pointing at.
        if let next = parser.loadDocument() {
            if next.nodeCount > 0 {
                let mark = next.startMark
                let line = mark.line + 1
                let column = mark.column + 1
                let startsWithMarker = lines.text(ofLine: line).map {
                    $0.unicodeScalars.dropFirst(column - 1).starts(with: "---".unicodeScalars)
                } ?? false
                diagnostics.append(
                    .error(
                        "a spec file holds one YAML document, but a second one starts here",
                        at: SourceLocation(file: file, line: line, column: column, length: startsWithMarker ? 3 : 1),
                        help: "remove the '---' line, or split the file in two"))
            }
        } else {
            diagnostics.append(diagnose(parser.error, lines: lines, file: file))
        }

        var seen = Set<Diagnostic>()
        let unique = diagnostics.filter { seen.insert($0).inserted }
        return (root, Diagnostic.sortedByLocation(unique))
    }
}
