import Foundation

extension DispatchQueue {
    /// Runs blocking work — waiting for child processes, sleeping between readiness probes — on
    /// this queue and suspends until it is done, so the work never occupies one of the cooperative
    /// pool's few threads (two on a two-core machine). Not cancellable: teardown must finish.
    func perform<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            self.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Runs blocking work that cannot fail on this queue and suspends until it is done.
    func perform(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { continuation in
            self.async {
                work()
                continuation.resume()
            }
        }
    }
}
