import AccordResults
import AccordChecks
import AccordHTTP
import AccordHTTPTypes
import AccordJSON
import AccordProbes
import AccordSpec
import Foundation

/// One case from rendering to verdict: render the request, send it (N times for a parallel
/// case), capture, evaluate the expectations, verify side effects.
struct CaseExecution {
    let specCase: Case
    let runner: CheckRunner
    /// The file's variables and earlier captures; this case's captures are added.
    var variables: [String: String]
    /// The file's `defaults:` headers and HTTP version.
    let specDefaults: [(name: String, value: Template)]
    let specHTTP: String?

    init(
        specCase: Case, runner: CheckRunner, variables: [String: String], specDefaults: [(name: String, value: Template)] = [],
        specHTTP: String? = nil
    ) {
        self.specCase = specCase
        self.runner = runner
        self.variables = variables
        self.specDefaults = specDefaults
        self.specHTTP = specHTTP
    }

    /// Header values no transcript shows: the run's `--header`s and the spec's defaults that
    /// come from the environment (`{{env.API_KEY}}`).
    var secretHeaders: Set<String> {
        runner.secretHeaders.union(specDefaults.filter { header in
            header.value.parts.contains { if case .environment = $0 { return true } else { return false } }
        }.map { $0.name.lowercased() })
    }

    mutating func run() async -> ResultsDocument.Case {
        let placeholder = ResultsDocument.Case(name: "", location: specCase.name.location, outcome: .error)
        // 1. Render the request once (a parallel case sends N copies of the same request).
        let request: ClientRequest
        do {
            request = try RequestRendering.render(
                specCase.request, target: runner.options.target, context: runner.renderContext(variables), defaults: runner.options.headers,
                specDefaults: specDefaults, specHTTP: specHTTP, transport: runner.options.transport)
        } catch {
            return with(placeholder, reason: "could not render the request: \(error)")
        }
        var transcript = Transcript.request(request, count: specCase.parallel, secret: secretHeaders)

        // 2. Stream lengths before, for length_delta verifications.
        var lengthsBefore: [String: Int64] = [:]
        do {
            lengthsBefore = try await streamLengths()
        } catch {
            return with(placeholder, reason: "\(error)", transcript: transcript)
        }

        // 3. Send.
        let outcomes = await runner.send(Array(repeating: request, count: specCase.parallel))
        var responses: [ClientResponse] = []
        for outcome in outcomes {
            switch outcome {
            case let .success(response): responses.append(response)
            case let .failure(error):
                return with(placeholder, reason: "\(request.method) \(request.url): \(error)", transcript: transcript)
            }
        }
        if let first = responses.first { transcript += Transcript.response(first) }
        runner.observe(responses, expected: specCase.expect.status?.value)

        // 4. Captures, then expectations (which may use them), per answer.
        var failures: [CheckFailure] = []
        var capturedPerResponse: [[String: String]] = []
        for response in responses {
            let (captured, captureFailures) = CaptureExtraction.extract(specCase.captures, from: response)
            capturedPerResponse.append(captured)
            failures += captureFailures
        }
        if let first = capturedPerResponse.first { variables.merge(first) { $1 } }
        let context = runner.renderContext(variables)
        let expectations: Expectations
        do {
            expectations = try specCase.expect.renderingTemplates(context)
        } catch {
            return with(placeholder, reason: "could not render the expectations: \(error)", transcript: transcript)
        }
        for (index, response) in responses.enumerated() {
            let found = CaseEvaluation.evaluate(expectations, response: response)
            failures += responses.count == 1 ? found : found.map { $0.prefixed("answer \(index + 1) of \(responses.count): ") }
        }
        failures += AggregateEvaluation.evaluate(specCase.aggregates, responses: responses, captures: capturedPerResponse)

        // 5. Side effects.
        if failures.isEmpty {
            do {
                failures += try await verify(context: context, lengthsBefore: lengthsBefore)
            } catch {
                return with(placeholder, reason: "\(error)", transcript: transcript)
            }
        }
        return ResultsDocument.Case(
            name: "", location: specCase.name.location, outcome: failures.isEmpty ? .passed : .failed, failures: failures,
            transcript: transcript)
    }

    private func with(_ result: ResultsDocument.Case, reason: String, transcript: String = "") -> ResultsDocument.Case {
        var result = result
        result.reason = reason
        result.transcript = transcript
        return result
    }

    func streamLengths() async throws -> [String: Int64] {
        var lengths: [String: Int64] = [:]
        let context = runner.renderContext(variables)
        for verification in specCase.verifications {
            if case let .streamLengthDelta(stream, _) = verification.kind {
                let name = try stream.render(context)
                lengths[name] = try await runner.probe.streamLength(name)
            }
        }
        return lengths
    }

    func verify(context: RenderContext, lengthsBefore: [String: Int64]) async throws -> [CheckFailure] {
        var failures: [CheckFailure] = []
        for verification in specCase.verifications {
            let observation = try await observe(verification, context: context)
            if let failure = try VerificationEvaluation.evaluate(verification, observation: observation, context: context, lengthsBefore: lengthsBefore) {
                failures.append(failure)
            }
        }
        return failures
    }

    /// Reads, through the probe, what `verification` needs to see.
    func observe(_ verification: Verification, context: RenderContext) async throws -> Observation {
        switch verification.kind {
        case let .sql(query, params, _, _):
            let values = try params.map { try $0.render(context) }
            return .rows(try await runner.probe.rows(query, params: values))
        case let .streamEntry(stream, _, _):
            return .entries(try await runner.probe.streamEntries(try stream.render(context)).map(\.fields))
        case let .keyExists(key, _):
            return .exists(try await runner.probe.keyExists(try key.render(context)))
        case let .streamLengthDelta(stream, _):
            let name = try stream.render(context)
            return .length(name, try await runner.probe.streamLength(name))
        }
    }
}

/// Percent-encoding for query components (RFC 3986 unreserved characters stay as they are).
enum URLEncoding {
    static func queryComponent(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}

/// The request and response as text, for `<system-out>` and the console (bodies cut at 2 KiB).
enum Transcript {
    static let limit = 2048

    /// Headers whose values are credentials whoever sets them; with the run's `--header`
    /// names, their values read `***` in every transcript.
    static let alwaysSecret: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"]

    static func shown(_ header: (name: String, value: String), secret: Set<String>) -> String {
        let name = header.name.lowercased()
        return "\(header.name): \(secret.contains(name) || alwaysSecret.contains(name) ? "***" : header.value)"
    }

    static func request(_ request: ClientRequest, count: Int, secret: Set<String> = []) -> String {
        var text = "\(request.method) \(request.url)\(count > 1 ? "  (×\(count) at once)" : "")\n"
        for header in request.headers { text += shown(header, secret: secret) + "\n" }
        if let body = request.body, !body.isEmpty { text += "\n" + excerpt(body) + "\n" }
        return text
    }

    static func response(_ response: ClientResponse) -> String {
        var text = "\n< \(response.status)\n"
        // Over TLS, where the time went: a new connection's handshake shows here (0 when the
        // connection and its session were reused).
        let timing = response.timing
        if timing.tls > 0 {
            func ms(_ microseconds: Int64) -> String { String(format: "%.1f ms", Double(microseconds) / 1000) }
            text += "< (TLS handshake \(ms(max(0, timing.tls - timing.connect))), first byte \(ms(timing.firstByte)), total \(ms(timing.total)))\n"
        }
        for header in response.headers { text += "< " + shown(header, secret: []) + "\n" }
        if !response.body.isEmpty { text += "\n" + excerpt(response.body) + "\n" }
        return text
    }

    static func excerpt(_ bytes: [UInt8]) -> String {
        let shown = String(decoding: bytes.prefix(limit), as: UTF8.self)
        return bytes.count > limit ? shown + "… (\(bytes.count) bytes)" : shown
    }
}
