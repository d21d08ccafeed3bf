import AccordJSON
import HTTPTypes
import Hummingbird
import NIOCore

/// The control-plane endpoints of CONTRACT.md, translating HTTP to `JobService` and back.
struct Routes<Context: RequestContext> {
    let service: JobService
    let monitor: DependencyMonitor
    let storeName: String
    var contractBreaks: Set<ContractBreak> = []
    var metrics: ServerMetrics?
    /// How long a create-job body may take to arrive (`HTTPLimits.bodyTimeout`).
    var bodyTimeout: Duration = .seconds(30)

    /// Every route here is listed in `KnownRoutes.table` too, with its methods: a path asked
    /// with another method answers 405 with `Allow` from there.
    func register(on router: Router<Context>) {
        router.get("/health") { _, _ in health() }
        router.get("/") { _, _ in
            Response.json(.ok, ["service": "control-plane", "version": .string(ControlPlaneVersion.current), "status": "operational"])
        }
        router.post("/api/v1/jobs") { request, _ in try await createJob(request) }
        router.get("/api/v1/jobs/:job_id") { _, context in try await jobStatus(context) }
        router.post("/api/v1/jobs/:job_id/cancel") { _, context in try await cancelJob(context) }
        router.get("/api/v1/queue/stats") { _, _ in try await queueStats() }
        router.get("/metrics") { _, _ in prometheus() }
        router.get("/openapi.json") { _, _ in OpenAPIDocument.response(withBody: true) }
        // HEAD answers as GET does, without the body (load balancers probe with it).
        router.head("/health") { _, _ in Response(status: health().status, headers: [.contentType: "application/json"]) }
        router.head("/") { _, _ in Response(status: .ok, headers: [.contentType: "application/json"]) }
        router.head("/openapi.json") { _, _ in OpenAPIDocument.response(withBody: false) }
    }

    func health() -> Response {
        let snapshot = monitor.snapshot
        let checks: JSON = [
            "database": snapshot.database ? "ok" : "unavailable",
            "redis": snapshot.redis ? "ok" : "unavailable",
        ]
        let body: JSON = [
            "status": snapshot.isHealthy ? "healthy" : "degraded",
            "service": "control-plane",
            "workers": .int(Int64(snapshot.workers)),
            "checks": checks,
            "store": .string(storeName),
        ]
        return .json(snapshot.isHealthy ? .ok : .serviceUnavailable, body)
    }

    func createJob(_ request: Request) async throws -> Response {
        if let contentType = request.headers[.contentType], !Self.isJSON(contentType) {
            throw APIError(.unsupportedMediaType, detail: "Content-Type must be application/json")
        }
        let bytes = try await RequestBodyReader(limit: CreateJobValidation.maxBodyBytes, timeout: bodyTimeout).read(request)
        let jobRequest = try CreateJobValidation.validate(
            query: request.uri.query.map { Substring($0) } ?? "", body: bytes,
            maxPriority: contractBreaks.contains(.acceptBadPriority) ? 9 : 3
        ).get()
        switch try await service.create(jobRequest) {
        case let .created(job):
            return .json(contractBreaks.contains(.wrongCreateStatus) ? .ok : .created, job.createdDocument)
        case let .replayed(job):
            return .json(.ok, job.createdDocument, headers: [.idempotentReplayed: "true"])
        case let .conflict(job):
            throw APIError.conflict(
                "Idempotency key already used for job \(job.id) with different parameters")
        }
    }

    func jobStatus(_ context: Context) async throws -> Response {
        let raw = context.parameters.get("job_id") ?? ""
        guard let id = JobID.canonical(raw), let job = try await service.job(id: id) else {
            if contractBreaks.contains(.leakSQL) {
                throw APIError(.notFound, detail: .string("Job \(raw) not found (SELECT * FROM jobs WHERE id = '\(raw)')"))
            }
            throw APIError.jobNotFound(raw)
        }
        var document = job.statusDocument
        if contractBreaks.contains(.missingProgress), case let .object(members) = document {
            document = .object(members.filter { $0.key != "progress" })
        }
        return .json(.ok, document)
    }

    func cancelJob(_ context: Context) async throws -> Response {
        let raw = context.parameters.get("job_id") ?? ""
        guard let id = JobID.canonical(raw) else { throw APIError.jobNotFound(raw) }
        switch try await service.cancel(id: id) {
        case let .cancelled(job):
            return .json(.ok, job.statusDocument)
        case let .notCancellable(job):
            throw APIError.conflict("Job \(job.id) cannot be cancelled: it is \(job.status.rawValue)")
        case .notFound:
            throw APIError.jobNotFound(raw)
        }
    }

    func queueStats() async throws -> Response {
        let (queue, counts) = try await service.stats()
        var members: [(key: String, value: JSON)] = []
        var total: Int64 = 0
        for (priority, name) in QueueKeys.priorityNames.enumerated() {
            let stream = queue.streams.indices.contains(priority) ? queue.streams[priority] : .init(length: 0, pending: 0)
            total += stream.length
            members.append((key: name, value: ["length": .int(stream.length), "pending": .int(stream.pending)]))
        }
        members.append((key: "dlq", value: ["length": .int(queue.deadLetters)]))
        members.append((key: "delayed", value: ["count": .int(queue.delayed)]))
        members.append((key: "total", value: .int(total)))
        let byStatus = JobStatus.allCases.map { (key: $0.rawValue, value: JSON.int(counts[$0] ?? 0)) }
        let jobsTotal = counts.values.reduce(0, +)
        members.append((key: "jobs", value: ["total": .int(jobsTotal), "by_status": .object(byStatus)]))
        return .json(.ok, .object(members))
    }

    /// Prometheus text exposition of the server's own counters and its pools, sampled now.
    func prometheus() -> Response {
        let snapshot = monitor.snapshot
        var gauges: [(name: String, labels: String, value: Double)] = [
            ("accord_dependency_up", "dependency=\"database\"", snapshot.database ? 1 : 0),
            ("accord_dependency_up", "dependency=\"redis\"", snapshot.redis ? 1 : 0),
            ("accord_workers", "", Double(snapshot.workers)),
        ]
        if let usage = service.store.poolUsage {
            gauges.append(("accord_pool_connections", "pool=\"database\",state=\"open\"", Double(usage.open)))
            gauges.append(("accord_pool_connections", "pool=\"database\",state=\"idle\"", Double(usage.idle)))
            gauges.append(("accord_pool_waiters", "pool=\"database\"", Double(usage.waiting)))
        }
        let text = (metrics ?? ServerMetrics()).render(gauges: gauges)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// `application/json`, with parameters, or any `+json` type.
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = String(contentType.prefix { $0 != ";" }.filter { $0 != " " && $0 != "\t" }).lowercased()
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}
