import Foundation
import RasterCore
import TestSupport
import XCTest
@testable import Pipeline

/// `IndexJob.window` hands its product blocks to the `FanOut` it is given (one piece per product), and the figures
/// and files are those of the serial route.
final class WindowFanOutTests: XCTestCase {
    func testProductBlocksGoThroughTheFanOut() throws {
        let root = try TestData.temporaryDirectory("window-fanout")
        defer { try? FileManager.default.removeItem(at: root) }
        let tile = try XCTUnwrap(try WindowedRunTests.scenes(["s_20250101"], in: root, width: 256, height: 256).first)
        let cog = try WindowedRunTests.cog(tileSize: 128)

        final class Helpers: @unchecked Sendable { let lock = NSLock(); var submitted = 0 }
        var bytes: [[String: Data]] = []
        for fanned in [false, true] {
            let out = root.appendingPathComponent(fanned ? "fanned" : "serial")
            let job = IndexJob(indices: ["ndvi", "ndwi", "nbr"], outputDirectory: out.path, cog: cog)
            let helpers = Helpers()
            let fanOut = fanned ? FanOut(width: 2) { work in
                helpers.lock.withLock { helpers.submitted += 1 }
                DispatchQueue.global().async(execute: work)
            } : .serial
            let plan = try XCTUnwrap(try job.plan(tile))
            let parts = try (0..<plan.windows.count).map { try job.window($0, of: plan, item: tile, fanOut: fanOut) }
            _ = try job.finish(plan, parts: parts, item: tile, fanOut: .serial)
            // One helper offered per window: three index blocks (and the class map's, when classified) are pieces.
            XCTAssertEqual(helpers.submitted, fanned ? plan.windows.count : 0)
            bytes.append(TileFixtures.outputFiles(out).filter { $0.key.hasSuffix(".tif") })
        }
        XCTAssertEqual(bytes[0].keys.sorted(), bytes[1].keys.sorted())
        XCTAssertGreaterThanOrEqual(bytes[0].count, 3)
        for (name, data) in bytes[0] { XCTAssertEqual(data, bytes[1][name], name) }
    }
}
