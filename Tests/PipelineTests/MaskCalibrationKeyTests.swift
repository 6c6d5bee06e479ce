import Foundation
import GroundStation
import Pipeline
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// One test per `masks.*` and `calibration.*` key: each parses a pipeline.yaml, ingests a tile through the
/// default job and asserts what the key changes, so a key that is parsed but ignored fails its test.
///
/// Fixture: a 6×1 scene (scene.json, red + nir UInt16, Landsat C2 QA_PIXEL layer), sun elevation 30°
/// (sin = 0.5), reflectance_mult 2e-5, add 0, saturation 16383, fill 0. Pixels:
/// 0 clear (red 1000 → ρ 0.04, nir 3000 → 0.12); 1 cloud (QA bit 3); 2 shadow (QA bit 4); 3 red saturated;
/// 4 fill (DN 0 in both bands); 5 clear, bright (red 5000 → 0.2, nir 6000 → 0.24).
final class MaskCalibrationKeyTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("mask-keys") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func makeScene() throws -> URL {
        let scene = dir.appendingPathComponent("scene")
        try FileManager.default.createDirectory(at: scene, withIntermediateDirectories: true)
        let geo = GeoReference(transform: GeoTransform(originX: 500000, pixelWidth: 30, originY: 2780000, pixelHeight: -30), crs: .epsg(32650))
        let red: [UInt16] = [1000, 1000, 1000, 16383, 0, 5000], nir: [UInt16] = [3000, 3000, 3000, 3000, 0, 6000]
        try GeoTIFFWriter.write(Raster(width: 6, height: 1, samples: red + nir, bands: [BandInfo(), BandInfo()], geo: geo),
                                to: scene.appendingPathComponent("t.tif").path, options: .init(tileSize: 16))
        let qa: [UInt16] = [0, 1 << 3, 1 << 4, 0, 0, 0]
        try GeoTIFFWriter.write(Raster(width: 6, height: 1, samples: qa, bands: [BandInfo()], geo: geo),
                                to: scene.appendingPathComponent("qa.tif").path, options: .init(tileSize: 16))
        let doc: [String: Any] = [
            "schema": "tilepipe-scene/1", "satellite": "Anxi Tieguanyin-1", "sensor": "TGY-PMS", "scene_id": "KEYS",
            "acquired": "2025-06-21T02:30:00Z", "sun_elevation": 30.0, "sun_azimuth": 100.0, "earth_sun_distance": 1.0,
            "processing_level": "L1T", "crs": "EPSG:32650",
            "bands": [
                ["name": "B3", "common_name": "red", "file": "t.tif", "band": 1, "reflectance_mult": 2e-5, "reflectance_add": 0.0,
                 "fill": 0, "saturation": 16383],
                ["name": "B4", "common_name": "nir", "file": "t.tif", "band": 2, "reflectance_mult": 2e-5, "reflectance_add": 0.0,
                 "fill": 0, "saturation": 16383],
            ],
            "quality": ["kind": "landsat-c2-qa-pixel", "file": "qa.tif", "band": 1],
        ]
        try JSONSerialization.data(withJSONObject: doc).write(to: scene.appendingPathComponent("scene.json"))
        return scene
    }

    /// Red and nir after ingest with `section` (YAML lines) added to a minimal pipeline.yaml.
    func ingest(_ section: String, input: URL? = nil) throws -> (red: [Float], nir: [Float]) {
        let inputPath = try input ?? makeScene()
        let yaml = "version: 1\ninputs:\n  - path: \(inputPath.path)\nindices: [ndvi]\n\(section)\noutputs:\n  directory: \(dir.appendingPathComponent("out").path)\n"
        let c = try PipelineConfig.parse(yaml: yaml)
        let job = IndexJob(indices: c.indices, outputDirectory: c.outputs.directory, calibration: c.calibration, masks: c.masks)
        let tiles = try TileSourceDiscovery.discover(c.inputs).tiles
        XCTAssertEqual(tiles.count, 1)
        let l = try job.ingest(tiles[0])
        return (l.bands["red"]!, l.bands["nir"]!)
    }

    func testDefaultsMaskCloudShadowSaturatedFill() throws {
        let r = try ingest("")
        XCTAssertEqual(r.red[0], 0.04, accuracy: 1e-6, "ρ = 2e-5·1000 / sin 30°")
        for i in 1...4 { XCTAssertTrue(r.red[i].isNaN, "pixel \(i) is masked by default") }
        XCTAssertEqual(r.red[5], 0.2, accuracy: 1e-6)
    }

    func testMasksClouds() throws {
        let r = try ingest("masks: {clouds: false}")
        XCTAssertEqual(r.red[1], 0.04, accuracy: 1e-6, "a QA cloud pixel is data with masks.clouds: false")
        XCTAssertTrue(r.red[2].isNaN, "shadow stays masked")
    }

    func testMasksShadows() throws {
        let r = try ingest("masks: {shadows: false}")
        XCTAssertEqual(r.red[2], 0.04, accuracy: 1e-6, "a QA shadow pixel is data with masks.shadows: false")
        XCTAssertTrue(r.red[1].isNaN, "cloud stays masked")
    }

    func testMasksSaturated() throws {
        let r = try ingest("masks: {saturated: false}")
        XCTAssertEqual(r.red[3], Float(2e-5 * 16383 / 0.5), accuracy: 1e-5, "a saturated DN is data with masks.saturated: false")
    }

    func testMasksNodata() throws {
        let r = try ingest("masks: {nodata: false}")
        XCTAssertEqual(r.red[4], 0, accuracy: 1e-9, "fill DN 0 is reflectance 0 with masks.nodata: false")
    }

    func testMasksMinReflectance() throws {
        let r = try ingest("masks: {min_reflectance: 0.05}")
        XCTAssertTrue(r.red[0].isNaN, "red 0.04 < 0.05")
        XCTAssertFalse(r.red[5].isNaN)
    }

    func testMasksMaxReflectance() throws {
        let r = try ingest("masks: {max_reflectance: 0.15}")
        XCTAssertTrue(r.red[5].isNaN, "red 0.2 and nir 0.24 > 0.15")
        XCTAssertFalse(r.red[0].isNaN)
    }

    func testCalibrationModeScale() throws {
        let r = try ingest("calibration: {mode: scale, scale: 0.0001, offset: 0.01}")
        XCTAssertEqual(r.red[0], 0.11, accuracy: 1e-6, "DN × scale + offset replaces the manifest calibration")
        XCTAssertEqual(r.nir[0], 0.31, accuracy: 1e-6)
    }

    func testCalibrationModeNone() throws {
        let r = try ingest("calibration: {mode: none}")
        XCTAssertEqual(r.red[0], 1000, "raw DN")
    }

    func testCalibrationSunElevationCorrectionOff() throws {
        let r = try ingest("calibration: {mode: auto, sun_elevation_correction: false}")
        XCTAssertEqual(r.red[0], 0.02, accuracy: 1e-6, "no division by sin 30°")
    }

    func testCalibrationSunElevationCorrectionOnScale() throws {
        let r = try ingest("calibration: {mode: scale, scale: 0.0001, sun_elevation_correction: true}")
        XCTAssertEqual(r.red[0], 0.2, accuracy: 1e-6, "DN × scale / sin 30°")
    }

    func testCalibrationModeTOARefusesAPlainRaster() throws {
        let loose = dir.appendingPathComponent("loose")
        try FileManager.default.createDirectory(at: loose, withIntermediateDirectories: true)
        let geo = GeoReference(transform: GeoTransform(originX: 500000, pixelWidth: 30, originY: 2780000, pixelHeight: -30), crs: .epsg(32650))
        try GeoTIFFWriter.write(Raster(width: 2, height: 1, samples: [Float(0.04), 0.05, 0.3, 0.3],
                                       bands: [BandInfo(description: "red"), BandInfo(description: "nir")], geo: geo),
                                to: loose.appendingPathComponent("x_20250101.tif").path)
        XCTAssertNoThrow(try ingest("calibration: {mode: auto}", input: loose))
        XCTAssertThrowsError(try ingest("calibration: {mode: toa}", input: loose)) { e in
            XCTAssertTrue("\(e)".contains("toa"), "\(e)")
            XCTAssertEqual(TileFailure(tileId: "x", path: "x", stage: .ingest, error: e).kind, .calibration)
        }
    }
}
