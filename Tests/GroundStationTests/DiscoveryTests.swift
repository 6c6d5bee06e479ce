import XCTest
import Foundation
import TestSupport
import RasterCore
@testable import GroundStation

/// Discovery over whole folders: SampleTiles and every shared data set, without throwing.
final class DiscoveryTests: XCTestCase {
    func testSampleTilesDiscovery() throws {
        let root = TestData.packageRoot.appendingPathComponent("SampleTiles").path
        guard FileManager.default.fileExists(atPath: root) else { throw Skip.because("SampleTiles absent") }
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

    /// A GeoTIFF larger than the whole-image decode limit (16384² × 6 UInt16 = 3 GiB, over the default 2 GiB; a
    /// full 13-band Sentinel-2 tile is 3.1 GB) is a tile: discovery reads its header only and the scene is processed
    /// in windows. The file is sparse (no tile written), so the test costs nothing.
    func testSceneOverTheWholeDecodeLimitIsATile() throws {
        let tool = "/usr/bin/gdal_create"
        guard FileManager.default.isExecutableFile(atPath: tool) else { throw Skip.because("gdal_create absent (make test-deps installs gdal-bin)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("big-scene-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("scene_20250601.tif").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-q", "-of", "GTiff", "-outsize", "16384", "16384", "-bands", "6", "-ot", "UInt16", "-co", "TILED=YES",
                       "-co", "SPARSE_OK=TRUE", "-co", "COMPRESS=DEFLATE", "-a_srs", "EPSG:32650",
                       "-a_ullr", "500000", "3000000", "663840", "2836160", path]
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertGreaterThan(16384 * 16384 * 6 * 2, ResourceLimits.default.maxDecodedBytes, "the scene must exceed the whole-read limit")
        let (inputs, rejects) = try TileDiscovery.discover(path: dir.path, bandMap: ["blue": 1, "green": 2, "red": 3, "nir": 4, "swir16": 5, "swir22": 6])
        XCTAssertTrue(rejects.isEmpty, "\(rejects)")
        XCTAssertEqual(inputs.map(\.id), ["scene_20250601"])
    }

    func testWholeSharedDataNeverThrows() throws {
        guard let d = TestData.sharedData else { throw Skip.because("../shared/data absent") }
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
