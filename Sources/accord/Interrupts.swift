import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `body` in a task that the first SIGINT or SIGTERM cancels, so that a Ctrl-C still lets
/// it tear down what it started (`ConformanceRun`'s teardown runs on every exit path). A second
/// signal ends the process at once; the orphan watchdogs then stop the servers it left.
///
/// While `body` runs the two signals are ignored by default and watched by dispatch sources;
/// afterwards their default handling is back. When a signal came, this process then ends by it
/// (the shell sees 130 for SIGINT, 143 for SIGTERM), as a Ctrl-C'd program should, instead of
/// returning `body`'s result.
///
/// ```swift
/// let outcome = try await cancellingOnSignals { try await ConformanceRun.run(options, …) }
/// ```
func cancellingOnSignals<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let watched = [SIGINT, SIGTERM]
    let received = FirstSignal()
    let task = Task { try await body() }
    let queue = DispatchQueue(label: "accord.signals")
    let sources = watched.map { number in
        _ = signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler {
            guard received.record(number) else {
                endBySignal(number)
            }
            let name = number == SIGINT ? "SIGINT" : "SIGTERM"
            FileHandle.standardError.write(
                Data("\naccord: \(name): stopping the run and tearing down what it started (again to quit at once)\n".utf8))
            task.cancel()
        }
        source.resume()
        return source
    }
    let result = await withTaskCancellationHandler { await task.result } onCancel: { task.cancel() }
    for source in sources { source.cancel() }
    for number in watched { _ = signal(number, SIG_DFL) }
    if let number = received.number {
        // What `body` printed is kept: ending by a signal skips the flush at exit.
        fflush(nil)
        endBySignal(number)
    }
    return try result.get()
}

/// The first signal received, if any.
private final class FirstSignal: Sendable {
    private let value = Atomic<Int32>(0)

    /// Records `number` unless a signal came before; whether it was the first.
    func record(_ number: Int32) -> Bool {
        value.compareExchange(expected: 0, desired: number, ordering: .sequentiallyConsistent).exchanged
    }

    var number: Int32? {
        let number = value.load(ordering: .sequentiallyConsistent)
        return number == 0 ? nil : number
    }
}

/// Ends this process by `number` with its default action, so the parent sees the signal.
private func endBySignal(_ number: Int32) -> Never {
    _ = signal(number, SIG_DFL)
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, number)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    raise(number)
    // Only if the signal could not end it.
    exit(128 + number)
}
