import AccordHTTP
import AccordHTTPTypes
import AccordResults
import AccordSpec

/// Reads the server's Prometheus metrics once, after the load, where a spec says they are
/// (`metrics: /metrics`), for the report's Monitoring section. A server that does not answer
/// gets a note, never a failed verdict: monitoring is advice.
enum MetricsScrape {
    static func read(_ specs: [SpecFile], target: String, headers: [(name: String, value: String)], transport: Transport) async -> Monitoring? {
        guard let path = specs.lazy.compactMap(\.data.metrics).first?.value else { return nil }
        let url = target + path
        let request = ClientRequest(url: url, headers: headers, timeoutMilliseconds: 5000, transport: transport)
        switch await BlockingHTTP.perform(request) {
        case .success(let response) where response.status == 200:
            return Monitoring.parse(String(decoding: response.body, as: UTF8.self), source: url)
        case .success(let response):
            return Monitoring(source: url, families: [], note: "answered \(response.status)")
        case .failure(let error):
            return Monitoring(source: url, families: [], note: "no answer: \(error)")
        }
    }
}
