import AccordJSON
import HTTPTypes

/// One entry of a 422 `detail` list, shaped like FastAPI's (pydantic v2) validation errors:
/// `{"loc":["query","priority"],"msg":"…","type":"…"}`.
public struct ValidationIssue: Sendable, Equatable {
    public var location: [String]
    public var message: String
    public var type: String

    public init(_ location: [String], _ message: String, type: String) {
        self.location = location
        self.message = message
        self.type = type
    }

    var json: JSON {
        ["loc": .array(location.map(JSON.string)), "msg": .string(message), "type": .string(type)]
    }
}

/// An error answer the client should see as it is: a status and a `{"detail": …}` body.
/// Anything thrown that is not an `APIError` becomes a bare 500 with a request id.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var detail: JSON
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, detail: JSON, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    public static func jobNotFound(_ id: String) -> APIError {
        // Echo at most 128 characters of whatever the client put in the path.
        let shown = id.count > 128 ? String(id.prefix(128)) + "…" : id
        return APIError(.notFound, detail: .string("Job \(shown) not found"))
    }

    public static func validation(_ issues: [ValidationIssue]) -> APIError {
        APIError(.unprocessableContent, detail: .array(issues.map(\.json)))
    }

    public static func conflict(_ message: String) -> APIError {
        APIError(.conflict, detail: .string(message))
    }

    public static func unavailable(_ dependency: Dependency) -> APIError {
        APIError(.serviceUnavailable, detail: .string("\(dependency.rawValue) unavailable"), headers: [.retryAfter: "1"])
    }
}
