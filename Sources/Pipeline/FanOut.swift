import Foundation

/// Independent pieces of one tile's work (for instance one per output file a tile's `finish` completes), run at
/// once on the executor's compute width, the calling thread taking part.
///
/// The executor hands a `FanOut` to `WindowedTileStage.finish`; the stage says what the pieces are, the executor
/// where they run, so a stage still knows nothing about queues. The caller works through the pieces itself while up
/// to `width − 1` helpers, submitted to the executor's compute gate, take pieces too: when the cores are free (the
/// last tile of a run) the pieces run side by side; when the gate is full (windows of later tiles), the caller does
/// them all, and `map` returns as soon as every piece is done, without waiting for helpers that never started one.
public struct FanOut: Sendable {
    /// Helpers at most, the caller included.
    public let width: Int
    private let submit: @Sendable (@escaping @Sendable () -> Void) -> Void

    /// A fan-out that runs up to `width` pieces at once: the caller and `width − 1` helpers given to `submit`.
    public init(width: Int, submit: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void) {
        self.width = max(1, width)
        self.submit = submit
    }

    /// Runs every piece on the calling thread, in order.
    public static let serial = FanOut(width: 1) { $0() }

    /// `body(0) … body(count − 1)`, in any order and possibly at once, as an array in index order. When pieces throw,
    /// the error of the lowest such index is rethrown once every piece taken has ended; pieces not yet taken are
    /// not run after a failure.
    public func map<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        guard count > 0 else { return [] }
        guard count > 1, width > 1 else { return try (0..<count).map(body) }
        let job = FanOutJob(count: count, body: body)
        for _ in 0..<min(count - 1, width - 1) { submit { job.work() } }
        job.work()
        return try job.results()
    }
}

/// The shared state of one `FanOut.map`: the next piece to take, the results, the pieces still running.
private final class FanOutJob<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private let body: @Sendable (Int) throws -> T
    private var next = 0, ended = 0, failed = false
    private var outcomes: [Result<T, any Error>?]

    init(count: Int, body: @escaping @Sendable (Int) throws -> T) {
        self.count = count
        self.body = body
        outcomes = Array(repeating: nil, count: count)
    }

    /// Takes pieces until none is left (or one failed).
    func work() {
        while let k = take() {
            let r = Result { try body(k) }
            condition.withLock {
                outcomes[k] = r
                if case .failure = r { failed = true }
                ended += 1
                condition.broadcast()
            }
        }
    }

    private func take() -> Int? {
        condition.withLock {
            guard next < count, !failed else { return nil }
            defer { next += 1 }
            return next
        }
    }

    /// Waits for every piece taken to end; the results in index order, or the lowest index's error.
    func results() throws -> [T] {
        let done: [Result<T, any Error>?] = condition.withLock {
            while ended < next { condition.wait() }   // `next` is final: every taker has returned from `take`
            return outcomes
        }
        for case .failure(let e)? in done { throw e }
        return done.map { try! $0!.get() }
    }
}
