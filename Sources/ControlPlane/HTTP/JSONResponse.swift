import AccordJSON
import HTTPTypes
import Hummingbird
import NIOCore

extension Response {
    /// A JSON response; members keep the order they are written in, as the contract shows them.
    static func json(_ status: HTTPResponse.Status, _ body: JSON, headers: HTTPFields = [:]) -> Response {
        var bytes = [UInt8]()
        bytes.reserveCapacity(256)
        body.write(into: &bytes, sortKeys: false)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension Job {
    /// The status document of `GET /api/v1/jobs/{id}`.
    var statusDocument: JSON {
        [
            "job_id": .string(id),
            "status": .string(status.rawValue),
            "progress": .double(completedAt != nil && status == .completed ? 100.0 : 0.0),
            "result": result ?? .null,
            "error": error.map(JSON.string) ?? .null,
            "started_at": startedAt.map { .string($0.iso8601) } ?? .null,
            "completed_at": completedAt.map { .string($0.iso8601) } ?? .null,
            "artifacts": artifacts ?? .array([]),
        ]
    }

    /// The body of a 201 (and of a 200 replay): the job's identity and parameters.
    var createdDocument: JSON {
        [
            "job_id": .string(id),
            "status": "created",
            "domain": .string(request.domain),
            "job_type": .string(request.jobType),
        ]
    }
}
