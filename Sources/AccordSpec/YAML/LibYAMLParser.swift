import CYAML

/// A libyaml position: 0-based, columns and index counted in characters.
struct LibYAMLMark: Equatable {
    var index: Int
    var line: Int
    var column: Int

    init(_ mark: yaml_mark_t) {
        index = mark.index
        line = mark.line
        column = mark.column
    }
}

/// What libyaml said when it gave up, copied out of the parser before the parser goes.
struct LibYAMLError {
    var kind: yaml_error_type_t
    var problem: String
    var problemMark: LibYAMLMark
    /// For reader errors (bad bytes), the byte offset; their marks are not set.
    var problemOffset: Int
    /// For reader errors, the offending byte or code point, or -1.
    var problemValue: Int
    var context: String?
    var contextMark: LibYAMLMark
}

/// One libyaml parser over its own copy of the input. libyaml keeps pointers both to the input
/// and to the parser itself (`yaml_parser_set_input_string` stores the parser as its read
/// handler's data), so both live on the heap, fixed, for as long as this object; `deinit`
/// releases them. Not shared between threads: each load makes its own.
final class LibYAMLParser {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let initialized: Bool

    init(bytes: [UInt8]) {
        parser = .allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        // At least one byte, so that even an empty input has a real address.
        input = .allocate(capacity: max(1, bytes.count))
        input.initialize(repeating: 0)
        _ = input.initialize(from: bytes)
        initialized = yaml_parser_initialize(parser) == 1
        if initialized {
            // Spec files are UTF-8; without this a stray BOM would switch libyaml to UTF-16.
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(parser, UnsafePointer(input.baseAddress), bytes.count)
        }
    }

    deinit {
        if initialized { yaml_parser_delete(parser) }
        parser.deinitialize(count: 1)
        parser.deallocate()
        input.deallocate()
    }

    /// The next document of the stream (its `rootIndex` is nil at the end of the stream), or
    /// nil on an error, which `error` then describes.
    func loadDocument() -> LibYAMLDocument? {
        guard initialized else { return nil }
        let document = LibYAMLDocument()
        guard yaml_parser_load(parser, document.document) == 1 else { return nil }
        document.loaded = true
        return document
    }

    /// The next token of the stream, handed to `body` and freed after it; false on an error
    /// (see `error`) or once the stream has ended.
    func scanToken(_ body: (yaml_token_t) -> Void) -> Bool {
        guard initialized else { return false }
        var token = yaml_token_t()
        guard yaml_parser_scan(parser, &token) == 1 else { return false }
        defer { yaml_token_delete(&token) }
        body(token)
        let type = token.type.rawValue
        return type != YAML_STREAM_END_TOKEN.rawValue && type != YAML_NO_TOKEN.rawValue
    }

    /// libyaml's error state; a memory error when the parser could not even be initialized.
    var error: LibYAMLError {
        guard initialized else {
            let start = LibYAMLMark(yaml_mark_t())
            return LibYAMLError(
                kind: YAML_MEMORY_ERROR, problem: "out of memory", problemMark: start, problemOffset: 0,
                problemValue: -1, context: nil, contextMark: start)
        }
        let state = parser.pointee
        return LibYAMLError(
            kind: state.error,
            problem: state.problem.map { String(cString: $0) } ?? "",
            problemMark: LibYAMLMark(state.problem_mark),
            problemOffset: state.problem_offset,
            problemValue: Int(state.problem_value),
            context: state.context.map { String(cString: $0) },
            contextMark: LibYAMLMark(state.context_mark))
    }
}

/// One composed document: its nodes, 1-based, the root first. Freed with the object.
final class LibYAMLDocument {
    let document: UnsafeMutablePointer<yaml_document_t>
    /// Whether libyaml filled the document (and so owns memory that must be deleted); on a
    /// failed load libyaml has already freed it.
    fileprivate(set) var loaded = false

    init() {
        document = .allocate(capacity: 1)
        document.initialize(to: yaml_document_t())
    }

    deinit {
        if loaded { yaml_document_delete(document) }
        document.deinitialize(count: 1)
        document.deallocate()
    }

    /// Number of nodes; 0 for the empty document libyaml returns at the end of the stream.
    var nodeCount: Int {
        let nodes = document.pointee.nodes
        guard let start = nodes.start, let top = nodes.top else { return 0 }
        return top - start
    }

    /// The node with 1-based `index`, or nil.
    func node(_ index: Int32) -> UnsafeMutablePointer<yaml_node_t>? {
        accord_yaml_node(document, index)
    }

    var startMark: LibYAMLMark { LibYAMLMark(document.pointee.start_mark) }
}
