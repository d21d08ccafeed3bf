import AccordHTTP
import AccordHTTPTypes

/// One GET of a server's `/health`: the status it answered, nil when nothing answered. The
/// runner's "reachable?" (any status), "healthy?" (200) and the fault injector's recovery
/// probes all ask through it.
public enum HealthProbe {
    public static func status(_ healthURL: String, timeoutMilliseconds: Int, transport: Transport = Transport()) async -> Int? {
        let request = ClientRequest(url: healthURL, timeoutMilliseconds: timeoutMilliseconds, transport: transport)
        if case let .success(response) = await BlockingHTTP.perform(request) {
            return response.status
        }
        return nil
    }
}
