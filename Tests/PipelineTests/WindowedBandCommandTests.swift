import Foundation
import Kernels
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// `tilepipe index` and `calc` on a scene of several 512² blocks (bands on one grid, read in windows through the
/// executor): every output value equals, bit for bit, the same kernels applied to the whole rasters in memory.
final class WindowedBandCommandTests: XCTestCase {
    var root: URL!
    var binary: String!

    override func setUpWithError() throws {
        guard let b = TileFixtures.tilepipeBinary else { throw Skip.because("tilepipe binary absent: run `swift build` first") }
        binary = b
        root = try TestData.temporaryDirectory("windowed-cli")
    }

    override func tearDownWithError() throws { if let root { try? FileManager.default.removeItem(at: root) } }

    /// The scene's band `b` (1-based) as reflectance (raw × 0.0001 in Float, nodata → NaN), as the commands read it.
    func reflectance(_ path: String, band b: Int, scale: Float?) throws -> [Float] {
        var v = try GeoTIFFReader(path: path).read(bands: [b - 1]).floatBand(0)
        if let scale { for i in v.indices { v[i] = v[i] * scale + 0 } }
        return v
    }

    func testIndexInWindowsEqualsWholeRasterKernels() throws {
        let scene = root.appendingPathComponent("scene.tif").path
        try WindowedRunTests.writeScene(scene, width: 1100, height: 700, tileSize: 48)
        let out = root.appendingPathComponent("idx.tif").path
        let r = try TilepipeChild.run(binary: binary, ["index", "ndvi,ndwi", "--band", "red=\(scene):3", "--band", "nir=\(scene):4",
                                                       "--band", "green=\(scene):2", "--output", out], cwd: root)
        XCTAssertEqual(r.status, 0, r.stderr)
        let bands = ["red": try reflectance(scene, band: 3, scale: 0.0001), "nir": try reflectance(scene, band: 4, scale: 0.0001),
                     "green": try reflectance(scene, band: 2, scale: 0.0001)]
        let ndvi = try IndexCatalog.require("ndvi"), ndwi = try IndexCatalog.require("ndwi")
        let expected = try computeIndices([ndvi, ndwi], bands: bands, count: 1100 * 700)
        let got = try GeoTIFFReader(path: out)
        XCTAssertEqual(got.description.width, 1100)
        XCTAssertEqual(got.description.bands.map(\.description), [ndvi.name, ndwi.name])
        XCTAssertEqual(got.description.geo, try GeoTIFFReader(path: scene).description.geo)
        let raster = try got.read()
        XCTAssertTrue(raster.floatBand(0).map(\.bitPattern) == expected[ndvi.name]!.map(\.bitPattern), "ndvi differs")
        XCTAssertTrue(raster.floatBand(1).map(\.bitPattern) == expected[ndwi.name]!.map(\.bitPattern), "ndwi differs")
        XCTAssertGreaterThan(raster.floatBand(0).filter(\.isNaN).count, 0, "the nodata corner is NaN")
    }

    func testCalcInWindowsEqualsWholeRasterEvaluation() throws {
        let scene = root.appendingPathComponent("scene.tif").path
        try WindowedRunTests.writeScene(scene, width: 600, height: 1030, tileSize: 64)
        let out = root.appendingPathComponent("calc.tif").path
        let expression = "(nir - red) / (nir + red) * swir"
        let r = try TilepipeChild.run(binary: binary, ["calc", expression, "--band", "red=\(scene):3", "--band", "nir=\(scene):4",
                                                       "--band", "swir=\(scene):5", "--scale", "0.5", "--output", out], cwd: root)
        XCTAssertEqual(r.status, 0, r.stderr)
        let parsed = try BandMathExpression(parsing: expression, bands: ["red", "nir", "swir"])
        let bands = ["red": try reflectance(scene, band: 3, scale: 0.5), "nir": try reflectance(scene, band: 4, scale: 0.5),
                     "swir": try reflectance(scene, band: 5, scale: 0.5)]
        let expected = parsed.evaluate(bands: bands, count: 600 * 1030)
        let got = try GeoTIFFReader(path: out).read().floatBand(0)
        XCTAssertTrue(got.map(\.bitPattern) == expected.map(\.bitPattern), "calc output differs")
    }
}
