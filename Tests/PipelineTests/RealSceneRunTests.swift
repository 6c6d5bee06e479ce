import Foundation
import GroundStation
import Pipeline
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// `tilepipe run` (PipelineRunner) on real files laid out as users have them (issue 15): the 2015 Wragg fire pair
/// as two plainly named GeoTIFFs against the official MTBS perimeter, the same pair without calibration, and the
/// real scene folders (eo-learn 13-band GeoTIFF without band map, a 16-bit PNG with a world file).
/// Skips when ../shared/data is absent.
final class RealSceneRunTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("real-scene-run") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    static let wragg = "landsat8-fire-prepost-mtbs_rc-sfa-wenas-meta/ca3851412213120150722"

    /// The Wragg pair copied as `wragg_20150711.tif` / `wragg_20150812.tif`.
    func wraggFolder() throws -> (input: URL, data: URL) {
        guard let d = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        let input = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        for date in ["20150711", "20150812"] {
            try FileManager.default.copyItem(at: d.appendingPathComponent("\(Self.wragg)_\(date)_l8_refl.tif"),
                                             to: input.appendingPathComponent("wragg_\(date).tif"))
        }
        return (input, d)
    }

    func run(_ yaml: String) throws -> RunSummary {
        let c = try PipelineConfig.parse(yaml: yaml)
        return try PipelineRunner.run(config: c, options: RunOptions(jobs: 2, toolVersion: "test"), logger: PipelineRunner.silentLogger)
    }

    func testWraggPairBurnMapMatchesTheMTBSPerimeter() throws {
        let (input, data) = try wraggFolder()
        guard TestData.hasTool("gdal_rasterize") else { throw Skip.because("gdal_rasterize (the perimeter oracle) not installed") }
        let out = dir.appendingPathComponent("out")
        let summary = try run("""
            version: 1
            inputs:
              - path: \(input.path)
                bands: {blue: 1, green: 2, red: 3, nir: 4, swir16: 5, swir22: 6}
            calibration: {mode: scale, scale: 0.00392156862745098, offset: 0}
            indices: [nbr]
            monitor:
              - {kind: burn, min_area_m2: 8100}
            outputs:
              directory: \(out.path)
            """)
        XCTAssertEqual(summary.exitCode, 0, "\(summary.text)")
        let maps = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("pairs/burn").path).filter { $0.hasSuffix(".tif") }
        XCTAssertEqual(maps.count, 1, "one burn severity map for the pair: \(maps)")
        let mapPath = out.appendingPathComponent("pairs/burn/\(maps[0])").path
        let map = try GeoTIFFReader(path: mapPath)
        let classes: Raster<UInt8> = try map.read(UInt8.self, window: nil, bands: [0])
        // The perimeter rasterised on the map's grid (pixel centres), by GDAL.
        let w = classes.width, h = classes.height, c = map.description.geo!.transform.coefficients
        let perimPath = dir.appendingPathComponent("perimeter.tif").path
        let r = try TestData.run("gdal_rasterize", ["-q", "-burn", "1", "-ot", "Byte", "-init", "0",
                                                     "-te", "\(c[0])", "\(c[3] + c[5] * Double(h))", "\(c[0] + c[1] * Double(w))", "\(c[3])",
                                                     "-ts", "\(w)", "\(h)",
                                                     data.appendingPathComponent("\(Self.wragg)_20150711_20150812_burn_bndy.shp").path, perimPath])
        XCTAssertEqual(r.status, 0, r.err)
        let perim: Raster<UInt8> = try GeoTIFFReader(path: perimPath).read(UInt8.self, window: nil, bands: [0])
        // Pixels where NBR is undefined on either date (NIR + SWIR2 = 0) are left out, as MTBS does.
        var valid = [Bool](repeating: true, count: w * h)
        for date in ["20150711", "20150812"] {
            let img: Raster<UInt8> = try GeoTIFFReader(path: input.appendingPathComponent("wragg_\(date).tif").path).read(UInt8.self, window: nil, bands: [3, 5])
            for i in 0..<(w * h) where Int(img.samples[i]) + Int(img.samples[w * h + i]) == 0 { valid[i] = false }
        }
        var inter = 0, union = 0
        for i in 0..<(w * h) where valid[i] {
            let burned = (4...7).contains(classes.samples[i]), inPerim = perim.samples[i] == 1
            if burned && inPerim { inter += 1 }
            if burned || inPerim { union += 1 }
        }
        let iou = Double(inter) / Double(union)
        print("Wragg burn map vs MTBS perimeter: IoU \(iou)")
        XCTAssertGreaterThanOrEqual(iou, 0.87, "burned classes vs the MTBS perimeter")
        // Post-fire land use inside the perimeter: the scar is not built-up, and there is no snow in August.
        let landuse: Raster<UInt8> = try GeoTIFFReader(path: out.appendingPathComponent("tiles/wragg_20150812/wragg_20150812_landuse.tif").path)
            .read(UInt8.self, window: nil, bands: [0])
        var inside = 0, built = 0, snow = 0
        for i in 0..<(w * h) where valid[i] && perim.samples[i] == 1 {
            inside += 1
            if landuse.samples[i] == 2 { built += 1 }
            if landuse.samples[i] == 8 { snow += 1 }
        }
        XCTAssertLessThan(Double(built) / Double(inside), 0.05, "built-up share of the burn perimeter")
        XCTAssertEqual(snow, 0, "snow inside the perimeter in August")
        // The STAC item records where the date came from.
        let item = try String(contentsOf: out.appendingPathComponent("tiles/wragg_20150711/wragg_20150711_item.json"), encoding: .utf8)
        XCTAssertTrue(item.contains("\"tilepipe:date_source\"") && item.contains("file name: 20150711"), item)
    }

    func testWraggPairWithoutCalibrationFailsAsCalibration() throws {
        let (input, _) = try wraggFolder()
        let out = dir.appendingPathComponent("out")
        let summary = try run("""
            version: 1
            inputs:
              - path: \(input.path)
                bands: {blue: 1, green: 2, red: 3, nir: 4, swir16: 5, swir22: 6}
            indices: [nbr]
            monitor:
              - {kind: burn}
            outputs:
              directory: \(out.path)
            """)
        XCTAssertEqual(summary.exitCode, 1)
        XCTAssertEqual(summary.failures.count, 2, "\(summary.text)")
        for f in summary.failures {
            XCTAssertEqual(f.kind, .calibration)
            XCTAssertTrue(f.cause.contains("wragg_2015") && f.cause.contains("calibration") && f.cause.contains("scale"), f.cause)
        }
        let tiles = out.appendingPathComponent("tiles")
        let written = (FileManager.default.enumerator(atPath: tiles.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".tif") || $0.hasSuffix(".json") }
        XCTAssertEqual(written, [], "nothing is written for a tile that failed calibration")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("pairs/burn").path))
    }

    func testEoLearn13BandFileWithoutBandMap() throws {
        guard let d = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        let input = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let src = d.appendingPathComponent("sentinel2-l1c-timeseries_eo-learn/S2_L1C_TOA_20150711_13bands.tif")
        try FileManager.default.copyItem(at: src, to: input.appendingPathComponent(src.lastPathComponent))
        let out = dir.appendingPathComponent("out")
        let summary = try run("version: 1\ninputs:\n  - path: \(input.path)\nindices: [ndvi, ndwi]\noutputs:\n  directory: \(out.path)\n")
        XCTAssertEqual(summary.exitCode, 0, "\(summary.text)")
        // Reference: NDVI from bands 8 (B08) and 4 (B04) read directly.
        let raw = try GeoTIFFReader(path: src.path).read(Float.self, window: nil, bands: [3, 7])
        let n = raw.width * raw.height
        var ref = 0.0, count = 0
        for i in 0..<n { let r = Double(raw.samples[i]), v = Double(raw.samples[n + i]); if r + v != 0 { ref += (v - r) / (v + r); count += 1 } }
        let ndvi = try GeoTIFFReader(path: out.appendingPathComponent("tiles/S2_L1C_TOA_20150711_13bands/S2_L1C_TOA_20150711_13bands_ndvi.tif").path).readFloatBand(0)
        let valid = ndvi.filter(\.isFinite)
        XCTAssertGreaterThan(valid.count, n / 2)
        XCTAssertEqual(valid.reduce(0) { $0 + Double($1) } / Double(valid.count), ref / Double(count), accuracy: 0.05)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("tiles/S2_L1C_TOA_20150711_13bands/S2_L1C_TOA_20150711_13bands_landuse.tif").path))
    }

    func testSixteenBitPNGWithWorldFile() throws {
        guard let d = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        let s2 = d.appendingPathComponent("sentinel2-l2a-cog_rio-tiler-pds")
        let bands = try ["B02", "B03", "B04", "B08"].map { try GeoTIFFReader(path: s2.appendingPathComponent("\($0).tif").path).read(UInt16.self, window: nil, bands: [0]) }
        let w = bands[0].width, h = bands[0].height, n = w * h
        var px = [UInt16](repeating: 0, count: n * 4)
        for i in 0..<n { for b in 0..<4 { px[i * 4 + b] = bands[b].samples[i] } }
        let input = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try PNGImage.write(PNGImage.Image(width: w, height: h, channels: 4, pixels16: px), to: input.appendingPathComponent("S2A_29RKH_20200219_bgrn.png").path)
        let c = bands[0].geo!.transform.coefficients
        try "\(c[1])\n\(c[4])\n\(c[2])\n\(c[5])\n\(c[0] + c[1] / 2)\n\(c[3] + c[5] / 2)\n"
            .write(to: input.appendingPathComponent("S2A_29RKH_20200219_bgrn.pgw"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let summary = try run("""
            version: 1
            inputs:
              - path: \(input.path)
                bands: {blue: 1, green: 2, red: 3, nir: 4}
            calibration: {mode: scale, scale: 0.0001, offset: 0}
            indices: [ndvi, ndwi]
            outputs:
              directory: \(out.path)
            """)
        XCTAssertEqual(summary.exitCode, 0, "\(summary.text)")
        var ref = 0.0, count = 0
        for i in 0..<n where bands[2].samples[i] != 0 && bands[3].samples[i] != 0 {
            let r = Double(bands[2].samples[i]), v = Double(bands[3].samples[i]); ref += (v - r) / (v + r); count += 1
        }
        let ndvi = try GeoTIFFReader(path: out.appendingPathComponent("tiles/S2A_29RKH_20200219_bgrn/S2A_29RKH_20200219_bgrn_ndvi.tif").path).readFloatBand(0)
        let valid = ndvi.filter(\.isFinite)
        XCTAssertGreaterThan(valid.count, count / 2)
        XCTAssertEqual(valid.reduce(0) { $0 + Double($1) } / Double(valid.count), ref / Double(count), accuracy: 0.05)
    }

    func testNoUsableTileIsExitTwoListingEveryIgnoredFile() throws {
        let input = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try "x".write(to: input.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        try "10\n0\n0\n-10\n0\n0\n".write(to: input.appendingPathComponent("orphan.pgw"), atomically: true, encoding: .utf8)
        let c = try PipelineConfig.parse(yaml: "version: 1\ninputs:\n  - path: \(input.path)\nindices: [ndvi]\noutputs:\n  directory: \(dir.appendingPathComponent("out").path)\n")
        XCTAssertThrowsError(try PipelineRunner.run(config: c, options: RunOptions(toolVersion: "test"), logger: PipelineRunner.silentLogger)) { e in
            guard case PipelineError.inputUnreadable(_, let why) = e else { return XCTFail("\(e): not a could-not-start error (exit 2)") }
            XCTAssertTrue(why.contains("no usable tile"), why)
            XCTAssertTrue(why.contains("notes.txt: not a raster"), why)
            XCTAssertTrue(why.contains("orphan.pgw: sidecar"), why)
        }
    }
}
