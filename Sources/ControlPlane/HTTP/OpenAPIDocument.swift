import HTTPTypes
import Hummingbird
import NIOCore

/// The server's OpenAPI 3.1 document, served at `GET /openapi.json`: `OpenAPI/openapi.json`
/// in this target, the one source, compiled into the binary by SwiftPM's `embedInCode`
/// resource rule — no resource bundle to find at run time, so a copied `accord` binary
/// serves it too. `specs/openapi.yaml` validates the server's answers against the same file.
///
/// ```json
/// {"openapi": "3.1.0", "info": {"title": "Control Plane Orchestrator API", …},
///  "paths": {"/api/v1/jobs": {"post": {"operationId": "create_job_api_v1_jobs_post", …}}, …}}
/// ```
public enum OpenAPIDocument {
    /// The document's bytes, exactly as checked in.
    public static var bytes: [UInt8] { PackageResources.openapi_json }

    /// The answer to `GET /openapi.json` (and, without its body, to `HEAD`).
    static func response(withBody: Bool) -> Response {
        let headers: HTTPFields = [.contentType: "application/json"]
        guard withBody else { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
