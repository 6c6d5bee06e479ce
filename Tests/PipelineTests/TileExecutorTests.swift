import Foundation
import Pipeline
import XCTest

/// A stage that sleeps in each step and counts, by itself, how many tiles are between ingest start and write end.
final class CountingStage: TileStage, @unchecked Sendable {
    struct Item: TileItem { var id: String; var path: String }
    let lock = NSLock()
    var inFlight = 0, maxInFlight = 0, computing = 0, maxComputing = 0
    let failing: Set<String>
    let failStage: StageName

    init(failing: Set<String> = [], failStage: StageName = .compute) { self.failing = failing; self.failStage = failStage }

    func ingest(_ item: Item) throws -> Int {
        lock.withLock { inFlight += 1; maxInFlight = max(maxInFlight, inFlight) }
        usleep(3000)
        if failStage == .ingest, failing.contains(item.id) { lock.withLock { inFlight -= 1 }; throw NSError(domain: "bad", code: 1) }
        return Int(item.id.dropFirst())!
    }

    func compute(_ loaded: Int, item: Item) throws -> Int {
        lock.withLock { computing += 1; maxComputing = max(maxComputing, computing) }
        defer { lock.withLock { computing -= 1 } }
        usleep(2000)
        if failStage == .compute, failing.contains(item.id) { lock.withLock { inFlight -= 1 }; throw NSError(domain: "bad", code: 2) }
        return loaded * 2
    }

    func write(_ computed: Int, item: Item) throws -> Int {
        usleep(3000)
        lock.withLock { inFlight -= 1 }
        return computed
    }
}

final class TileExecutorTests: XCTestCase {
    func items(_ n: Int) -> [CountingStage.Item] { (0..<n).map { .init(id: "t\($0)", path: "/in/t\($0).tif") } }

    func testInFlightIsBoundedAndResultsAreInOrder() {
        for k in [1, 3, 5] {
            let stage = CountingStage()
            let finished = LockedCounter()
            let (results, observed) = TileExecutor(options: .init(jobs: 2, maxInFlight: k)).run(items(40), stage: stage) { _, _, _ in
                finished.increment()
            }
            XCTAssertEqual(results.map { try? $0.get() }, (0..<40).map { $0 * 2 })
            XCTAssertEqual(finished.value, 40)
            XCTAssertLessThanOrEqual(stage.maxInFlight, k, "stage saw more than \(k) tiles in flight")
            XCTAssertEqual(stage.maxInFlight, k, "the bound should be reached with 40 slow tiles")
            XCTAssertLessThanOrEqual(observed.maxInFlight, k)
            XCTAssertLessThanOrEqual(stage.maxComputing, 2)
        }
    }

    func testComputeWidthHonoursJobs() {
        let stage = CountingStage()
        _ = TileExecutor(options: .init(jobs: 1, maxInFlight: 6)).run(items(20), stage: stage) { _, _, _ in }
        XCTAssertEqual(stage.maxComputing, 1)
    }

    func testFailuresAreValuesAndTheRunGoesOn() {
        for failStage in [StageName.ingest, .compute] {
            let stage = CountingStage(failing: ["t3", "t7"], failStage: failStage)
            let (results, _) = TileExecutor(options: .init(jobs: 2, maxInFlight: 2)).run(items(12), stage: stage) { _, _, _ in }
            let failures = results.compactMap { r -> TileFailure? in if case .failure(let f) = r { return f } else { return nil } }
            XCTAssertEqual(failures.map(\.tileId), ["t3", "t7"])
            XCTAssertEqual(failures.map(\.path), ["/in/t3.tif", "/in/t7.tif"])
            XCTAssertTrue(failures.allSatisfy { $0.stage == failStage })
            XCTAssertEqual(results.filter { if case .success = $0 { true } else { false } }.count, 10)
            XCTAssertEqual(stage.inFlight, 0)
        }
    }

    func testEmptyInput() {
        let (results, observed) = TileExecutor(options: .init(jobs: 2, maxInFlight: 2)).run([], stage: CountingStage()) { _, _, _ in }
        XCTAssertTrue(results.isEmpty)
        XCTAssertEqual(observed.maxInFlight, 0)
    }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
