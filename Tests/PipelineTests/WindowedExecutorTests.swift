import Foundation
import Pipeline
import XCTest

/// A windowed stage over items "t<windows>": each window records how many windows are running and in flight;
/// windows named in `failing` ("t8/3") throw; `whole` items are declined by `plan` (whole-tile route).
final class WindowCountingStage: WindowedTileStage, @unchecked Sendable {
    struct Item: TileItem { var id: String; var path: String }
    final class Plan: @unchecked Sendable {
        let windows: Int
        var aborted = false, finished = false
        init(windows: Int) { self.windows = windows }
    }
    let lock = NSLock()
    var running = 0, maxRunning = 0, windowsRun = 0
    var plans: [String: Plan] = [:]
    let failing: Set<String>, whole: Set<String>
    /// Each window waits until two windows run at once (or 5 s pass): with two compute slots, windows of one tile
    /// must overlap.
    let rendezvous: Bool

    init(failing: Set<String> = [], whole: Set<String> = [], rendezvous: Bool = false) {
        self.failing = failing; self.whole = whole; self.rendezvous = rendezvous
    }

    func plan(_ item: Item) throws -> Plan? {
        guard !whole.contains(item.id) else { return nil }
        let p = Plan(windows: Int(item.id.dropFirst())!)
        lock.withLock { plans[item.id] = p }
        return p
    }
    func windowCount(_ plan: Plan) -> Int { plan.windows }
    func window(_ index: Int, of plan: Plan, item: Item, fanOut: FanOut) throws -> Int {
        lock.withLock { running += 1; maxRunning = max(maxRunning, running); windowsRun += 1 }
        defer { lock.withLock { running -= 1 } }
        if rendezvous {
            let deadline = Date().addingTimeInterval(5)
            while lock.withLock({ maxRunning < 2 }) && Date() < deadline { usleep(500) }
        } else {
            usleep(1000)
        }
        if failing.contains("\(item.id)/\(index)") { throw NSError(domain: "bad window", code: index) }
        return index
    }
    /// Pieces `finish` fans out, each waiting until `finishRendezvous` pieces run at once (or 5 s pass).
    var finishPieces = 0, finishRendezvous = 0, piecesRunning = 0, maxPieces = 0

    func finish(_ plan: Plan, parts: [Int], item: Item, fanOut: FanOut) throws -> Int {
        _ = try fanOut.map(finishPieces) { [self] _ in
            lock.withLock { piecesRunning += 1; maxPieces = max(maxPieces, piecesRunning) }
            defer { lock.withLock { piecesRunning -= 1 } }
            let deadline = Date().addingTimeInterval(5)
            while lock.withLock({ maxPieces < finishRendezvous }) && Date() < deadline { usleep(500) }
        }
        XCTAssertEqual(parts, Array(0..<plan.windows), "parts in window order")
        plan.finished = true
        return parts.reduce(0, +)
    }
    func abort(_ plan: Plan) { XCTAssertFalse(plan.aborted, "aborted twice"); plan.aborted = true }

    func ingest(_ item: Item) throws -> Int { Int(item.id.dropFirst())! }
    func compute(_ loaded: Int, item: Item) throws -> Int { loaded * 1000 }
    func write(_ computed: Int, item: Item) throws -> Int { computed }
}

final class WindowedExecutorTests: XCTestCase {
    /// Windows of one tile (a single-tile batch) run on both compute slots at once.
    func testWindowsOfOneTileRunInParallel() {
        let stage = WindowCountingStage(rendezvous: true)
        let (results, observed) = TileExecutor(options: .init(jobs: 2, maxInFlight: 4)).run([.init(id: "t16", path: "/in/scene.tif")], stage: stage) { _, _, _ in }
        XCTAssertEqual(results.map { try? $0.get() }, [120])
        XCTAssertEqual(stage.maxRunning, 2, "two windows of the one scene should compute at once")
        XCTAssertEqual(observed.maxComputing, 2)
    }

    /// A tile's finishing pieces run one more at once than there are compute slots (the writer thread and a helper
    /// per slot), since they wait on the device for much of their time.
    func testFinishPiecesRunOneMoreThanJobsAtOnce() {
        let stage = WindowCountingStage()
        stage.finishPieces = 6
        stage.finishRendezvous = 3
        let (results, _) = TileExecutor(options: .init(jobs: 2, maxInFlight: 2)).run([.init(id: "t2", path: "/in/t2.tif")], stage: stage) { _, _, _ in }
        XCTAssertEqual(results.map { try? $0.get() }, [1])
        XCTAssertEqual(stage.maxPieces, 3)
    }

    /// At most `jobs` windows compute at once; every window runs once; results in item order; declined tiles take
    /// the whole-tile route.
    func testWindowsBoundedAndResultsInOrder() {
        let stage = WindowCountingStage(whole: ["t3"])
        let items: [WindowCountingStage.Item] = ["t5", "t3", "t7", "t1"].map { .init(id: $0, path: "/in/\($0).tif") }
        let (results, _) = TileExecutor(options: .init(jobs: 2, maxInFlight: 3)).run(items, stage: stage) { _, _, _ in }
        XCTAssertEqual(results.map { try? $0.get() }, [10, 3000, 21, 0])
        XCTAssertLessThanOrEqual(stage.maxRunning, 2)
        XCTAssertEqual(stage.windowsRun, 5 + 7 + 1)
        XCTAssertTrue(stage.plans.values.allSatisfy { $0.finished && !$0.aborted })
    }

    /// A failing window fails its tile (named, stage and cause kept) and aborts it once; the other tiles are done.
    func testFailedWindowAbortsItsTileOnly() {
        let stage = WindowCountingStage(failing: ["t8/3"])
        let items: [WindowCountingStage.Item] = ["t4", "t8", "t6"].map { .init(id: $0, path: "/in/\($0).tif") }
        let recorded = LockedItems<String>()
        let (results, _) = TileExecutor(options: .init(jobs: 2, maxInFlight: 2)).run(items, stage: stage) { _, item, r in
            recorded.append("\(item.id):\((try? r.get()).map(String.init) ?? "failed")")
        }
        XCTAssertEqual(results.compactMap { try? $0.get() }, [6, 15])
        guard case .failure(let f) = results[1] else { return XCTFail("t8 should fail") }
        XCTAssertEqual(f.tileId, "t8")
        XCTAssertEqual(f.path, "/in/t8.tif")
        XCTAssertEqual(f.stage, .compute)
        XCTAssertTrue(f.cause.contains("bad window"), f.cause)
        XCTAssertTrue(stage.plans["t8"]!.aborted)
        XCTAssertFalse(stage.plans["t8"]!.finished)
        XCTAssertEqual(recorded.items.sorted(), ["t4:6", "t6:15", "t8:failed"])
    }
}

final class LockedItems<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [T] = []
    func append(_ x: T) { lock.withLock { storage.append(x) } }
    var items: [T] { lock.withLock { storage } }
}
