import AccordJSON

/// Turns the raw parts of a create-job request into a `JobRequest`, or into every rule it
/// breaks at once (as FastAPI reports them). Pure: no I/O, nothing written.
///
/// The rules are CONTRACT.md's: `domain` 1–253 characters without control characters; `url`
/// an absolute http(s) URL up to 2048 characters; `job_type` 1–64 of `[a-z0-9_.-]`;
/// `strategy` vanilla|stealth|assault; `priority` 0–3; `timeout_seconds` 1–86400;
/// `idempotency_key` 1–255 printable characters; the body a JSON object. Decisions where the
/// contract is silent: a parameter given twice is an error (never "the last one wins"), and
/// unknown parameters are ignored, as FastAPI does.
public enum CreateJobValidation {
    public static let maxBodyBytes = 64 * 1024

    /// - Parameter maxPriority: 3, as the contract says; only an injected fault raises it.
    public static func validate(query rawQuery: Substring, body: [UInt8], maxPriority: Int = 3) -> Result<JobRequest, APIError> {
        let query = QueryString(rawQuery)
        var issues: [ValidationIssue] = []

        func single(_ name: String, required: Bool) -> String? {
            let values = query.values(name)
            if values.isEmpty {
                if required { issues.append(.init(["query", name], "Field required", type: "missing")) }
                return nil
            }
            if values.count > 1 {
                issues.append(.init(["query", name], "Parameter given more than once", type: "multiple_values"))
                return nil
            }
            guard case let .text(value) = values[0] else {
                issues.append(.init(["query", name], "Input should be valid percent-encoded UTF-8", type: "string_unicode"))
                return nil
            }
            return value
        }

        func text(_ name: String, _ value: String?, min: Int, max: Int) -> String? {
            guard let value else { return nil }
            let length = value.unicodeScalars.count
            if length < min {
                issues.append(.init(["query", name], "String should have at least \(min) character\(min == 1 ? "" : "s")", type: "string_too_short"))
                return nil
            }
            if length > max {
                issues.append(.init(["query", name], "String should have at most \(max) characters", type: "string_too_long"))
                return nil
            }
            if value.unicodeScalars.contains(where: isControl) {
                issues.append(.init(["query", name], "String should not contain control characters", type: "string_pattern_mismatch"))
                return nil
            }
            return value
        }

        func integer(_ name: String, _ value: String?, default fallback: Int, range: ClosedRange<Int>) -> Int? {
            guard let value else { return fallback }
            guard let number = parseInteger(value) else {
                issues.append(.init(["query", name], "Input should be a valid integer, unable to parse string as an integer", type: "int_parsing"))
                return nil
            }
            if number < range.lowerBound {
                issues.append(.init(["query", name], "Input should be greater than or equal to \(range.lowerBound)", type: "greater_than_equal"))
                return nil
            }
            if number > range.upperBound {
                issues.append(.init(["query", name], "Input should be less than or equal to \(range.upperBound)", type: "less_than_equal"))
                return nil
            }
            return number
        }

        let domain = text("domain", single("domain", required: true), min: 1, max: 253)

        var url = text("url", single("url", required: true), min: 1, max: 2048)
        if let candidate = url, let problem = URLRule.problem(candidate) {
            issues.append(.init(["query", "url"], problem.message, type: problem.type))
            url = nil
        }

        var jobType = text("job_type", single("job_type", required: true), min: 1, max: 64)
        if let candidate = jobType, !candidate.utf8.allSatisfy(isJobTypeByte) {
            issues.append(.init(["query", "job_type"], "String should match pattern '^[a-z0-9_.-]+$'", type: "string_pattern_mismatch"))
            jobType = nil
        }

        var strategy: Strategy? = .vanilla
        if let raw = single("strategy", required: false) {
            strategy = Strategy(rawValue: raw)
            if strategy == nil {
                issues.append(.init(["query", "strategy"], "Input should be 'vanilla', 'stealth' or 'assault'", type: "enum"))
            }
        }

        let priority = integer("priority", single("priority", required: false), default: 2, range: 0...maxPriority)
        let timeout = integer("timeout_seconds", single("timeout_seconds", required: false), default: 300, range: 1...86_400)

        var idempotencyKey: String?
        if let raw = single("idempotency_key", required: false) {
            idempotencyKey = text("idempotency_key", raw, min: 1, max: 255)
        }

        let payload = parsePayload(body, issues: &issues)

        guard issues.isEmpty, let domain, let url, let jobType, let strategy, let priority, let timeout, let payload else {
            return .failure(.validation(issues))
        }
        return .success(
            JobRequest(
                domain: domain, url: url, jobType: jobType, strategy: strategy, priority: priority,
                timeoutSeconds: timeout, idempotencyKey: idempotencyKey, payload: payload))
    }

    /// An empty body is `{}`; otherwise it must be a JSON object.
    static func parsePayload(_ body: [UInt8], issues: inout [ValidationIssue]) -> JSON? {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return .object([]) }
        do {
            let value = try JSON.parse(bytes: body)
            guard case .object = value else {
                issues.append(.init(["body"], "Input should be a valid dictionary", type: "dict_type"))
                return nil
            }
            return value
        } catch {
            issues.append(.init(["body"], "JSON decode error: \(error.message) at byte \(error.offset)", type: "json_invalid"))
            return nil
        }
    }

    /// Decimal digits with an optional sign, as pydantic accepts them (`" 2 "` and `2.0`
    /// are not integers here).
    static func parseInteger(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 20 else { return nil }
        return Int(text)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    static func isJobTypeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}

/// What makes a URL acceptable: absolute, http or https, a host, an optional numeric port,
/// and no spaces or control characters anywhere.
enum URLRule {
    struct Problem: Equatable {
        var message: String
        var type: String
    }

    static func problem(_ url: String) -> Problem? {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else {
            return Problem(message: "Input should be a valid URL, relative URL without a base", type: "url_parsing")
        }
        let scheme = url[..<colon].lowercased()
        guard scheme == "http" || scheme == "https" else {
            return Problem(message: "URL scheme should be 'http' or 'https'", type: "url_scheme")
        }
        if url.unicodeScalars.contains(where: { $0 == " " || CreateJobValidation.isControl($0) }) {
            return Problem(message: "Input should be a valid URL, invalid character", type: "url_parsing")
        }
        let rest = url[colon...].dropFirst(3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        var host = Substring(hostPort)
        var port: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else {
                return Problem(message: "Input should be a valid URL, invalid IPv6 address", type: "url_parsing")
            }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    return Problem(message: "Input should be a valid URL, invalid port number", type: "url_parsing")
                }
                port = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return Problem(message: "Input should be a valid URL, invalid IPv6 address", type: "url_parsing")
            }
        } else {
            if let colon = hostPort.lastIndex(of: ":") {
                host = hostPort[..<colon]
                port = hostPort[hostPort.index(after: colon)...]
            }
            guard !host.isEmpty else {
                return Problem(message: "Input should be a valid URL, empty host", type: "url_parsing")
            }
            guard host.unicodeScalars.allSatisfy(isHostScalar) else {
                return Problem(message: "Input should be a valid URL, invalid domain character", type: "url_parsing")
            }
        }
        if let port {
            guard !port.isEmpty, port.count <= 5, let number = Int(port), number <= 65535 else {
                return Problem(message: "Input should be a valid URL, invalid port number", type: "url_parsing")
            }
        }
        return nil
    }

    /// Letters (any script: internationalized names), digits, dot, hyphen, underscore.
    static func isHostScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isAlphabetic { return true }
        switch scalar {
        case "0"..."9", ".", "-", "_": return true
        default: return false
        }
    }
}
