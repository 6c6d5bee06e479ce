import Dispatch
import Foundation

/// The bounded, staged executor of design.md §4.
///
/// A producer (the calling thread) takes a slot from `DispatchSemaphore(maxInFlight)` before a tile's ingest;
/// the slot is released after its write (or its failure), on every path. Ingest runs on `readers` serial queues,
/// writes on `writers` serial queues (blocking libtiff I/O never occupies compute width); compute runs on one
/// concurrent queue, at most `jobs` tiles at a time (a non-blocking gate: tiles wait in a FIFO, no worker ever
/// blocks). A `DispatchGroup` marks completion. Memory is bounded by `maxInFlight × tile size`.
///
/// Call `run` from a plain thread, never from an `async` context (it blocks on the semaphore and the group).
public struct TileExecutor: Sendable {
    /// Concurrency settings.
    public struct Options: Sendable, Equatable {
        /// Tiles computed at once (default: active cores).
        public var jobs: Int
        /// Tiles between ingest and end of write (default: 2 × jobs).
        public var maxInFlight: Int
        /// Serial reader queues.
        public var readers: Int
        /// Serial writer queues.
        public var writers: Int

        /// Options; values below 1 are raised to 1.
        public init(jobs: Int? = nil, maxInFlight: Int? = nil, readers: Int = 2, writers: Int = 2) {
            let j = max(1, jobs ?? ProcessInfo.processInfo.activeProcessorCount)
            self.jobs = j
            self.maxInFlight = max(1, maxInFlight ?? 2 * j)
            self.readers = max(1, readers)
            self.writers = max(1, writers)
        }
    }

    /// What a run observed (for tests and the summary).
    public struct Observed: Sendable, Equatable {
        /// Highest number of tiles in flight at once.
        public var maxInFlight: Int
        /// Highest number of tiles in compute at once.
        public var maxComputing: Int
    }

    /// The settings.
    public let options: Options

    /// An executor.
    public init(options: Options) { self.options = options }

    /// Runs `stage` over `items` in order of submission. `onFinish(index, item, result)` is called once per tile,
    /// serialized (never two at once), on a writer queue, before the tile's slot is released — the place to record
    /// the tile in the catalog. Returns the results in the order of `items` (after `RunInterruption`, those of the items taken).
    public func run<S: TileStage>(_ items: [S.Item], stage: S,
                                  onStart: (@Sendable (Int, S.Item) -> Void)? = nil,
                                  onFinish: @escaping @Sendable (Int, S.Item, Result<S.Output, TileFailure>) -> Void)
        -> (results: [Result<S.Output, TileFailure>], observed: Observed) {
        schedule(items, onStart: onStart, onFinish: onFinish) { _, item, slot in
            Self.runWhole(item, stage: stage, reader: slot.reader, writer: slot.writer, state: slot.state, finish: slot.finish)
        }
    }

    /// What `schedule` hands the body for one tile: the tile's serial queues, the compute gate and the completion
    /// (to call exactly once: it records the result, calls `onFinish` and releases the tile's slot).
    struct TileSlot<Output: Sendable> {
        let reader: DispatchQueue, writer: DispatchQueue
        let state: ExecutorState<Output>
        let finish: @Sendable (Result<Output, TileFailure>) -> Void
    }

    /// The set-up both `run`s share: queues, the compute gate, at most `maxInFlight` tiles between `start` and
    /// `finish` (the calling thread waits for a slot before each tile, and takes no further tile after
    /// `RunInterruption`), `onStart`/`onFinish` around each tile, and the results in the order of `items`.
    func schedule<Item: TileItem, Output: Sendable>(_ items: [Item],
                                                    onStart: (@Sendable (Int, Item) -> Void)?,
                                                    onFinish: @escaping @Sendable (Int, Item, Result<Output, TileFailure>) -> Void,
                                                    start: (Int, Item, TileSlot<Output>) -> Void)
        -> (results: [Result<Output, TileFailure>], observed: Observed) {
        let slots = DispatchSemaphore(value: options.maxInFlight)
        let group = DispatchGroup()
        let readers = (0..<options.readers).map { DispatchQueue(label: "tilepipe.read.\($0)") }
        let writers = (0..<options.writers).map { DispatchQueue(label: "tilepipe.write.\($0)") }
        let computeQ = DispatchQueue(label: "tilepipe.compute", attributes: .concurrent)
        let state = ExecutorState<Output>(count: items.count, jobs: options.jobs, queue: computeQ)

        for (n, item) in items.enumerated() {
            slots.wait()                       // producer thread only
            if RunInterruption.isRequested { slots.signal(); break }   // SIGINT/SIGTERM: take no further tile
            group.enter()
            state.enterFlight()
            onStart?(n, item)
            let finish: @Sendable (Result<Output, TileFailure>) -> Void = { result in
                state.finish(n) { onFinish(n, item, result); return result }
                state.leaveFlight()
                slots.signal()
                group.leave()
            }
            start(n, item, TileSlot(reader: readers[n % readers.count], writer: writers[n % writers.count], state: state, finish: finish))
        }
        group.wait()
        return (state.results(), state.observed())
    }
}

/// Shared mutable state of one run, behind one lock.
final class ExecutorState<Output: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private let finishLock = NSLock()
    private var slots: [Result<Output, TileFailure>?]
    private var inFlight = 0, maxInFlight = 0
    private var computing = 0, maxComputing = 0
    private var waiting: [@Sendable () -> Void] = []
    private let jobs: Int
    private let queue: DispatchQueue

    init(count: Int, jobs: Int, queue: DispatchQueue) {
        slots = Array(repeating: nil, count: count)
        self.jobs = jobs
        self.queue = queue
    }

    func enterFlight() { lock.withLock { inFlight += 1; maxInFlight = max(maxInFlight, inFlight) } }
    func leaveFlight() { lock.withLock { inFlight -= 1 } }

    /// Runs `work` on the compute queue now if fewer than `jobs` are computing, else when one finishes.
    func compute(_ work: @escaping @Sendable () -> Void) {
        let runNow: Bool = lock.withLock {
            if computing < jobs { computing += 1; maxComputing = max(maxComputing, computing); return true }
            waiting.append(work)
            return false
        }
        if runNow { dispatch(work) }
    }

    private func dispatch(_ work: @escaping @Sendable () -> Void) {
        queue.async {
            work()
            let next: (@Sendable () -> Void)? = self.lock.withLock {
                if self.waiting.isEmpty { self.computing -= 1; return nil }
                return self.waiting.removeFirst()
            }
            if let next { self.dispatch(next) }
        }
    }

    /// Serializes the finish callbacks and stores the result.
    func finish(_ n: Int, _ body: () -> Result<Output, TileFailure>) {
        finishLock.withLock {
            let r = body()
            lock.withLock { slots[n] = r }
        }
    }

    /// The results of the tiles that ran (all of them, or the prefix taken before an interruption).
    func results() -> [Result<Output, TileFailure>] { lock.withLock { slots.prefix { $0 != nil }.map { $0! } } }
    func observed() -> TileExecutor.Observed { lock.withLock { .init(maxInFlight: maxInFlight, maxComputing: maxComputing) } }
}
