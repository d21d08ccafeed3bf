import AccordTestSupport
import Testing

/// `GET /metrics` in Prometheus's text format, and HEAD on the probe routes.
@Suite("Metrics")
struct MetricsTests {
    @Test func countsAnswersByRouteAndStatusWithLatencyHistograms() async throws {
        try await TestServer.with { server in
            #expect(try await server.createJob().status == 201)
            #expect(try await server.createJob().status == 201)
            #expect(try await server.get("/api/v1/jobs/nope").status == 404)
            let metrics = try await server.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = metrics.bodyText
            #expect(text.contains(#"accord_http_requests_total{route="create_job",status="201"} 2"#))
            #expect(text.contains(#"accord_http_requests_total{route="job_status",status="404"} 1"#))
            #expect(text.contains(#"accord_http_request_duration_seconds_count{route="create_job"} 2"#))
            #expect(text.contains(#"accord_http_request_duration_seconds_bucket{route="create_job",le="+Inf"} 2"#))
            #expect(text.contains(#"accord_dependency_up{dependency="redis"} 1"#))
            #expect(text.contains("accord_relay_enqueued_total 0"))
            // Every sample line is "name{labels} value" or "name value".
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                #expect(Double(line.split(separator: " ").last ?? "") != nil, "\(line)")
            }
        }
    }

    @Test func poolGaugesOnPostgres() async throws {
        try await Backends.with { backends in
            try await TestServer.with(backends.serverConfig) { server in
                _ = try await server.createJob()
                let text = try await server.get("/metrics").bodyText
                #expect(text.contains(#"accord_pool_connections{pool="database",state="open"}"#))
                #expect(text.contains(#"accord_dependency_up{dependency="database"} 1"#))
            }
        }
    }

    @Test(arguments: ["/health", "/"])
    func headAnswersWithoutABody(path: String) async throws {
        try await TestServer.with { server in
            let response = try await server.send("HEAD", path)
            #expect(response.status == 200)
            #expect(response.body.isEmpty)
        }
    }
}
