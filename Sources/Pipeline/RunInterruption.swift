import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A clean stop on SIGINT (Ctrl-C) and SIGTERM (`kill`, Kubernetes, systemd).
///
/// `install()` (called by `tilepipe run`) turns both signals into a request: the executor takes no further tile
/// (`isRequested`), tiles in flight finish their atomic writes and are recorded, then the runner calls `checkpoint`,
/// which removes this process's temporaries, marks the run `interrupted` in the catalog and throws
/// `RunInterrupted`; the command prints one summary line and exits 128 + signal (130, 143). The next run resumes:
/// done tiles are skipped, the rest are computed. A second signal while stopping exits at once (128 + signal);
/// atomic writes mean no output is left under a final name half-written, and the next run removes the temporaries.
public enum RunInterruption {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var received: Int32?
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Routes SIGINT and SIGTERM to `request` (idempotent).
    public static func install() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for sig in [SIGINT, SIGTERM] {
                _ = Glibc.signal(sig, SIG_IGN)   // delivered to the dispatch source instead of killing the process
                let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                s.setEventHandler { RunInterruption.request(sig) }
                s.resume()
                sources.append(s)
            }
        }
    }

    /// Records a stop request for `signal` (a second request exits at once with 128 + signal).
    public static func request(_ signal: Int32) {
        let again: Bool = lock.withLock {
            if received != nil { return true }
            received = signal
            return false
        }
        if again { _exit(128 + signal) }
    }

    /// True once a stop was requested: take no further tile.
    public static var isRequested: Bool { lock.withLock { received != nil } }

    /// The signal that asked to stop, if any.
    public static var signal: Int32? { lock.withLock { received } }

    /// A signal that arrived after the tiles phase (pairs, reports): the run finished; the command still exits
    /// 128 + signal, as a process stopped by it would.
    public static var lateSignal: LateSignal? { signal.map(LateSignal.init) }

    /// Forgets a request (tests that drive several runs in one process).
    public static func reset() { lock.withLock { received = nil } }

    /// After the tiles phase: when a stop was requested, removes this process's temporaries under `directory`,
    /// marks run `runId` `interrupted` and throws `RunInterrupted` with the counts; otherwise does nothing.
    public static func checkpoint(catalog: RunCatalog, runId: Int64, directory: String, finished: Int, of todo: Int,
                                  skipped: Int) throws {
        guard let sig = signal else { return }
        PipelineRunner.removeStaleTemporaries(in: directory)
        try catalog.markRun(runId, status: "interrupted", done: finished, skipped: skipped)
        throw RunInterrupted(signal: sig, finished: finished, remaining: todo - finished, skipped: skipped, directory: directory)
    }
}

/// A run stopped by SIGINT or SIGTERM after finishing the tiles it had started (not a failure of any tile).
public struct RunInterrupted: Error, Sendable, CustomStringConvertible {
    /// The signal.
    public var signal: Int32
    /// Tiles finished (done or failed) by this run before it stopped.
    public var finished: Int
    /// Tiles not started.
    public var remaining: Int
    /// Tiles skipped as already done.
    public var skipped: Int
    /// The output folder.
    public var directory: String

    /// 130 for SIGINT, 143 for SIGTERM (128 + signal, as shells report it).
    public var exitCode: Int32 { 128 + signal }

    /// The signal's name.
    public var signalName: String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }

    /// The one summary line.
    public var description: String {
        "interrupted by \(signalName): \(finished) tile(s) finished this run, \(skipped) already done, \(remaining) not started; no temporary left, the run is marked interrupted in \(directory)/\(RunCatalog.fileName); run again to resume"
    }
}

/// A signal received once every tile was done: the run completed anyway.
public struct LateSignal: Sendable, CustomStringConvertible {
    /// The signal.
    public var signal: Int32
    /// 128 + signal.
    public var exitCode: Int32 { 128 + signal }
    /// The one line.
    public var description: String {
        "interrupted by \(signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)") after every tile was done: the run finished and its outputs are complete"
    }
}
