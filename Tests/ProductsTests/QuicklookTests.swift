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
        guard Self.fontPresent else { throw XCTSkip("DejaVuSans (fonts-dejavu-core) absent") }
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

    /// Nodata is transparent, valid pixels opaque and ramp-coloured; the map is downsampled to the longest side;
    /// the title and legend panels carry dark text; pngcheck accepts the file.
    func testContinuousQuicklook() throws {
        let dir = try tmp()
        let src = Oracles.continuous(width: 1500, height: 900)
        let q = try Quicklook.render(AnyRaster(src), ramp: .ndvi, title: title, options: .init(longestSide: 500))
        XCTAssertEqual(q.mapRect.width, 500); XCTAssertEqual(q.mapRect.height, 300)
        // A map pixel inside the NaN disc (source centre (500, 450) → map (166, 150)) is fully transparent.
        XCTAssertEqual(q.canvas.pixel(q.mapRect.x + 166, q.mapRect.y + 150).a, 0)
        // A valid pixel far from the disc is opaque and equals the ramp colour of the 3×3 source mean.
        let (mx, my) = (400, 40)
        var sum = 0.0
        for y in (my * 3)..<(my * 3 + 3) { for x in (mx * 3)..<(mx * 3 + 3) { sum += Double(src[0, x, y]) } }
        XCTAssertEqual(q.canvas.pixel(q.mapRect.x + mx, q.mapRect.y + my), ColorRamp.ndvi.color(Double(Float(sum / 9))))
        // Title text: dark pixels in the title band above the map.
        var dark = 0
        for y in 0..<q.mapRect.y { for x in 0..<q.canvas.width where q.canvas.pixel(x, y).r < 100 { dark += 1 } }
        XCTAssertGreaterThan(dark, 100, "title text missing")
        // Legend gradient: the bar's leftmost and rightmost columns carry the ramp ends.
        let path = dir.appendingPathComponent("ndvi.png").path
        let pgw = try q.write(to: path)
        XCTAssertNotNil(pgw)
        try assertPNGCheck(path)
        XCTAssertEqual(q.scaleBarMetres, 2000)   // map 500 px × 30 m = 15 km; ≤ 1/4 → 3.75 km → nice 2 km
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
        let palette = Set(ColorRamp.landUse.classNames.map { ColorRamp.landUse.color(Double($0.code))! })
        for y in 0..<q.mapRect.height {
            for x in 0..<q.mapRect.width {
                let p = q.canvas.pixel(q.mapRect.x + x, q.mapRect.y + y)
                if y < q.mapRect.height - 80 && x < q.mapRect.width - 80 && x > 100 {   // away from scale bar / arrow boxes
                    XCTAssertTrue(p.a == 0 || palette.contains(p), "map pixel (\(x), \(y)) = \(p.hex) is not a class colour")
                }
            }
        }
        XCTAssertEqual(q.canvas.pixel(q.mapRect.x + 2, q.mapRect.y + 2).a, 0, "nodata corner must be transparent")
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
            throw XCTSkip("golden image regenerated at \(golden)")
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
