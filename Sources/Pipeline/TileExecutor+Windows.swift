import Dispatch
import Foundation

extension TileExecutor {
    /// Runs a windowed stage: each tile `stage.plan` opens is processed window by window, windows of one tile in
    /// parallel on the compute gate (at most `jobs` at once) with at most `maxInFlight` windows between
    /// submission and end across all tiles, so memory depends on the window size, not on the scene. The tile's
    /// `finish` (or `abort` after a failed window) runs on its writer queue after its last window, then `onFinish`
    /// as for whole tiles. The pieces `window` and `finish` fan out run on the compute gate too, the calling thread
    /// taking part (`FanOut`, one piece more at once than cores): the last tile's outputs are completed on every
    /// core. Tiles `plan` declines (nil) go through `ingest`/`compute`/`write` as in `run`.
    /// At most `maxInFlight` tiles are open at once. After `RunInterruption`, no further tile is taken; open tiles
    /// complete.
    public func run<S: WindowedTileStage>(_ items: [S.Item], stage: S,
                                          onStart: (@Sendable (Int, S.Item) -> Void)? = nil,
                                          onFinish: @escaping @Sendable (Int, S.Item, Result<S.Output, TileFailure>) -> Void)
        -> (results: [Result<S.Output, TileFailure>], observed: Observed) {
        let windowSlots = DispatchSemaphore(value: options.maxInFlight)
        return schedule(items, onStart: onStart, onFinish: onFinish) { _, item, slot in
            let (writer, state, finish) = (slot.writer, slot.state, slot.finish)
            let plan: S.Plan?
            do { plan = try stage.plan(item) } catch {
                writer.async { finish(.failure(TileFailure(tileId: item.id, path: item.path, stage: .ingest, error: error))) }
                return
            }
            guard let plan else {
                Self.runWhole(item, stage: stage, reader: slot.reader, writer: writer, state: state, finish: finish)
                return
            }
            // The writer thread and one helper per core: a finishing piece spends much of its time waiting for the
            // device (each COG leaves by direct I/O, 1 MiB a write), and the extra piece computes meanwhile.
            let fanOut = FanOut(width: options.jobs + 1) { state.compute($0) }
            let count = stage.windowCount(plan)
            let tile = WindowedTileState<S.Part>(count: count)
            let complete: @Sendable () -> Void = {
                writer.async {
                    switch tile.outcome() {
                    case .failure(let f):
                        stage.abort(plan)
                        finish(.failure(f))
                    case .success(let parts):
                        do { finish(.success(try stage.finish(plan, parts: parts, item: item, fanOut: fanOut))) } catch {
                            stage.abort(plan)
                            finish(.failure(TileFailure(tileId: item.id, path: item.path, stage: .write, error: error)))
                        }
                    }
                }
            }
            if count == 0 { complete(); return }
            for w in 0..<count {
                windowSlots.wait()
                if tile.hasFailed {            // a failed window: the rest of the tile is not computed
                    windowSlots.signal()
                    if tile.skip(w) { complete() }
                    continue
                }
                state.compute {
                    let r: Result<S.Part, TileFailure>
                    if tile.hasFailed { r = .failure(TileFailure(tileId: item.id, path: item.path, stage: .compute, cause: "skipped", kind: .corrupt)) } else {
                        do { r = .success(try stage.window(w, of: plan, item: item, fanOut: fanOut)) } catch {
                            r = .failure(TileFailure(tileId: item.id, path: item.path, stage: .compute, error: error))
                        }
                    }
                    windowSlots.signal()
                    if tile.complete(w, r) { complete() }
                }
            }
        }
    }

    /// One tile through ingest → compute → write (the route of `run`, and of the windowed `run` for tiles its
    /// `plan` declines).
    static func runWhole<S: TileStage>(_ item: S.Item, stage: S, reader: DispatchQueue, writer: DispatchQueue,
                                       state: ExecutorState<S.Output>,
                                       finish: @escaping @Sendable (Result<S.Output, TileFailure>) -> Void) {
        reader.async {
            let loaded: S.Loaded
            do { loaded = try stage.ingest(item) } catch {
                writer.async { finish(.failure(TileFailure(tileId: item.id, path: item.path, stage: .ingest, error: error))) }
                return
            }
            state.compute {
                let computed = Result { try stage.compute(loaded, item: item) }
                writer.async {
                    switch computed {
                    case .failure(let error):
                        finish(.failure(TileFailure(tileId: item.id, path: item.path, stage: .compute, error: error)))
                    case .success(let c):
                        do { finish(.success(try stage.write(c, item: item))) } catch {
                            finish(.failure(TileFailure(tileId: item.id, path: item.path, stage: .write, error: error)))
                        }
                    }
                }
            }
        }
    }
}

/// The windows of one open tile: their parts, the first failure, how many are still out.
final class WindowedTileState<Part: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [Part?]
    private var failure: TileFailure?
    private var remaining: Int

    init(count: Int) {
        parts = Array(repeating: nil, count: count)
        remaining = count
    }

    /// True once a window failed.
    var hasFailed: Bool { lock.withLock { failure != nil } }

    /// Stores window `w`'s outcome (the first failure wins); true when it was the last window.
    func complete(_ w: Int, _ r: Result<Part, TileFailure>) -> Bool {
        lock.withLock {
            switch r {
            case .success(let p): parts[w] = p
            case .failure(let f): if failure == nil { failure = f }
            }
            remaining -= 1
            return remaining == 0
        }
    }

    /// Window `w` was not run (the tile already failed); true when it was the last window.
    func skip(_ w: Int) -> Bool { lock.withLock { remaining -= 1; return remaining == 0 } }

    /// The parts in window order, or the failure.
    func outcome() -> Result<[Part], TileFailure> {
        lock.withLock {
            if let failure { return .failure(failure) }
            return .success(parts.map { $0! })
        }
    }
}
