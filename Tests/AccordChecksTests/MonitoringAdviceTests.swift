import AccordChecks
import AccordResults
import Testing

/// What the server's metrics expose, read from the exposition format, and what to alert on.
@Suite("Monitoring")
struct MonitoringAdviceTests {
    static let exposition = """
        # HELP accord_http_requests_total Answers by route and status.
        # TYPE accord_http_requests_total counter
        accord_http_requests_total{route="create",status="201"} 10
        accord_http_requests_total{route="create",status="500"} 1
        # HELP accord_http_request_duration_seconds Time from request to answer, by route.
        # TYPE accord_http_request_duration_seconds histogram
        accord_http_request_duration_seconds_bucket{route="create",le="0.005"} 3
        accord_http_request_duration_seconds_bucket{route="create",le="+Inf"} 11
        accord_http_request_duration_seconds_sum{route="create"} 0.2
        accord_http_request_duration_seconds_count{route="create"} 11
        accord_http_request_duration_seconds_bucket{route="status",le="+Inf"} 4
        accord_http_request_duration_seconds_count{route="status"} 4
        # HELP accord_relay_backlog Jobs committed but not yet in their stream.
        # TYPE accord_relay_backlog gauge
        accord_relay_backlog 0
        # TYPE accord_dependency_up gauge
        accord_dependency_up{dependency="redis"} 1
        # TYPE accord_pool_size gauge
        accord_pool_size{pool="redis"} 8
        untyped_thing 1

        """

    @Test func theExpositionFormatIsReadIntoFamilies() {
        let monitoring = Monitoring.parse(Self.exposition, source: "http://x/metrics")
        #expect(monitoring.families.map(\.name) == [
            "accord_http_requests_total", "accord_http_request_duration_seconds", "accord_relay_backlog", "accord_dependency_up", "accord_pool_size",
            "untyped_thing",
        ])
        #expect(monitoring.families.map(\.type) == ["counter", "histogram", "gauge", "gauge", "gauge", "untyped"])
        #expect(monitoring.families.map(\.series) == [2, 2, 1, 1, 1, 1])
        #expect(monitoring.families[0].labels == ["route", "status"] && monitoring.families[1].labels == ["route"])
        #expect(monitoring.families[2].help == "Jobs committed but not yet in their stream.")
    }

    @Test func alertsFollowTheTargetsAndOnlyNameWhatIsExposed() {
        let monitoring = Monitoring.parse(Self.exposition, source: "http://x/metrics")
        let alerts = MonitoringAdvice.alerts(monitoring, strictestP99Milliseconds: 20, errorRate: 0.01)
        #expect(alerts.map(\.metric) == ["accord_http_requests_total", "accord_http_request_duration_seconds", "accord_relay_backlog", "accord_dependency_up"])
        #expect(alerts[1].expression == "histogram_quantile(0.99, sum by (le, route) (rate(accord_http_request_duration_seconds_bucket[5m]))) > 0.02")
        #expect(alerts[0].expression.contains("{status=~\"5..\"}") && alerts[0].expression.hasSuffix("> 0.01"))
        #expect(MonitoringAdvice.alerts(Monitoring(source: "", families: []), strictestP99Milliseconds: 20, errorRate: nil).isEmpty)
    }
}
