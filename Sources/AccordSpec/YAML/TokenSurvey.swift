import CYAML

/// A first pass over the file with libyaml's scanner (tokens only, nothing composed), for two
/// reasons:
///
/// - It bounds libyaml's own costs before `yaml_parser_load` runs. libyaml 0.2.5's loader is
///   iterative (1,000,000 nested `- ` load on a 64 KB stack), but its time is not linear:
///   every token re-checks one pending simple key per open flow collection (100,000 nested
///   `[` take 42 s; 1,000,000 never finish), and anchors are found by linear search (30,000
///   anchors take 4 s). The survey stops at the first flow collection nested deeper than
///   `YAMLLoader.maxDepth` and counts anchors, aliases and `%TAG` directives.
/// - The composed document no longer tells an explicit `!!str` from a default tag, nor names
///   anchors; the tokens do.
struct TokenSurvey {
    /// Start index (in characters) of node properties that include a tag, with that tag's
    /// suffix (`str` for `!!str`; `!` for the non-specific `!`).
    var tagSuffixes: [Int: String] = [:]
    /// Start index of node properties that include an anchor, with the anchor's name.
    var anchorNames: [Int: String] = [:]
    /// Why the file is refused before composing, if it is.
    var refusal: Diagnostic?

    static let maxAnchors = 1_000
    static let maxAliases = 10_000
    static let maxTagDirectives = 64

    /// Scans the whole stream. A scanner error ends the survey quietly: the load that follows
    /// stops at the same place and reports it with its context.
    init(bytes: [UInt8], file: String) {
        let scanner = LibYAMLParser(bytes: bytes)
        var flowDepth = 0
        var anchors = 0
        var aliases = 0
        var tagDirectives = 0
        var propertiesStart: Int?
        var survey = self

        func refuse(_ message: String, _ mark: yaml_mark_t, help: String) {
            let location = SourceLocation(
                file: file, line: mark.line + 1, column: mark.column + 1,
                length: 1)
            survey.refusal = .error(message, at: location, help: help)
        }

        while survey.refusal == nil {
            let more = scanner.scanToken { token in
                let type = token.type.rawValue
                let isProperty = type == Kind.anchor || type == Kind.tag
                let start = isProperty ? (propertiesStart ?? token.start_mark.index) : token.start_mark.index
                propertiesStart = isProperty ? start : nil
                switch type {
                case Kind.flowSequenceStart, Kind.flowMappingStart:
                    flowDepth += 1
                    if flowDepth > YAMLLoader.maxDepth {
                        refuse(
                            "nesting deeper than \(YAMLLoader.maxDepth) levels", token.start_mark,
                            help: "a spec never needs this depth; is the file generated wrongly?")
                    }
                case Kind.flowSequenceEnd, Kind.flowMappingEnd:
                    flowDepth = max(0, flowDepth - 1)
                case Kind.anchor:
                    anchors += 1
                    survey.anchorNames[start] = Self.text(token.data.anchor.value)
                    if anchors > Self.maxAnchors {
                        refuse(
                            "more than \(Self.maxAnchors) anchors ('&name') in one file", token.start_mark,
                            help: "anchors are for sharing a few values; split the file")
                    }
                case Kind.alias:
                    aliases += 1
                    if aliases > Self.maxAliases {
                        refuse(
                            "more than \(Self.maxAliases) aliases ('*name') in one file", token.start_mark,
                            help: "aliases are for sharing a few values; split the file")
                    }
                case Kind.tag:
                    let handle = Self.text(token.data.tag.handle)
                    let suffix = Self.text(token.data.tag.suffix)
                    survey.tagSuffixes[start] = handle.isEmpty && suffix == "!" ? "!" : suffix
                case Kind.tagDirective:
                    tagDirectives += 1
                    if tagDirectives > Self.maxTagDirectives {
                        refuse(
                            "more than \(Self.maxTagDirectives) %TAG directives", token.start_mark,
                            help: "spec files do not need %TAG directives")
                    }
                default:
                    break
                }
            }
            if !more { break }
        }
        self = survey
    }

    /// Whether a tag was written at `startIndex` at all (a cheap first check).
    func mayHaveTag(at startIndex: Int) -> Bool {
        tagSuffixes[startIndex] != nil
    }

    /// Whether the node whose properties start at `startIndex` was written with a tag that
    /// libyaml resolved to `resolvedTag`.
    func hasExplicitTag(at startIndex: Int, resolvedTag: String) -> Bool {
        guard let suffix = tagSuffixes[startIndex] else { return false }
        // The same index can start a block mapping and its first key's properties; the tag
        // belongs to whichever node it resolved to.
        return suffix == "!" || resolvedTag.hasSuffix(suffix)
    }

    /// Raw token types: comparing integers keeps the pass cheap even in debug builds.
    private enum Kind {
        static let flowSequenceStart = YAML_FLOW_SEQUENCE_START_TOKEN.rawValue
        static let flowSequenceEnd = YAML_FLOW_SEQUENCE_END_TOKEN.rawValue
        static let flowMappingStart = YAML_FLOW_MAPPING_START_TOKEN.rawValue
        static let flowMappingEnd = YAML_FLOW_MAPPING_END_TOKEN.rawValue
        static let anchor = YAML_ANCHOR_TOKEN.rawValue
        static let alias = YAML_ALIAS_TOKEN.rawValue
        static let tag = YAML_TAG_TOKEN.rawValue
        static let tagDirective = YAML_TAG_DIRECTIVE_TOKEN.rawValue
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }
}
