import Dispatch
import XCTest
@testable import RasterIO

/// `CRSTransform.shared`: one transform per CRS pair and process, safe to use from several threads.
final class CRSTransformSharedTests: XCTestCase {
    func testSamePairGivesTheSameTransformAndOtherPairsTheirOwn() throws {
        let a = try CRSTransform.shared(from: "EPSG:32650", to: "EPSG:4326")
        let b = try CRSTransform.toWGS84(from: "EPSG:32650")
        let c = try CRSTransform.shared(from: "EPSG:32651", to: "EPSG:4326")
        XCTAssertTrue(a === b, "toWGS84 goes through the shared table")
        XCTAssertFalse(a === c)
        // UTM 50N (central meridian 117°E) and 51N (123°E) put the same easting/northing at different longitudes.
        let pa = try a.transform(x: 500_000, y: 2_800_000), pc = try c.transform(x: 500_000, y: 2_800_000)
        XCTAssertEqual(pa.x, 117, accuracy: 1e-9)
        XCTAssertEqual(pc.x, 123, accuracy: 1e-9)
    }

    func testARefusedPairThrowsEveryTime() {
        XCTAssertThrowsError(try CRSTransform.shared(from: "EPSG:999999", to: "EPSG:4326"))
        XCTAssertThrowsError(try CRSTransform.shared(from: "EPSG:999999", to: "EPSG:4326"))
    }

    func testConcurrentCallsOnTheSharedTransformMatchAPrivateOne() throws {
        let shared = try CRSTransform.shared(from: "EPSG:32650", to: "EPSG:4326")
        let own = try CRSTransform(from: "EPSG:32650", to: "EPSG:4326")
        let n = 64
        let eastings = (0..<n).map { 400_000 + Double($0) * 1_000 }, northings = (0..<n).map { 2_700_000 + Double($0) * 2_000 }
        var ownX = eastings, ownY = northings
        try own.transform(xs: &ownX, ys: &ownY)
        let (expectX, expectY) = (ownX, ownY)
        let results = Results(count: n)
        DispatchQueue.concurrentPerform(iterations: n) { i in
            var xs = Array(repeating: eastings[i], count: 500), ys = Array(repeating: northings[i], count: 500)
            if i % 2 == 0 { try? shared.transform(xs: &xs, ys: &ys) } else { shared.transformMarkingFailures(xs: &xs, ys: &ys) }
            results.set(i, xs.allSatisfy { $0 == expectX[i] } && ys.allSatisfy { $0 == expectY[i] })
        }
        XCTAssertEqual(results.all.filter { !$0 }.count, 0, "every thread's points equal the private transform's")
    }

    func testTheTableIsBoundedAndStillAnswersAfterEmptying() throws {
        let first = try CRSTransform.shared(from: "EPSG:32650", to: "EPSG:4326")
        // UTM zones north (EPSG:32601…32660) and south (32701…): as many new pairs as the table holds.
        for i in 0..<CRSTransform.sharedLimit {
            _ = try CRSTransform.shared(from: "EPSG:\(i < 60 ? 32601 + i : 32701 + i - 60)", to: "EPSG:3857")
        }
        let again = try CRSTransform.shared(from: "EPSG:32650", to: "EPSG:4326")
        XCTAssertFalse(first === again, "filling the table to its limit empties it, so the pair is made anew")
        XCTAssertEqual(try again.transform(x: 500_000, y: 2_800_000).x, 117, accuracy: 1e-9)
    }
}

private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Bool]
    init(count: Int) { values = Array(repeating: false, count: count) }
    func set(_ i: Int, _ v: Bool) { lock.withLock { values[i] = v } }
    var all: [Bool] { lock.withLock { values } }
}
