import XCTest
import Foundation
import TestSupport
@testable import GroundStation

/// Discovery over whole folders: SampleTiles and every shared data set, without throwing.
final class DiscoveryTests: XCTestCase {
    func testSampleTilesDiscovery() throws {
        let root = TestData.packageRoot.appendingPathComponent("SampleTiles").path
        guard FileManager.default.fileExists(atPath: root) else { throw XCTSkip("SampleTiles absent") }
        let (inputs, rejects) = try TileDiscovery.discover(path: root, bandMap: nil)
        XCTAssertTrue(rejects.isEmpty, "\(rejects)")
        XCTAssertEqual(inputs.count, 16)
        XCTAssertEqual(inputs.map(\.id), inputs.map(\.id).sorted())
        XCTAssertEqual(inputs.first?.id, "HXY1_20250108_r0c0")
        XCTAssertEqual(Set(inputs.map(\.id)).count, 16, "ids are unique")
        for i in inputs {
            XCTAssertNotNil(i.date)
            XCTAssertEqual(i.files.count, 2, "scene.json + the tile's GeoTIFF; truth files are not inputs")
        }
    }

    func testWholeSharedDataNeverThrows() throws {
        guard let d = TestData.sharedData else { throw XCTSkip("../shared/data absent") }
        let (inputs, rejects) = try TileDiscovery.discover(path: d.path, bandMap: nil)
        let ids = inputs.map(\.id)
        XCTAssertEqual(Set(ids).count, ids.count, "ids are unique")
        for expected in ["LC80200392015216LGN00", "LC08_L1TP_016037_20170813_20170814_01_RT", "S2A_29RKH_20200219_0_L2A",
                         "MCD43A4.A2017006.h21v11.006.2017018074804"] {
            XCTAssertTrue(ids.contains(expected), "\(expected) not discovered")
        }
        // The C2 MTL has no imagery next to it: it is an input whose load fails with a clear error.
        let c2 = try XCTUnwrap(inputs.first { $0.id.hasPrefix("LC08_L2SP") })
        XCTAssertThrowsError(try c2.load(bands: nil, limits: .default)) { e in
            XCTAssertTrue("\(e)".contains("MTL.txt"), "\(e)")
        }
        for r in rejects { XCTAssertFalse(r.reason.isEmpty, r.path) }
    }

    func testMissingPathThrows() {
        XCTAssertThrowsError(try TileDiscovery.discover(path: "/nonexistent/tiles", bandMap: nil)) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/tiles"))
        }
    }
}
