import Foundation
import Pipeline
import RasterIO
import XCTest

/// I/O failures are kept apart from corrupt data: `ReadRetryPolicy` retries `RasterIOError.io` a bounded
/// number of times and never retries corrupt input; the failure kind reaches the run report.
final class HostileIOErrorTests: XCTestCase {
    /// Counts calls from the retried closure.
    final class Counter: @unchecked Sendable { var n = 0 }

    func testTransientIOErrorIsRetriedThenSucceeds() throws {
        let c = Counter()
        var retries: [Int] = []
        let v = try ReadRetryPolicy(attempts: 3, backoff: 0).run({ () throws -> Int in
            c.n += 1
            if c.n < 3 { throw RasterIOError.io(path: "/x.tif", reason: "Input/output error") }
            return 42
        }, onRetry: { attempt, _ in retries.append(attempt) })
        XCTAssertEqual(v, 42)
        XCTAssertEqual(c.n, 3)
        XCTAssertEqual(retries, [1, 2])
    }

    func testPersistentIOErrorIsBoundedAndStaysIO() {
        let c = Counter()
        XCTAssertThrowsError(try ReadRetryPolicy(attempts: 3, backoff: 0).run { () throws -> Int in
            c.n += 1
            throw RasterIOError.io(path: "/x.tif", reason: "Stale file handle")
        }) { e in
            guard let e = e as? RasterIOError else { return XCTFail("\(e)") }
            XCTAssertEqual(e.kind, "io")
            XCTAssertEqual(e.path, "/x.tif")
            XCTAssertTrue(e.reason.contains("after 3 attempts"), e.reason)
        }
        XCTAssertEqual(c.n, 3)
    }

    func testCorruptInputIsNeverRetried() {
        for error in [RasterIOError.corrupt(path: "/c.tif", reason: "bad strip"), .unsupported(path: "/c.tif", reason: "complex"),
                      .limitExceeded(path: "/c.tif", reason: "too big"), .cannotOpen(path: "/c.tif", reason: "is a FIFO")] {
            let c = Counter()
            XCTAssertThrowsError(try ReadRetryPolicy(attempts: 5, backoff: 0).run { () throws -> Int in
                c.n += 1
                throw error
            }) { XCTAssertEqual($0 as? RasterIOError, error) }
            XCTAssertEqual(c.n, 1, "\(error.kind) must not be retried")
        }
    }

    func testAttemptsAreAtLeastOne() throws {
        XCTAssertEqual(ReadRetryPolicy(attempts: 0).attempts, 1)
        let c = Counter()
        XCTAssertThrowsError(try ReadRetryPolicy(attempts: 0, backoff: 0).run { () throws -> Int in
            c.n += 1
            throw RasterIOError.io(path: "/x.tif", reason: "EIO")
        }) { XCTAssertEqual(($0 as? RasterIOError)?.reason, "EIO", "one attempt: the error is passed through unchanged") }
        XCTAssertEqual(c.n, 1)
    }

    func testFailureKindsReachTheReport() {
        let io = TileFailure(tileId: "t", path: "/t.tif", stage: .ingest, error: RasterIOError.io(path: "/t.tif", reason: "EIO"))
        let corrupt = TileFailure(tileId: "t", path: "/t.tif", stage: .ingest, error: RasterIOError.corrupt(path: "/t.tif", reason: "bad"))
        XCTAssertEqual(io.kind, .io)
        XCTAssertEqual(corrupt.kind, .corrupt)
        XCTAssertTrue(io.description.hasSuffix("[io]"), io.description)
        XCTAssertTrue(corrupt.description.hasSuffix("[corrupt]"), corrupt.description)
    }
}
