import Foundation
import Synchronization

/// A child process's output pipe, read on a thread of its own as it arrives (so the child never
/// blocks on a full pipe): what has arrived so far at any time, and, awaited without holding a
/// thread of the cooperative pool, everything once the pipe has closed.
public final class PipeText: Sendable {
    private let state = Mutex((data: Data(), closed: false))

    public init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty {
                    self.state.withLock { $0.closed = true }
                    return
                }
                self.state.withLock { $0.data.append(chunk) }
            }
        }.start()
    }

    /// What has arrived so far.
    public var text: String { state.withLock { String(decoding: $0.data, as: UTF8.self) } }

    /// Everything written, once every writer has closed the pipe (or what arrived within
    /// `limit`, when a grandchild still holds it open).
    public func whole(limit: Duration = .seconds(30)) async -> String {
        let deadline = ContinuousClock.now + limit
        while !state.withLock({ $0.closed }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return text
    }
}
