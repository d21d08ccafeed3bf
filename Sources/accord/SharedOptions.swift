import Foundation
import AccordHTTP
import AccordHTTPTypes
import AccordSpec
import ArgumentParser

/// The spec files a command works on, and the variables given to them.
struct SpecArguments: ParsableArguments {
    @Argument(help: "Spec files or directories (default: specs/).")
    var paths: [String] = []

    @Option(name: .customLong("var"), help: "A variable the specs may use, NAME=VALUE (repeatable).")
    var variables: [String] = []

    func load() throws -> (specs: [SpecFile], problems: [SpecProblems], variables: [String: String]) {
        try SpecInput.load(paths: paths, variables: variables)
    }
}

/// `--level core,strict`: which conformance levels run and are judged (docs/levels.md).
struct LevelArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Run and judge only these levels: core, strict, extended (comma-separated; default all). Intersects with --tags.", valueName: "LEVELS"))
    var level: String?

    /// The levels chosen, or nil for all; an unknown name is a usage error (exit 2).
    func selected() throws -> Set<ConformanceLevel>? {
        guard let level else { return nil }
        switch ConformanceLevel.parseList(level) {
        case .success(let levels): return levels
        case .failure(let problem): throw ValidationError("--level: \(problem)")
        }
    }
}

/// Where the side-effect probes look; without them, side-effect cases are skipped.
struct ProbeArguments: ParsableArguments {
    @Option(help: "PostgreSQL URL for side-effect checks (env DATABASE_URL); without it they are skipped.")
    var databaseURL: String?

    @Option(help: "Redis URL for side-effect checks (env REDIS_URL); without it they are skipped.")
    var redisURL: String?

    /// The flags, else the environment.
    func resolved(_ environment: [String: String]) -> (database: String?, redis: String?) {
        (databaseURL ?? environment["DATABASE_URL"], redisURL ?? environment["REDIS_URL"])
    }
}

/// Headers every request carries (`--header 'X-API-Key: …'`), functional and load alike: what
/// a deployment behind API keys or a gateway asks for. A case's own header of the same name
/// wins. Values are secrets: transcripts, results and reports show the name with `***`.
struct HeaderArguments: ParsableArguments {
    @Option(name: [.customShort("H"), .customLong("header")], help: "A header for every request, 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(help: ArgumentHelp("Basic credentials for every request, NAME:PASSWORD (env ACCORD_USER).", valueName: "NAME:PASSWORD"))
    var user: String?

    @Option(help: ArgumentHelp("A bearer token for every request (env ACCORD_BEARER).", valueName: "TOKEN"))
    var bearer: String?

    /// `--user`, else `ACCORD_USER`; `--bearer`, else `ACCORD_BEARER`.
    func credentials(_ environment: [String: String] = ProcessEnvironment.current) -> (user: String?, bearer: String?) {
        (user ?? environment["ACCORD_USER"].flatMap { $0.isEmpty ? nil : $0 }, bearer ?? environment["ACCORD_BEARER"].flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Refuses a header that is not `Name: value` with a token name, saying which, and
    /// credentials that cannot be sent.
    func check() throws {
        let (user, bearer) = credentials()
        if user != nil && bearer != nil { throw ValidationError("give --user or --bearer, not both: each is an Authorization header") }
        if let user, !user.contains(":") { throw ValidationError("--user takes NAME:PASSWORD (the password after the first colon)") }
        if let bearer, bearer.isEmpty || bearer.contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw ValidationError("--bearer takes one token, without spaces")
        }
        if (user != nil || bearer != nil), headers.contains(where: { $0.lowercased().hasPrefix("authorization:") }) {
            throw ValidationError("--header 'Authorization: …' and --user/--bearer both set Authorization: give one")
        }
        for header in headers {
            guard let colon = header.firstIndex(of: ":"), HTTPToken.isToken(header[..<colon]),
                !header.contains("\r"), !header.contains("\n")
            else {
                throw ValidationError("--header takes 'Name: value' with a name of letters, digits and -, not '\(CommandLineText.redactedHeader(header))'")
            }
        }
    }

    /// Every header a request carries: `--header`s, then Authorization from `--user` (Basic)
    /// or `--bearer` (Bearer).
    var parsed: [(name: String, value: String)] {
        var all = headers.map { header -> (name: String, value: String) in
            let colon = header.firstIndex(of: ":") ?? header.endIndex
            let value = header[colon...].dropFirst().drop { $0 == " " }
            return (name: String(header[..<colon]), value: String(value))
        }
        let (user, bearer) = credentials()
        if let user { all.append((name: "Authorization", value: "Basic " + Data(user.utf8).base64EncodedString())) }
        if let bearer { all.append((name: "Authorization", value: "Bearer " + bearer)) }
        return all
    }
}

/// The command line as results and reports record it: `--header` values redacted, so a
/// results document can be shared without the deployment's key.
enum CommandLineText {
    static var current: String { redacted(["accord"] + CommandLine.arguments.dropFirst()) }

    static func redacted(_ arguments: [String]) -> String {
        var out: [String] = []
        var redactNext = false
        for argument in arguments {
            if redactNext {
                // A header keeps its name; a --user or --bearer value is all secret.
                out.append(out.last == "--header" || out.last == "-H" ? redactedHeader(argument) : "***")
                redactNext = false
            } else if ["--header", "-H", "--user", "--bearer"].contains(argument) {
                out.append(argument)
                redactNext = true
            } else if argument.hasPrefix("--header=") {
                out.append("--header=" + redactedHeader(String(argument.dropFirst("--header=".count))))
            } else if argument.hasPrefix("--user=") || argument.hasPrefix("--bearer=") {
                out.append((argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument) + "=***")
            } else {
                out.append(argument)
            }
        }
        return out.joined(separator: " ")
    }

    /// `Name: value` → `Name: ***`.
    static func redactedHeader(_ header: String) -> String {
        guard let colon = header.firstIndex(of: ":") else { return "***" }
        return header[..<colon] + ": ***"
    }
}

/// How requests reach a deployment, with curl's option names, for `check`, `load` and `run`:
/// TLS trust and client identity, names resolved before their DNS exists, and the proxy —
/// `--proxy`, else the environment curl reads (`http_proxy`, `HTTPS_PROXY`/`https_proxy`,
/// `NO_PROXY`/`no_proxy`), resolved once for the whole run and used by the functional checks
/// and the load engine alike.
struct TransportArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Trust the certificate authorities in this PEM file.", valueName: "FILE"))
    var cacert: String?

    @Option(help: ArgumentHelp("A client certificate (PEM) for deployments that ask for one.", valueName: "FILE"))
    var cert: String?

    @Option(help: ArgumentHelp("The client certificate's private key (PEM), when not in --cert's file.", valueName: "FILE"))
    var key: String?

    @Flag(name: [.customShort("k"), .long], help: "Do not verify the server's certificate (every report says so).")
    var insecure = false

    @Option(help: ArgumentHelp("Reach HOST:PORT at ADDRESS (repeatable), TLS still checked for HOST.", valueName: "HOST:PORT:ADDRESS"))
    var resolve: [String] = []

    @Option(help: ArgumentHelp("Send every request through this proxy (default: the environment's http_proxy/HTTPS_PROXY).", valueName: "URL"))
    var proxy: String?

    @Flag(name: .customLong("http1.1"), help: "HTTP/1.1, whatever a spec's defaults say.")
    var http1_1 = false

    @Flag(help: "HTTP/2, negotiated by ALPN over TLS (HTTP/1.1 where the server does not offer it).")
    var http2 = false

    @Flag(name: .customLong("http2-prior-knowledge"), help: "HTTP/2 from the first byte, over cleartext.")
    var http2PriorKnowledge = false

    @Option(help: ArgumentHelp("HTTP/2 load: requests multiplexed on each connection at most (default 100).", valueName: "N"))
    var maxStreams: Int?

    func check() throws {
        for (option, file) in [("--cacert", cacert), ("--cert", cert), ("--key", key)] {
            guard let file else { continue }
            guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("\(option) \(file): no such readable file") }
        }
        if key != nil && cert == nil { throw ValidationError("--key needs --cert: the key belongs to a client certificate") }
        for entry in resolve {
            if let problem = Transport.problem(resolve: entry) { throw ValidationError(problem) }
        }
        if [http1_1, http2, http2PriorKnowledge].filter({ $0 }).count > 1 {
            throw ValidationError("give one of --http1.1, --http2 and --http2-prior-knowledge")
        }
        if http2PriorKnowledge, let problem = CurlVersion.priorKnowledgeProblem { throw ValidationError(problem) }
        if let maxStreams {
            guard (1...1000).contains(maxStreams) else { throw ValidationError("--max-streams must be 1 to 1000, not \(maxStreams)") }
            guard http2 || http2PriorKnowledge else { throw ValidationError("--max-streams is for HTTP/2: add --http2 or --http2-prior-knowledge") }
        }
        if let proxy, !(proxy.contains("://")) { throw ValidationError("--proxy takes a URL such as http://proxy.example:3128, not '\(proxy)'") }
    }

    /// The run's transport for `target` (its scheme picks the environment's proxy variable).
    func transport(for target: String, environment: [String: String] = ProcessEnvironment.current) -> Transport {
        func variable(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        let https = target.lowercased().hasPrefix("https:")
        let proxy = self.proxy ?? (https ? variable("HTTPS_PROXY", "https_proxy") : variable("http_proxy", "HTTP_PROXY"))
        var transport = Transport(
            caCertificate: cacert, clientCertificate: cert, clientKey: key, insecure: insecure, resolve: resolve, proxy: proxy,
            noProxy: proxy == nil ? nil : variable("NO_PROXY", "no_proxy"))
        transport.http = http2 ? .http2 : http2PriorKnowledge ? .http2PriorKnowledge : .http1_1
        transport.httpChosen = http1_1 || http2 || http2PriorKnowledge
        if let maxStreams { transport.maxStreams = maxStreams }
        return transport
    }
}
