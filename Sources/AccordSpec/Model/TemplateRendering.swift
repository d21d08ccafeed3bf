import AccordJSON

/// What rendering needs from the outside world, injected so rendering stays a pure function
/// in tests: variable values, the environment, and sources of fresh values.
public struct RenderContext: Sendable {
    public var variables: [String: String]
    public var environment: [String: String]
    public var uuid: @Sendable () -> String
    public var randomInt: @Sendable (ClosedRange<Int>) -> Int
    /// Returns the next value of the run's `{{seq}}` counter.
    public var nextSequence: @Sendable () -> Int

    public init(
        variables: [String: String] = [:], environment: [String: String] = [:], uuid: @escaping @Sendable () -> String,
        randomInt: @escaping @Sendable (ClosedRange<Int>) -> Int, nextSequence: @escaping @Sendable () -> Int
    ) {
        self.variables = variables
        self.environment = environment
        self.uuid = uuid
        self.randomInt = randomInt
        self.nextSequence = nextSequence
    }
}

/// A template named something the context does not have.
public struct RenderError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) { self.message = message }
}

extension Template {
    public func render(_ context: RenderContext) throws(RenderError) -> String {
        var out = ""
        for part in parts {
            switch part {
            case let .literal(text): out += text
            case let .variable(name):
                guard let value = context.variables[name] else {
                    throw RenderError(message: "variable '\(name)' has no value (was the case that captures it skipped or failed?)")
                }
                out += value
            case .uuid: out += context.uuid()
            case let .environment(name):
                guard let value = context.environment[name] else {
                    throw RenderError(message: "environment variable \(name) is not set")
                }
                out += value
            case let .randomInt(low, high): out += String(context.randomInt(low...high))
            case .sequence: out += String(context.nextSequence())
            }
        }
        return out
    }
}

extension Template {
    /// Renders `text` when it holds `{{…}}`; text the loader accepted always parses.
    static func renderText(_ text: String, _ context: RenderContext) throws(RenderError) -> String {
        guard text.contains("{{") else { return text }
        do {
            return try Template(parsing: text).render(context)
        } catch let error as RenderError {
            throw error
        } catch {
            return text
        }
    }
}

extension JSON {
    /// The value with every string that holds `{{…}}` rendered as a template.
    public func renderingTemplates(_ context: RenderContext) throws(RenderError) -> JSON {
        switch self {
        case let .string(text) where text.contains("{{"):
            return .string(try Template.renderText(text, context))
        case let .array(elements):
            var rendered: [JSON] = []
            rendered.reserveCapacity(elements.count)
            for element in elements { rendered.append(try element.renderingTemplates(context)) }
            return .array(rendered)
        case let .object(members):
            var rendered: [(key: String, value: JSON)] = []
            rendered.reserveCapacity(members.count)
            for member in members { rendered.append((key: member.key, value: try member.value.renderingTemplates(context))) }
            return .object(rendered)
        default:
            return self
        }
    }
}

extension Predicate {
    /// The predicate with templates in its values rendered.
    public func renderingTemplates(_ context: RenderContext) throws(RenderError) -> Predicate {
        switch self {
        case let .equals(value): return .equals(try value.renderingTemplates(context))
        case let .notEquals(value): return .notEquals(try value.renderingTemplates(context))
        case let .contains(value): return .contains(try value.renderingTemplates(context))
        case let .notContains(value): return .notContains(try value.renderingTemplates(context))
        case let .oneOf(values):
            var rendered: [JSON] = []
            for value in values { rendered.append(try value.renderingTemplates(context)) }
            return .oneOf(rendered)
        case let .length(inner):
            var rendered: [Predicate] = []
            for predicate in inner { rendered.append(try predicate.renderingTemplates(context)) }
            return .length(rendered)
        case let .matches(.regex(pattern)) where pattern.contains("{{"):
            return .matches(.regex(try Template.renderText(pattern, context)))
        case .matches, .type, .exists, .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual:
            return self
        }
    }
}

extension Expectations {
    /// The expectations with templates in expected values rendered (the answer's captures
    /// are in `context` by then).
    public func renderingTemplates(_ context: RenderContext) throws(RenderError) -> Expectations {
        var rendered = self
        rendered.headers = []
        for assertion in headers {
            var copy = assertion
            copy.predicate = try assertion.predicate.renderingTemplates(context)
            rendered.headers.append(copy)
        }
        rendered.bodyNotContains = []
        for fragment in bodyNotContains {
            rendered.bodyNotContains.append(Located(try Template.renderText(fragment.value, context), at: fragment.location))
        }
        rendered.body = []
        for assertion in body {
            var copy = assertion
            copy.predicate = try assertion.predicate.renderingTemplates(context)
            rendered.body.append(copy)
        }
        return rendered
    }
}
