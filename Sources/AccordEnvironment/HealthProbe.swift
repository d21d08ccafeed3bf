import AccordHTTP
import AccordHTTPTypes

/// One GET of a server's `/health`: the status it answered, nil when nothing answered. The
/// runner's "reachable?" (any status), "healthy?" (200) and the fault injector's recovery
/// probes all ask through it.
public enum HealthProbe {
    public static func status(_ healthURL: String, timeoutMilliseconds: Int) async -> Int? {
        if case let .success(response) = await BlockingHTTP.perform(ClientRequest(url: healthURL, timeoutMilliseconds: timeoutMilliseconds)) {
            return response.status
        }
        return nil
    }
}
