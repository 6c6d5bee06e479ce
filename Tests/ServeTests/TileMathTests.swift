import Foundation
import Serve
import XCTest

/// XYZ addressing and the tile cache, without a server.
final class TileMathTests: XCTestCase {
    func testTileAddressesParseStrictlyAndBoundsTile() throws {
        XCTAssertNotNil(WebMercatorTile(z: "0", x: "0", y: "0"))
        XCTAssertNil(WebMercatorTile(z: "1", x: "2", y: "0"), "x must be below 2^z")
        for bad in ["", "-1", "+1", "1e2", " 1", "0x1", "١"] { XCTAssertNil(WebMercatorTile(z: "3", x: Substring(bad), y: "0"), bad) }
        // Neighbouring tiles share edges; zoom 0 spans the whole world.
        let t = try XCTUnwrap(WebMercatorTile(z: 15, x: 27142, y: 14022))
        let right = try XCTUnwrap(WebMercatorTile(z: 15, x: 27143, y: 14022)), below = try XCTUnwrap(WebMercatorTile(z: 15, x: 27142, y: 14023))
        XCTAssertEqual(t.bounds().maxX, right.bounds().minX, accuracy: 1e-6)
        XCTAssertEqual(t.bounds().minY, below.bounds().maxY, accuracy: 1e-6)
        XCTAssertEqual(WebMercatorTile(z: 0, x: 0, y: 0)!.bounds().maxX, WebMercatorTile.halfWorld, accuracy: 1e-6)
        XCTAssertEqual(t.resolution() * 256, t.bounds().maxX - t.bounds().minX, accuracy: 1e-6)
        // The tile holding a point holds it.
        let c = try XCTUnwrap(WebMercatorTile.containing(lon: 118.2, lat: 25.1, z: 15))
        XCTAssertEqual([c.x, c.y], [27142, 14022])
    }

    func testCacheEvictsTheLeastRecentlyUsedBeyondItsBytes() {
        let cache = TileCache(capacityBytes: 300)
        func tile(_ n: Int) -> RenderedTile { RenderedTile(png: [UInt8](repeating: 1, count: n), etag: "\"\(n)\"", lastModified: Date()) }
        cache.put("a", tile(100)); cache.put("b", tile(100)); cache.put("c", tile(100))
        XCTAssertNotNil(cache.get("a"))          // a is now the most recent
        cache.put("d", tile(100))                // evicts b, the least recent
        XCTAssertNil(cache.get("b"))
        XCTAssertNotNil(cache.get("a")); XCTAssertNotNil(cache.get("c")); XCTAssertNotNil(cache.get("d"))
        XCTAssertLessThanOrEqual(cache.usage.bytes, 300)
        cache.put("huge", tile(301))             // larger than the whole cache: not kept
        XCTAssertNil(cache.get("huge"))
    }
}
