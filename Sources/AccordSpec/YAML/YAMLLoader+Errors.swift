import CYAML

/// libyaml's error messages, said for people who write spec files. libyaml's wording
/// ("found character that cannot start any token") is kept only when nothing better applies.
extension YAMLLoader {
    static func diagnose(_ error: LibYAMLError, lines: SourceLines, file: String) -> Diagnostic {
        func at(_ mark: LibYAMLMark, length: Int = 1) -> SourceLocation {
            SourceLocation(file: file, line: mark.line + 1, column: mark.column + 1, length: length)
        }
        switch error.kind {
        case YAML_READER_ERROR:
            return readerError(error, lines: lines, file: file)
        case YAML_MEMORY_ERROR:
            return .error("out of memory while reading the YAML", at: at(error.problemMark))
        default:
            break
        }

        let problem = error.problem
        let context = error.context ?? ""
        let character = scalar(at: error.problemMark, lines: lines)
        let opened = "line \(error.contextMark.line + 1), column \(error.contextMark.column + 1)"
        let openedColumn = error.contextMark.column + 1

        switch problem {
        case _ where problem.contains("tab character") || (character == "\t" && problem.contains("cannot start any token")):
            return .error(
                "tabs are not allowed for indentation in YAML; use spaces", at: at(error.problemMark),
                label: "a tab", help: "set your editor to insert spaces for the Tab key in YAML files")
        case "found character that cannot start any token":
            let shown = character.map { quotable(String($0)) } ?? "?"
            return .error(
                "'\(shown)' cannot start a value in YAML", at: at(error.problemMark),
                help: "quote the value: \"\(shown)…\"")
        case "found unexpected end of stream" where context.contains("quoted scalar"),
            "found unexpected document indicator" where context.contains("quoted scalar"):
            return .error(
                "unterminated quoted string", at: at(error.contextMark),
                label: "this quote is never closed", help: "add the closing quote")
        case "found unknown escape character":
            return .error(
                "unknown escape sequence in a double-quoted string", at: at(error.problemMark),
                help: "write \\\\ for a backslash, or use single quotes, where '\\' is plain text")
        case "mapping values are not allowed in this context":
            return .error(
                "unexpected ':' (a mapping value is not allowed here)", at: at(error.problemMark),
                help: "check the indentation of this line; quote a value that contains ': '")
        case "could not find expected ':'":
            return .error(
                "expected ':' after this key", at: at(error.contextMark),
                help: "every line of a mapping is 'key: value'; check the indentation")
        case "did not find expected key":
            return .error(
                "expected a 'key: value' line here", at: at(error.problemMark),
                help: "the mapping that starts at \(opened) has its keys at column \(openedColumn); check this line's indentation")
        case "did not find expected '-' indicator":
            return .error(
                "expected a '- item' line here", at: at(error.problemMark),
                help: "the list that starts at \(opened) has its '- ' items at column \(openedColumn); check this line's indentation")
        case "block sequence entries are not allowed in this context":
            return .error(
                "a '- item' is not allowed here", at: at(error.problemMark),
                help: "a list under a key starts on the next line, indented")
        case "did not find expected ',' or ']'":
            return .error(
                "expected ',' or ']'", at: at(error.problemMark), help: "the list opened with '[' at \(opened)")
        case "did not find expected ',' or '}'":
            return .error(
                "expected ',' or '}'", at: at(error.problemMark), help: "the mapping opened with '{' at \(opened)")
        case "did not find expected node content":
            return .error("expected a value here", at: at(error.problemMark))
        case "did not find expected <document start>":
            return .error(
                "unexpected text after the end of the document", at: at(error.problemMark),
                help: "check this line's indentation and brackets")
        case "found undefined alias":
            let name = word(after: error.problemMark, lines: lines)
            return .error(
                "unknown alias '*\(name)'", at: at(error.problemMark, length: name.count + 1),
                help: "an alias names an anchor ('&\(name)') written before it")
        case "second occurence", "second occurrence":
            let name = word(after: error.problemMark, lines: lines)
            return .error(
                "duplicate anchor '&\(name)' (first at line \(error.contextMark.line + 1))",
                at: at(error.problemMark, length: name.count + 1), help: "give each anchor its own name")
        default:
            let detail = context.isEmpty ? "" : " (\(context))"
            let help = context.isEmpty || error.contextMark == error.problemMark ? nil : "that started at \(opened)"
            return .error("invalid YAML: \(problem)\(detail)", at: at(error.problemMark), help: help)
        }
    }

    /// Bad bytes: libyaml gives a byte offset (its marks are not set for these).
    private static func readerError(_ error: LibYAMLError, lines: SourceLines, file: String) -> Diagnostic {
        let (line, column) = lines.position(ofByteOffset: error.problemOffset)
        let location = SourceLocation(file: file, line: line, column: column)
        let value = error.problemValue
        if error.problem.contains("control characters") {
            let codePoint = "U+" + hex(value, digits: 4)
            return .error(
                "the file contains the control character \(codePoint), which YAML does not allow",
                at: location, help: "is this a binary file? Spec files are UTF-8 text")
        }
        if error.problem.contains("UTF-8") || error.problem.contains("Unicode") {
            // The byte at the offset is the one to show: libyaml's value is sometimes the
            // next byte, sometimes none.
            let detail = error.problem.contains("Unicode") && value >= 0
                ? " (it encodes U+\(hex(value, digits: 4)), which is not a character)"
                : lines.byte(at: error.problemOffset).map { " (byte 0x\(hex(Int($0), digits: 2)))" } ?? ""
            return .error(
                "the file is not valid UTF-8\(detail)", at: location, help: "save the file as UTF-8")
        }
        return .error("cannot read the file: \(error.problem)", at: location)
    }

    /// "duplicate key 'x' (first at line N)", shared by the loader and `YAMLNode.json()`.
    static func duplicateKey(_ name: String, at location: SourceLocation, firstLine: Int) -> Diagnostic {
        .error(
            "duplicate key '\(quotable(name))' (first at line \(firstLine))", at: location,
            help: "a key may appear once in a mapping; remove or rename one")
    }

    /// Text for a message: control characters escaped, at most 60 characters.
    static func quotable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                result += "\\u{\(hex(Int(scalar.value), digits: 1))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result.count > 60 ? String(result.prefix(59)) + "…" : result
    }

    private static func scalar(at mark: LibYAMLMark, lines: SourceLines) -> Unicode.Scalar? {
        guard let text = lines.text(ofLine: mark.line + 1) else { return nil }
        return text.unicodeScalars.dropFirst(mark.column).first
    }

    /// The anchor or alias name after the `&` or `*` at `mark`.
    private static func word(after mark: LibYAMLMark, lines: SourceLines) -> String {
        guard let text = lines.text(ofLine: mark.line + 1) else { return "" }
        let stops: Set<Unicode.Scalar> = [" ", "\t", ",", "[", "]", "{", "}"]
        var name = String.UnicodeScalarView()
        for scalar in text.unicodeScalars.dropFirst(mark.column + 1) {
            if stops.contains(scalar) { break }
            name.append(scalar)
        }
        return quotable(String(name))
    }

    private static func hex(_ value: Int, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
