import AccordHTTPTypes
import AccordJSON
import AccordLoad
import AccordSpec
import Foundation
import Synchronization

/// An endpoint made a load request: rendered once as a check renders it, with a marker where
/// each value changes per request (`{{uuid}}`, `{{seq}}`, `{{random_int a b}}`, a pool item,
/// a feeder's column), then compiled to a `LoadTemplate` the engine renders per request.
/// An endpoint with nothing changing is sent as rendered.
enum LoadRequests {
    /// A run's data sources as the engines see them (every plan carries them all), and per
    /// spec the template names that draw from them: `pool.NAME`, `feed.NAME.COLUMN`.
    struct Sources {
        var sources: [ValueSource] = []
        var slotsBySpec: [String: [String: LoadTemplate.Slot]] = [:]

        mutating func add(_ source: ValueSource, as prefix: String, spec: String) {
            let index = sources.count
            sources.append(source)
            if prefix.hasPrefix("pool.") {
                slotsBySpec[spec, default: [:]][prefix] = .source(index, column: 0)
            } else {
                for (column, name) in source.columns.enumerated() { slotsBySpec[spec, default: [:]][prefix + "." + name] = .source(index, column: column) }
            }
        }

        func slots(_ spec: String) -> [String: LoadTemplate.Slot] { slotsBySpec[spec] ?? [:] }
    }

    /// `endpoint`'s load request; `collect` is what to keep from its answers (a pool's or a
    /// reconciliation's JSONPath).
    static func compile(
        _ endpoint: Endpoint, variables: [String: String], context base: RenderContext, slots names: [String: LoadTemplate.Slot], target: String,
        defaults: [(name: String, value: String)], specDefaults: [(name: String, value: Template)] = [], specHTTP: String? = nil,
        transport: Transport = Transport(), collect: String?
    ) throws -> LoadRequest {
        let nonce = "accordslot" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let slots = Mutex<[LoadTemplate.Slot]>([])
        @Sendable func marker(_ slot: LoadTemplate.Slot) -> String {
            slots.withLock { list in
                list.append(slot)
                return nonce + String(list.count - 1) + nonce
            }
        }
        var context = base
        context.variables = variables
        for (name, slot) in names { context.variables[name] = marker(slot) }
        context.uuid = { marker(.uuid) }
        // `{{seq}}` and `{{random_int}}` render through Int closures, which cannot return a
        // marker: `markingNumbers` has put their markers in the text already.
        context.nextSequence = { 0 }
        context.randomInt = { $0.lowerBound }
        let request = try RequestRendering.render(
            Self.markingNumbers(endpoint.request, marker: marker), target: target, context: context, defaults: defaults, specDefaults: specDefaults,
            specHTTP: specHTTP, transport: transport)
        let expectation = endpoint.expectStatus
        let accepts: @Sendable (Int) -> Bool = { status in expectation?.accepts(status) ?? (200..<400).contains(status) }
        let bodyEscaping: LoadTemplate.Escaping
        if case .json = endpoint.request.body { bodyEscaping = .json } else { bodyEscaping = .none }
        let template = LoadTemplate(marked: request, marker: nonce, slots: slots.withLock { $0 }, bodyEscaping: bodyEscaping)
        return LoadRequest(request: request, accepts: accepts, collect: collect, template: template)
    }

    /// The request with `{{seq}}` and `{{random_int a b}}` turned into variables whose values
    /// are markers (the context's Int closures cannot return one).
    static func markingNumbers(_ request: RequestTemplate, marker: @Sendable (LoadTemplate.Slot) -> String) -> RequestTemplate {
        func mark(_ template: Template) -> Template {
            Template(parts: template.parts.map { part in
                switch part {
                case .sequence: return .literal(marker(.sequence))
                case let .randomInt(low, high): return .literal(marker(.randomInt(low, high)))
                default: return part
                }
            })
        }
        var marked = request
        marked.path = mark(request.path)
        marked.query = request.query.map { (name: $0.name, value: mark($0.value)) }
        marked.headers = request.headers.map { (name: $0.name, value: mark($0.value)) }
        switch request.body {
        case let .raw(text)?: marked.body = .raw(mark(text))
        case let .json(value)?:
            // Back to text: the markers stay as literals, every other part keeps its spelling.
            marked.body = .json(mapStrings(value) { text in
                guard text.contains("{{"), let parsed = try? Template(parsing: text) else { return text }
                return mark(parsed).description
            })
        case nil: break
        }
        return marked
    }

    static func mapStrings(_ value: JSON, _ transform: (String) -> String) -> JSON {
        switch value {
        case let .string(text): return .string(transform(text))
        case let .array(items): return .array(items.map { mapStrings($0, transform) })
        case let .object(members): return .object(members.map { (key: $0.key, value: mapStrings($0.value, transform)) })
        default: return value
        }
    }
}
