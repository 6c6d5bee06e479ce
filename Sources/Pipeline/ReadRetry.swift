import Foundation
import RasterIO

/// Bounded retries for reads that failed at the operating-system level (reliability.md: a transient
/// network-drive failure must not look like a corrupt file, and a corrupt file must not be retried).
///
/// `run` calls `body`; when it throws `RasterIOError.io` (the reader's EIO, ESTALE, EAGAIN, ... class) it
/// sleeps `backoff × 2^(attempt-1)` and tries again, at most `attempts` times in all. Any other error —
/// corrupt, unsupported, limit, cannot-open — is thrown at once. The last I/O error is rethrown with the
/// attempt count in its reason, so the report says `io` and how hard it tried.
public struct ReadRetryPolicy: Sendable, Equatable {
    /// Total attempts (1 = no retry).
    public var attempts: Int
    /// Sleep before the first retry, in seconds; doubled each retry.
    public var backoff: TimeInterval

    /// A policy; `attempts` below 1 is raised to 1.
    public init(attempts: Int = 3, backoff: TimeInterval = 0.2) {
        self.attempts = max(1, attempts)
        self.backoff = max(0, backoff)
    }

    /// The default: 3 attempts, 0.2 s then 0.4 s between them.
    public static let `default` = ReadRetryPolicy()

    /// Runs `body` under the policy. `onRetry(attempt, error)` is told of each failed attempt that will be retried.
    public func run<T>(_ body: () throws -> T, onRetry: ((Int, RasterIOError) -> Void)? = nil) throws -> T {
        var attempt = 1
        while true {
            do {
                return try body()
            } catch let e as RasterIOError {
                guard case .io(let path, let reason) = e else { throw e }
                guard attempt < attempts else {
                    throw attempts == 1 ? e : RasterIOError.io(path: path, reason: "\(reason) (after \(attempts) attempts)")
                }
                onRetry?(attempt, e)
                Thread.sleep(forTimeInterval: backoff * Double(1 << (attempt - 1)))
                attempt += 1
            }
        }
    }
}
