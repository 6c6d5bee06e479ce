import Foundation
import Products
import RasterCore
import RasterIO
import TestSupport
import XCTest

final class QuicklookTests: XCTestCase {
    static let fontPresent = FileManager.default.fileExists(atPath: TextRenderer.defaultFontPath)
    let title = Quicklook.Title(satellite: "Sentinel-2A", date: "2024-08-29", tile: "T50RPN_r3c4", product: "NDVI")

    private func tmp() throws -> URL {
        guard Self.fontPresent else { throw Skip.because("DejaVuSans (fonts-dejavu-core) absent") }
        // TILEPIPE_TEST_OUTPUT=DIR keeps the quicklooks for a look by eye.
        if let keep = ProcessInfo.processInfo.environment["TILEPIPE_TEST_OUTPUT"] {
            try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            return URL(fileURLWithPath: keep)
        }
        let d = try TestData.temporaryDirectory("products-ql")
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    /// The synthetic raster behind the golden image: 600×400 NDVI waves with a NaN disc, 10 m UTM 50N grid.
    static func goldenSource() -> Raster<Float> { Oracles.continuous(width: 600, height: 400) }

    /// Masked pixels are hatched grey with a legend entry (or transparent on request), valid pixels opaque and
    /// ramp-coloured; the map is downsampled to the longest side; the title and legend panels carry dark text;
    /// pngcheck accepts the file.
    func testContinuousQuicklook() throws {
        let dir = try tmp()
        let src = Oracles.continuous(width: 1500, height: 900)
        let q = try Quicklook.render(AnyRaster(src), ramp: .ndvi, title: title, options: .init(longestSide: 500, stretch: .ramp))
        XCTAssertEqual(q.mapRect.width, 500); XCTAssertEqual(q.mapRect.height, 300)
        XCTAssertEqual([q.mapRect.x, q.mapRect.y], [0, 0], "the map is the picture's top-left corner (the world file's origin)")
        // A map pixel inside the NaN disc (source centre (500, 450) → map (166, 150)) is hatched, not a ramp colour.
        let hatch: Set<RGBA> = [RGBA(214, 214, 214), RGBA(150, 150, 150)]
        XCTAssertTrue(hatch.contains(q.canvas.pixel(q.mapRect.x + 166, q.mapRect.y + 150)))
        XCTAssertGreaterThan(q.maskedPixels, 0)
        XCTAssertNil(q.stretchRange, "stretch: .ramp keeps NDVI −1…1")
        // The masked legend swatch: hatch colours appear below the map.
        var legendHatch = 0
        for y in q.mapRect.height..<q.canvas.height { for x in 0..<q.canvas.width where hatch.contains(q.canvas.pixel(x, y)) { legendHatch += 1 } }
        XCTAssertGreaterThan(legendHatch, 20, "no masked-pixels legend entry")
        // Transparent on request, and no legend entry then.
        let clear = try Quicklook.render(AnyRaster(src), ramp: .ndvi, title: title, options: .init(longestSide: 500, stretch: .ramp, masked: .transparent))
        XCTAssertEqual(clear.canvas.pixel(166, 150).a, 0)
        XCTAssertLessThan(clear.canvas.height, q.canvas.height)
        // A valid pixel far from the disc is opaque and takes the lookup's colour of the 3×3 source mean, within a
        // level of the ramp's exact colour.
        let (mx, my) = (400, 40)
        var sum = 0.0
        for y in (my * 3)..<(my * 3 + 3) { for x in (mx * 3)..<(mx * 3 + 3) { sum += Double(src[0, x, y]) } }
        let drawn = q.canvas.pixel(q.mapRect.x + mx, q.mapRect.y + my)
        XCTAssertEqual(drawn, ColorLookup(ramp: .ndvi).color(Float(sum / 9)))
        let exact = try XCTUnwrap(ColorRamp.ndvi.color(Double(Float(sum / 9))))
        XCTAssertLessThanOrEqual(max(abs(Int(drawn.r) - Int(exact.r)), abs(Int(drawn.g) - Int(exact.g)), abs(Int(drawn.b) - Int(exact.b))), 1)
        XCTAssertEqual(drawn.a, 255)
        // Title text: dark pixels in the title band below the map.
        var dark = 0
        for y in q.mapRect.height..<(q.mapRect.height + 30) { for x in 0..<q.canvas.width where q.canvas.pixel(x, y).r < 100 { dark += 1 } }
        XCTAssertGreaterThan(dark, 100, "title text missing")
        // Legend gradient: the bar's leftmost and rightmost columns carry the ramp ends.
        let path = dir.appendingPathComponent("ndvi.png").path
        let pgw = try q.write(to: path)
        XCTAssertNotNil(pgw)
        try assertPNGCheck(path)
        XCTAssertEqual(q.scaleBarMetres, 2000)   // map 500 px × 30 m = 15 km; ≤ 1/4 → 3.75 km → nice 2 km
    }

    /// Indices stretch to the 2–98 % range of the valid map pixels by default: the 2nd-percentile pixel gets the ramp's
    /// low end, the 98th the high end, values beyond are clamped; class maps are never stretched.
    func testIndexQuicklookStretchesToThe2to98PercentRange() throws {
        _ = try tmp()
        // 100 × 100: values 0.20 … 0.2099 (a flat desert), one NaN row.
        let geo = GeoReference(transform: GeoTransform(originX: 500_000, pixelWidth: 10, originY: 2_800_000, pixelHeight: -10), crs: .epsg(32650))
        var values = (0..<10_000).map { Float(0.2 + Double($0) * 1e-6) }
        for i in 0..<100 { values[i] = .nan }
        let q = try Quicklook.render(values: values, width: 100, height: 100, geo: geo, ramp: .ndvi, title: title)
        let r = try XCTUnwrap(q.stretchRange)
        let valid = values.filter(\.isFinite).map(Double.init).sorted()
        XCTAssertEqual(r.lowerBound, valid[Int((0.02 * Double(valid.count - 1)).rounded())], accuracy: 1e-7)
        XCTAssertEqual(r.upperBound, valid[Int((0.98 * Double(valid.count - 1)).rounded())], accuracy: 1e-7)
        // First valid pixel (below p2) → the ramp's −1 colour; last (above p98) → its +1 colour.
        XCTAssertEqual(q.canvas.pixel(0, 1), ColorRamp.ndvi.color(-1))
        XCTAssertEqual(q.canvas.pixel(99, 99), ColorRamp.ndvi.color(1))
        // The masked count (taken from the stretch's count of finite pixels) is the NaN row, as without the stretch.
        XCTAssertEqual(q.maskedPixels, 100)
        // Without the stretch the whole map is one colour (what a desert scene looked like).
        let flat = try Quicklook.render(values: values, width: 100, height: 100, geo: geo, ramp: .ndvi, title: title, options: .init(stretch: .ramp))
        let (f0, f1) = (flat.canvas.pixel(0, 1), flat.canvas.pixel(99, 99))
        XCTAssertLessThanOrEqual(max(abs(Int(f0.r) - Int(f1.r)), abs(Int(f0.g) - Int(f1.g)), abs(Int(f0.b) - Int(f1.b))), 4)
        XCTAssertNotEqual(q.canvas.pixel(0, 1), q.canvas.pixel(99, 99))
        XCTAssertEqual(flat.maskedPixels, 100)
        // Infinities are masked too, and an all-masked map has no stretch.
        var odd = values
        odd[200] = .infinity; odd[201] = -.infinity
        XCTAssertEqual(try Quicklook.render(values: odd, width: 100, height: 100, geo: geo, ramp: .ndvi, title: title).maskedPixels, 102)
        let none = try Quicklook.render(values: [Float](repeating: .nan, count: 100), width: 10, height: 10, geo: geo, ramp: .ndvi, title: title)
        XCTAssertEqual(none.maskedPixels, 100)
        XCTAssertNil(none.stretchRange)
        // A class map keeps its palette.
        let classes = (0..<10_000).map { Float([1, 4, 5][$0 % 3]) }
        let c = try Quicklook.render(values: classes, width: 100, height: 100, geo: geo, ramp: .landUse, title: title)
        XCTAssertNil(c.stretchRange)
        XCTAssertEqual(c.canvas.pixel(0, 0), ColorRamp.landUse.color(1))
    }

    /// gdalinfo (GDAL's own reading of the world file and the .aux.xml) puts the map area of the PNG exactly on the
    /// COG's corners: the origin is the COG's upper-left corner, and map pixel (width, height) the COG's lower right.
    func testGdalinfoPutsTheMapAreaOnTheCOGCorners() throws {
        let dir = try tmp()
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python),
              (try? TestData.run(python, ["-c", "from osgeo import gdal"]))?.status == 0 else { throw Skip.because("python3-gdal absent") }
        let src = Oracles.continuous(width: 1200, height: 800)
        let cog = dir.appendingPathComponent("ndvi.tif").path
        _ = try CloudOptimizedGeoTIFF.write(src, to: cog, kind: .continuous, provenance: Provenance(version: "test"))
        let png = dir.appendingPathComponent("ndvi.png").path
        let q = try Quicklook.write(AnyRaster(src), ramp: .ndvi, title: title, to: png, options: .init(longestSide: 600))
        let script = """
        import sys, json
        from osgeo import gdal
        out = {}
        for name, path in (("cog", sys.argv[1]), ("png", sys.argv[2])):
            info = gdal.Info(path, format="json")
            out[name] = {"corners": info["cornerCoordinates"], "gt": info["geoTransform"], "size": info["size"],
                         "epsg": gdal.Open(path).GetSpatialRef().GetAuthorityCode(None)}
        print(json.dumps(out))
        """
        let r = try TestData.run(python, ["-c", script, cog, png])
        XCTAssertEqual(r.status, 0, r.err)
        let j = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: [String: Any]])
        let c = try XCTUnwrap(j["cog"]?["corners"] as? [String: [Double]]), gt = try XCTUnwrap(j["png"]?["gt"] as? [Double])
        XCTAssertEqual(j["png"]?["epsg"] as? String, j["cog"]?["epsg"] as? String, "the PNG's .aux.xml carries the COG's CRS")
        // The PNG's upper-left corner is the COG's.
        let pc = try XCTUnwrap(j["png"]?["corners"] as? [String: [Double]])
        XCTAssertEqual(pc["upperLeft"]![0], c["upperLeft"]![0], accuracy: 1e-6)
        XCTAssertEqual(pc["upperLeft"]![1], c["upperLeft"]![1], accuracy: 1e-6)
        // The map area's lower-right pixel corner, through GDAL's geotransform of the PNG, is the COG's lower right.
        let (w, h) = (Double(q.mapRect.x + q.mapRect.width), Double(q.mapRect.y + q.mapRect.height))
        XCTAssertEqual(gt[0] + w * gt[1] + h * gt[2], c["lowerRight"]![0], accuracy: 1e-6)
        XCTAssertEqual(gt[3] + w * gt[4] + h * gt[5], c["lowerRight"]![1], accuracy: 1e-6)
    }

    /// The world file maps the PNG's pixels back onto the raster's ground coordinates (round trip through the file).
    func testWorldFileRoundTrip() throws {
        let dir = try tmp()
        let src = Oracles.continuous(width: 1200, height: 800)
        let path = dir.appendingPathComponent("ql.png").path
        let q = try Quicklook.write(AnyRaster(src), ramp: .ndvi, title: title, to: path, options: .init(longestSide: 600))
        let back = try XCTUnwrap(try WorldFile.read(besideImage: path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("ql.pgw").path))
        for (a, b) in zip(back.coefficients, q.transform!.coefficients) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // Map pixel (0,0)'s corner is the raster's origin; the map's far corner is the raster's far corner.
        let corner = back.apply(column: Double(q.mapRect.x), row: Double(q.mapRect.y))
        XCTAssertEqual(corner.x, 620_000, accuracy: 1e-6); XCTAssertEqual(corner.y, 2_780_000, accuracy: 1e-6)
        let far = back.apply(column: Double(q.mapRect.x + q.mapRect.width), row: Double(q.mapRect.y + q.mapRect.height))
        XCTAssertEqual(far.x, 620_000 + 1200 * 10, accuracy: 1e-6); XCTAssertEqual(far.y, 2_780_000 - 800 * 10, accuracy: 1e-6)
        XCTAssertEqual(back.pixelWidth, 20, accuracy: 1e-9)
        let png = try PNGImage.read(path: path)
        XCTAssertEqual(png.text.first { $0.key == "Title" }?.value, "Sentinel-2A | 2024-08-29 | T50RPN_r3c4 | NDVI")
    }

    /// Class quicklooks: downsampled by mode (only palette colours or transparent), swatch legend; pngcheck passes.
    func testClassQuicklook() throws {
        let dir = try tmp()
        var src = Oracles.classes(width: 900, height: 600)
        src.bands[0].nodata = 0
        let q = try Quicklook.render(AnyRaster(src), ramp: .landUse, title: Quicklook.Title(satellite: "Tieguanyin-1", date: "2024-08-29", tile: "anxi_r1c2", product: "Land use"),
                                     options: .init(longestSide: 400))
        let hatch: Set<RGBA> = [RGBA(214, 214, 214), RGBA(150, 150, 150)]
        let palette = Set(ColorRamp.landUse.classNames.map { ColorRamp.landUse.color(Double($0.code))! })
        for y in 0..<q.mapRect.height {
            for x in 0..<q.mapRect.width {
                let p = q.canvas.pixel(q.mapRect.x + x, q.mapRect.y + y)
                if y < q.mapRect.height - 80 && x < q.mapRect.width - 80 && x > 100 {   // away from scale bar / arrow boxes
                    XCTAssertTrue(hatch.contains(p) || palette.contains(p), "map pixel (\(x), \(y)) = \(p.hex) is not a class colour")
                }
            }
        }
        XCTAssertTrue(hatch.contains(q.canvas.pixel(q.mapRect.x + 2, q.mapRect.y + 2)), "nodata corner must be hatched as masked")
        // Every class swatch colour appears in the legend panel below the map.
        var legendColours = Set<RGBA>()
        for y in (q.mapRect.y + q.mapRect.height)..<q.canvas.height { for x in 0..<q.canvas.width { legendColours.insert(q.canvas.pixel(x, y)) } }
        XCTAssertTrue(palette.isSubset(of: legendColours), "legend lacks swatches")
        let path = dir.appendingPathComponent("landuse.png").path
        try q.write(to: path)
        try assertPNGCheck(path)
    }

    /// Golden image: one quicklook pinned pixel by pixel (tolerance for FreeType antialiasing differences).
    /// Regenerate deliberately with TILEPIPE_UPDATE_GOLDEN=1.
    func testGoldenQuicklook() throws {
        let dir = try tmp()
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/quicklook-ndvi.png").path
        let q = try Quicklook.render(AnyRaster(Self.goldenSource()), ramp: .ndvi, title: title, options: .init(longestSide: 300))
        let path = dir.appendingPathComponent("golden-candidate.png").path
        try q.write(to: path)
        try assertPNGCheck(path)
        if ProcessInfo.processInfo.environment["TILEPIPE_UPDATE_GOLDEN"] == "1" {
            try q.write(to: golden)
            try? FileManager.default.removeItem(atPath: golden.replacingOccurrences(of: ".png", with: ".pgw"))
            try? FileManager.default.removeItem(atPath: golden + ".aux.xml")
            throw Skip.because("golden image regenerated at \(golden)")
        }
        let want = try PNGImage.read(path: golden)
        let got = try PNGImage.read(path: path)
        XCTAssertEqual([got.width, got.height, got.channels], [want.width, want.height, want.channels])
        guard got.pixels8.count == want.pixels8.count else { return }
        var bad = 0, total = 0
        for i in stride(from: 0, to: got.pixels8.count, by: 4) {
            let d = (0..<4).map { abs(Int(got.pixels8[i + $0]) - Int(want.pixels8[i + $0])) }.max()!
            total += d
            if d > 8 { bad += 1 }
        }
        let n = got.width * got.height
        XCTAssertLessThanOrEqual(Double(bad) / Double(n), 0.002, "\(bad) of \(n) pixels differ by more than 8")
        XCTAssertLessThan(Double(total) / Double(n), 0.5)
    }

    func testMissingFontIsAClearError() throws {
        XCTAssertThrowsError(try Quicklook.render(AnyRaster(Oracles.continuous(width: 50, height: 50)), ramp: .ndvi, title: title,
                                                  options: .init(fontPath: "/nonexistent/DejaVuSans.ttf"))) {
            XCTAssertTrue("\($0)".contains("fonts-dejavu-core"), "\($0)")
        }
    }

    private func assertPNGCheck(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard TestData.hasTool("pngcheck") else { return }
        let r = try TestData.run("pngcheck", [path])
        XCTAssertEqual(r.status, 0, r.out + r.err, file: file, line: line)
        XCTAssertTrue(r.out.hasPrefix("OK"), r.out, file: file, line: line)
    }
}
