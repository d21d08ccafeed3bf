import AccordHTTP
import AccordHTTPTypes
import AccordSpec

/// A request template made concrete: templates rendered, the query encoded, a JSON body
/// serialized with its Content-Type, and the run's default headers (`--header`) added where
/// the template does not set the same name. Shared by the checks and the load phases.
enum RequestRendering {
    static func render(
        _ template: RequestTemplate, target: String, context: RenderContext, defaults: [(name: String, value: String)] = [],
        specDefaults: [(name: String, value: Template)] = [], specHTTP: String? = nil, transport: Transport = Transport()
    ) throws -> ClientRequest {
        var transport = transport
        if !transport.httpChosen, let version = specHTTP.flatMap(Transport.HTTPVersion.init(rawValue:)) {
            if version == .http2PriorKnowledge, let problem = CurlVersion.priorKnowledgeProblem { throw RenderError(message: problem) }
            transport.http = version
        }
        var url = target + (try template.path.render(context))
        if !template.query.isEmpty {
            let pairs = try template.query.map { "\(URLEncoding.queryComponent($0.name))=\(URLEncoding.queryComponent(try $0.value.render(context)))" }
            url += (url.contains("?") ? "&" : "?") + pairs.joined(separator: "&")
        }
        var headers = try template.headers.map { (name: $0.name, value: try $0.value.render(context)) }
        // The case's own headers, then the run's (--header), then the spec's defaults; a name
        // the case sets or drops (null) is not added again.
        var taken = Set(headers.map { $0.name.lowercased() }).union(template.droppedHeaders)
        for header in defaults where !taken.contains(header.name.lowercased()) {
            headers.append(header)
            taken.insert(header.name.lowercased())
        }
        for header in specDefaults where !taken.contains(header.name.lowercased()) {
            headers.append((name: header.name, value: try header.value.render(context)))
            taken.insert(header.name.lowercased())
        }
        var body: [UInt8]?
        switch template.body {
        case let .json(value)?:
            body = Array(try value.renderingTemplates(context).serialized().utf8)
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append((name: "Content-Type", value: "application/json"))
            }
        case let .raw(text)?:
            body = Array(try text.render(context).utf8)
        case nil:
            break
        }
        return ClientRequest(
            method: template.method, url: url, headers: headers, body: body, timeoutMilliseconds: template.timeoutMilliseconds, transport: transport)
    }
}
