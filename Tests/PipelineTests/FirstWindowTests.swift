import Foundation
import RasterCore
import TestSupport
import XCTest
@testable import Pipeline

/// Where a windowed tile's first window is decoded: the first tile a job opens reads a one-pixel probe in `plan` (its
/// windows then start together), later tiles keep the first window `plan` read for `window(0)`. Either way the
/// window gives the same figures and bytes.
final class FirstWindowTests: XCTestCase {
    func testFirstTileProbesLaterTilesKeepTheirFirstWindow() throws {
        let root = try TestData.temporaryDirectory("first-window")
        defer { try? FileManager.default.removeItem(at: root) }
        let tiles = try WindowedRunTests.scenes(["a_20250101", "b_20250101"], in: root, width: 300, height: 200)
        XCTAssertEqual(tiles.count, 2)
        let cog = try WindowedRunTests.cog(tileSize: 128)
        let job = IndexJob(indices: ["ndvi", "ndwi"], outputDirectory: root.appendingPathComponent("out").path, cog: cog)
        let a = try XCTUnwrap(try job.plan(tiles[0])), b = try XCTUnwrap(try job.plan(tiles[1]))
        defer { job.abort(a); job.abort(b) }
        XCTAssertNil(a.takeFirst(), "the job's first tile decoded its whole first window in plan")
        let kept = try XCTUnwrap(b.takeFirst(), "a later tile did not keep the first window plan read")
        XCTAssertEqual(kept.width * kept.height, 128 * 128)
        b.keepFirst(kept)
        // The two scenes hold the same samples: window 0 read afresh (a) and as plan read it (b) give the same figures.
        let pa = try job.window(0, of: a, item: tiles[0]), pb = try job.window(0, of: b, item: tiles[1])
        XCTAssertNil(b.takeFirst(), "window(0) did not take the kept window")
        let ndvi = try XCTUnwrap(pa.result.indices["ndvi"])
        XCTAssertGreaterThan(ndvi.count, 0)
        XCTAssertEqual(ndvi.count + ndvi.invalid, 128 * 128)
        XCTAssertEqual(pa.result.indices, pb.result.indices)
        XCTAssertEqual(pa.result.classes, pb.result.classes)
    }
}
