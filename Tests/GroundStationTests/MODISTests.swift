import XCTest
import Foundation
import RasterCore
import RasterIO
import TestSupport
@testable import GroundStation

/// MODIS band-per-file folders become one scene each.
final class MODISTests: XCTestCase {
    func testMCD43A4FolderIsOneSevenBandScene() throws {
        guard let d = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        let dir = d.appendingPathComponent("modis-mcd43a4_rio-tiler-pds").path
        let (inputs, rejects) = try TileDiscovery.discover(path: dir, bandMap: nil)
        XCTAssertTrue(rejects.isEmpty, "\(rejects)")
        XCTAssertEqual(inputs.map(\.id), ["MCD43A4.A2017006.h21v11.006.2017018074804"])
        XCTAssertEqual(inputs[0].files.count, 7)
        XCTAssertEqual(inputs[0].date, ISO8601.parse("2017-01-06"))
        let t = try inputs[0].load(bands: ["red", "nir", "swir22"], limits: .default)
        let raw = try GeoTIFFReader(path: dir + "/MCD43A4.A2017006.h21v11.006.2017018074804_B01.TIF").read().floatBand(0)
        var checked = 0
        for i in stride(from: 0, to: raw.count, by: 13) {
            if raw[i].isNaN { XCTAssertTrue(t.bands["red"]![i].isNaN) }   // nodata 32767
            else if t.quality[i] == 0 { XCTAssertEqual(t.bands["red"]![i], raw[i] * 1e-4, accuracy: 1e-7); checked += 1 }
        }
        XCTAssertGreaterThan(checked, 400)  // 13 % of this tile is valid land
    }

    func testMYD13FolderUsesReflectanceLayersOnly() throws {
        guard let d = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        let dir = d.appendingPathComponent("modis-myd13a1_rio-tiler-pds").path
        let (inputs, rejects) = try TileDiscovery.discover(path: dir, bandMap: nil)
        XCTAssertEqual(inputs.count, 1)
        // NDVI, EVI and pixel reliability are products, not reflectance bands.
        XCTAssertEqual(Set(rejects.map { ($0.path as NSString).lastPathComponent.components(separatedBy: "_").dropFirst().joined(separator: "_") }),
                       ["NDVI_B01.TIF", "EVI_B02.TIF", "PR_B12.TIF"])
        let t = try inputs[0].load(bands: ["red", "nir", "blue"], limits: .default)
        // SOURCES.md §1 pixel [240,240]: red 1486, NIR 2154, blue 775 (scale 1e-4).
        let i = 240 * 480 + 240
        XCTAssertEqual(t.bands["red"]![i], 0.1486, accuracy: 1e-6)
        XCTAssertEqual(t.bands["nir"]![i], 0.2154, accuracy: 1e-6)
        XCTAssertEqual(t.bands["blue"]![i], 0.0775, accuracy: 1e-6)
    }
}
