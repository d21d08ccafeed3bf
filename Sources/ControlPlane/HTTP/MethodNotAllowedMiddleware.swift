import HTTPTypes
import Hummingbird

/// The paths the server serves and the methods of each, as `Routes.register` registers them:
/// what a `405 Method Not Allowed` lists in its `Allow` header (RFC 9110 §15.5.6).
enum KnownRoutes {
    /// Path patterns (`:name` matches one segment) and their methods, in the order `Allow`
    /// lists them.
    static let table: [(pattern: [Substring], methods: [String])] = [
        ("/health", ["GET", "HEAD"]),
        ("/", ["GET", "HEAD"]),
        ("/api/v1/jobs", ["POST"]),
        ("/api/v1/jobs/:job_id", ["GET"]),
        ("/api/v1/jobs/:job_id/cancel", ["POST"]),
        ("/api/v1/queue/stats", ["GET"]),
        ("/metrics", ["GET"]),
        ("/openapi.json", ["GET", "HEAD"]),
        // In the OpenAPI document because the original serves them (so generated clients keep
        // compiling); not implemented here: their method reaches the router and answers 404.
        ("/api/v1/ops/status", ["GET"]),
        ("/api/v1/workflows", ["GET"]),
        ("/api/v1/workflows/:workflow_name", ["GET"]),
        ("/api/v1/workflows/:workflow_name/run", ["POST"]),
    ].map { (pattern: segments($0.0), methods: $0.1) }

    /// The methods served at `path`, or nil when no route has that path. Pure.
    static func methods(at path: String) -> [String]? {
        let asked = segments(path)
        return table.first { route in
            route.pattern.count == asked.count
                && zip(route.pattern, asked).allSatisfy { pattern, segment in pattern.hasPrefix(":") ? !segment.isEmpty : pattern == segment }
        }?.methods
    }

    /// `/api/v1/jobs/x` → `api`, `v1`, `jobs`, `x`; empty segments kept, so `/api/v1/jobs/`
    /// names no route here and goes to the router as before.
    static func segments(_ path: String) -> [Substring] {
        Array(path.split(separator: "/", omittingEmptySubsequences: false).dropFirst())
    }
}

/// A known path asked with a method it does not serve answers `405` with an `Allow` header
/// listing the methods it does serve (`{"detail":"Method Not Allowed"}`, FastAPI's body),
/// not the router's 404: the path exists. Before the API key check, as FastAPI routes before
/// its dependencies run.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let methods = KnownRoutes.methods(at: request.uri.path), !methods.contains(request.method.rawValue) {
            throw APIError(.methodNotAllowed, detail: "Method Not Allowed", headers: [.allow: methods.joined(separator: ", ")])
        }
        return try await next(request, context)
    }
}
