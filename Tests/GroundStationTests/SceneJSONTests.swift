import XCTest
import Foundation
import RasterCore
import RasterIO
import TestSupport
@testable import GroundStation

/// scene.json: reading, calibration through it, and errors that name the file and the key.
final class SceneJSONTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("gs-scenejson") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A 4×3 two-band UInt16 tile (blue, nir) plus its scene.json; returns the scene.json path.
    func makeScene(_ edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        let dn: [UInt16] = [0, 1000, 2000, 3000, 4095, 500, 600, 700, 800, 900, 1000, 1100,   // blue
                            0, 2000, 2500, 3000, 3500, 100, 200, 300, 400, 500, 600, 700]      // nir
        let r = Raster(width: 4, height: 3, samples: dn, bands: [BandInfo(description: "blue"), BandInfo(description: "nir")],
                       geo: GeoReference(transform: GeoTransform(originX: 500000, pixelWidth: 16, originY: 2780000, pixelHeight: -16), crs: .epsg(32650)))
        try GeoTIFFWriter.write(r, to: dir.appendingPathComponent("t.tif").path, options: .init(tileSize: 16))
        var doc: [String: Any] = [
            "schema": "tilepipe-scene/1", "satellite": "Anxi Tieguanyin-1", "sensor": "TGY-PMS", "scene_id": "TGY1_X",
            "tile": "r0c0", "acquired": "2025-06-21T02:30:00Z", "sun_elevation": 30.0, "sun_azimuth": 100.0,
            "earth_sun_distance": 1.0, "cloud_cover": 0.0, "processing_level": "L1T", "crs": "EPSG:32650",
            "bands": [
                ["name": "B1", "file": "t.tif", "band": 1, "reflectance_mult": 2.5e-4, "reflectance_add": 0.0],
                ["name": "B4", "common_name": "nir", "file": "t.tif", "band": 2, "gain": 0.1, "offset": 0.0, "esun": 1039.0],
            ],
        ]
        edit(&doc)
        let p = dir.appendingPathComponent("scene.json").path
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: p))
        return p
    }

    func testLoadCalibratesBothForms() throws {
        let p = try makeScene()
        let (inputs, rejects) = try TileDiscovery.discover(path: dir.path, bandMap: nil)
        XCTAssertTrue(rejects.isEmpty, "\(rejects)")
        XCTAssertEqual(inputs.map(\.id), ["TGY1_X_r0c0"])
        XCTAssertEqual(Set(inputs[0].files.map { ($0 as NSString).lastPathComponent }), ["scene.json", "t.tif"])
        XCTAssertEqual(inputs[0].date, ISO8601DateFormatter().date(from: "2025-06-21T02:30:00Z"))
        let t = try inputs[0].load(bands: nil, limits: .default)
        XCTAssertEqual(t.scene?.satellite, "Anxi Tieguanyin-1")
        XCTAssertEqual(t.geo?.crs?.epsg, 32650)
        // blue: 2.5e-4·DN / sin 30° = 5e-4·DN.
        XCTAssertEqual(t.bands["blue"]![1], 0.5, accuracy: 1e-6)
        // nir: π·(0.1·DN)·1² / (1039·sin 30°).
        XCTAssertEqual(Double(t.bands["nir"]![1]), Double.pi * 200 / (1039 * 0.5), accuracy: 1e-5)
        // DN 0 = fill -> nodata; 4095 = the model sensor's saturation.
        XCTAssertEqual(t.quality[0], PixelQuality.nodata.rawValue)
        XCTAssertEqual(t.quality[4], PixelQuality.saturated.rawValue)
        XCTAssertTrue(t.bands["nir"]![4].isNaN)
        _ = p
    }

    func assertError(_ edit: (inout [String: Any]) -> Void, key: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let p = try makeScene(edit)
        do {
            let m = try SceneManifest.read(path: p)
            _ = try m.load(bands: ["blue", "nir", "red"], limits: .default)
            XCTFail("no error", file: file, line: line)
        } catch let e as ManifestError {
            XCTAssertEqual(e.file, p, file: file, line: line)
            XCTAssertTrue(e.description.contains(p), e.description, file: file, line: line)
            XCTAssertTrue(e.description.contains(key), "\(e.description) should name \(key)", file: file, line: line)
        }
    }

    func testErrorsNameFileAndKey() throws {
        try assertError({ $0["satellite"] = "Tiangong-9" }, key: "satellite")
        try assertError({ $0.removeValue(forKey: "sun_elevation") }, key: "sun_elevation")
        try assertError({ $0["sun_elevation"] = "high" }, key: "sun_elevation")
        try assertError({ $0["acquired"] = "yesterday" }, key: "acquired")
        try assertError({ $0["crs"] = "UTM50" }, key: "crs")
        try assertError({ d in
            var bands = d["bands"] as! [[String: Any]]
            bands[1].removeValue(forKey: "esun")
            d["bands"] = bands
        }, key: "bands[1].esun")
        try assertError({ d in
            var bands = d["bands"] as! [[String: Any]]
            bands[0]["band"] = "one"
            d["bands"] = bands
        }, key: "bands[0].band")
        // All keys right: asking for a band the scene lacks names the band.
        try assertError({ _ in }, key: "'red'")
    }
}
