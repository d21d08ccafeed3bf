import AccordTestSupport
@testable import AccordSpec

/// A compact picture of a node tree for table tests: plain scalars bare, quoted ones in
/// double quotes, block scalars as `|…|`, explicit tags in front: `{a: [1, "b", |c\n|]}`.
func shape(_ node: YAMLNode) -> String {
    let tag = node.tag.map { $0 + " " } ?? ""
    switch node.kind {
    case let .scalar(text, .plain): return tag + text
    case let .scalar(text, .quoted): return tag + "\"\(text)\""
    case let .scalar(text, .literal): return tag + "|\(text)|"
    case let .sequence(items): return tag + "[" + items.map(shape).joined(separator: ", ") + "]"
    case let .mapping(entries):
        return tag + "{" + entries.map { shape($0.key) + ": " + shape($0.value) }.joined(separator: ", ") + "}"
    }
}

/// The node at a slash-separated path: mapping keys by name, list items by index; `@name`
/// selects the key node itself rather than its value.
func find(_ root: YAMLNode, _ path: String) -> YAMLNode? {
    var node = root
    for segment in path.split(separator: "/").map(String.init) {
        if segment.hasPrefix("@") {
            guard let entry = node.mappingEntry(String(segment.dropFirst())) else { return nil }
            node = entry.key
        } else if let index = Int(segment), let items = node.sequence {
            guard items.indices.contains(index) else { return nil }
            node = items[index]
        } else {
            guard let value = node.mappingValue(segment) else { return nil }
            node = value
        }
    }
    return node
}

/// `line:column+length`, the way the location tables are written.
func spot(_ location: SourceLocation) -> String {
    "\(location.line):\(location.column)+\(location.length)"
}

/// `line:column` of each diagnostic, for the robustness tables.
func spots(_ diagnostics: [Diagnostic]) -> [String] {
    diagnostics.map { "\($0.location.line):\($0.location.column)" }
}

/// A realistic spec, the one docs/spec-format.md shows, for location and mutation tests.
let sampleSpec = """
    # yaml-language-server: $schema=./schema.json
    suite: create-job                      # required; names the JUnit <testsuite>
    description: Creating jobs as CONTRACT.md says.
    tags: [jobs]
    variables:
      domain: example.com
    cases:
      - name: create a job
        tags: [smoke]
        request:
          method: POST
          path: /api/v1/jobs
          query: {domain: "{{domain}}", url: "https://example.com/", job_type: navigate_extract}
          headers: {X-Request-Id: "{{uuid}}"}
          json: {depth: 2}
          timeout: 5s
        expect:
          status: 201
          headers:
            Content-Type: application/json
            X-Request-Id: {matches: "^[0-9a-f-]{36}$"}
          body:
            $.job_id: {matches: uuid}
            $.status: created
            $.domain: {equals: "{{domain}}"}
          schema:
            type: object
            required: [job_id, status, domain, job_type]
            additionalProperties: false
            properties:
              job_id: {type: string, pattern: '^[0-9a-f-]{36}$'}
          max_time: 500ms
        capture:
          job_id: $.job_id
          request_id: {header: X-Request-Id}
        verify:
          - sql: |
              SELECT status, priority
              FROM jobs WHERE id = $1
            params: ["{{job_id}}"]
            rows: [[queued, 2]]
          - stream: jobs:stream:normal
            entry: {job_id: "{{job_id}}"}
          - key: "jobs:enqueued:{{job_id}}"
            exists: true

    """
