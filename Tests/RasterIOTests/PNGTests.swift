import XCTest
import RasterCore
@testable import RasterIO
import TestSupport

/// PNG round trips for every colour type at 8 and 16 bits, tEXt chunks and world files;
/// `pngcheck` accepts every file written, and GDAL decodes the same pixels.
final class PNGTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("png") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func pngcheck(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard TestData.hasTool("pngcheck") else { return }
        let r = try TestData.run("pngcheck", ["-q", path])
        XCTAssertEqual(r.status, 0, "pngcheck: \(r.out) \(r.err)", file: file, line: line)
    }

    func testEveryColourTypeAndDepthRoundTrips() throws {
        var rng = SplitMix64(seed: 5)
        let (w, h) = (29, 13)
        for channels in 1...4 {
            for depth in [8, 16] {
                let n = w * h * channels
                let text = [(key: "Title", value: "c\(channels) d\(depth)"), (key: "Software", value: "TilePipe test")]
                let img = depth == 8
                    ? PNGImage.Image(width: w, height: h, channels: channels, pixels: (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, text: text)
                    : PNGImage.Image(width: w, height: h, channels: channels, pixels16: (0..<n).map { _ in UInt16(truncatingIfNeeded: rng.next()) }, text: text)
                let path = dir.appendingPathComponent("c\(channels)-\(depth).png").path
                let record = try PNGImage.write(img, to: path)
                try pngcheck(path)
                // The record's size and hash, computed as libpng produced the bytes, are those of the file.
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                var h = XXH64()
                bytes.withUnsafeBytes { h.add($0) }
                XCTAssertEqual([record.bytes, record.hash] as [AnyHashable], [bytes.count, h.hex] as [AnyHashable])
                let back = try PNGImage.read(path: path)
                XCTAssertEqual(back, img, "channels \(channels) depth \(depth)")
                if GDALOracle.available {
                    let g = try GDALOracle.read(path)
                    XCTAssertEqual(g.bandCount, channels)
                    XCTAssertEqual(g.dataTypes[0], depth == 8 ? "Byte" : "UInt16")
                    let planar = try RasterFile.read(path: path)
                    XCTAssertEqual(SyntheticRasters.bytes(planar), [UInt8](g.pixels), "GDAL pixels, channels \(channels) depth \(depth)")
                }
            }
        }
    }

    func testPaletteImageWithTransparency() throws {
        var entries: [RGBA] = []
        for i in 0..<16 { entries.append(RGBA(UInt8(i * 16), UInt8(255 - i * 16), 7, i == 0 ? 0 : 255)) }
        let px = (0..<(20 * 10)).map { UInt8($0 % 16) }
        let img = PNGImage.Image(width: 20, height: 10, channels: 1, pixels: px, palette: ColorTable(entries: entries))
        let path = dir.appendingPathComponent("pal.png").path
        try PNGImage.write(img, to: path)
        try pngcheck(path)
        let back = try PNGImage.read(path: path)
        XCTAssertEqual(back.palette, ColorTable(entries: entries))
        XCTAssertEqual(back.pixels8, px)
        let r = try RasterFile.read(path: path)
        XCTAssertEqual(r.bands[0].colorTable, ColorTable(entries: entries))
        if GDALOracle.available {
            let g = try GDALOracle.read(path)
            XCTAssertEqual(g.colorTable?.count, 16)
            XCTAssertEqual(g.colorTable?[5], [80, 175, 7, 255])
            XCTAssertEqual(g.colorTable?[0][3], 0)
            XCTAssertEqual([UInt8](g.pixels), px)
        }
    }

    func testWorldFilesRoundTripAndGeoreferenceThePNG() throws {
        let t = GeoTransform([440_720, 60, 0, 3_751_320, 0, -60])
        let img = PNGImage.Image(width: 10, height: 8, channels: 1, pixels: [UInt8](repeating: 3, count: 80))
        let path = dir.appendingPathComponent("geo.png").path
        try PNGImage.write(img, to: path)
        let wf = try WorldFile.write(t, besideImage: path)
        XCTAssertTrue(wf.hasSuffix("geo.pgw"))
        let text = try String(contentsOfFile: wf, encoding: .utf8).split(separator: "\n").compactMap { Double($0) }
        XCTAssertEqual(text, [60, 0, 0, -60, 440_750, 3_751_290]) // centre of the top-left pixel
        XCTAssertEqual(try WorldFile.read(besideImage: path), t)
        XCTAssertEqual(try RasterFile.read(path: path).geo?.transform, t)
        let d = try RasterFile.describe(path: path)
        XCTAssertEqual(d.format, "PNG")
        XCTAssertEqual([d.width, d.height, d.bandCount], [10, 8, 1])
        XCTAssertEqual(d.geo?.transform, t)
        let tif = dir.appendingPathComponent("same.tif").path
        try GeoTIFFWriter.write(Raster<UInt8>(width: 10, height: 8, bandCount: 2, geo: GeoReference(transform: t, crs: .epsg(32611))), to: tif)
        XCTAssertEqual(try RasterFile.describe(path: tif).format, "GTiff")
        XCTAssertEqual(try RasterFile.describe(path: tif).geo?.crs?.epsg, 32611)
        let rotated = GeoTransform([100, 2, 0.5, 200, 0.25, -3])
        let wld = try WorldFile.write(rotated, besideImage: dir.appendingPathComponent("r.jpg").path)
        XCTAssertTrue(wld.hasSuffix("r.wld"))
        let parsed = try XCTUnwrap(WorldFile.read(besideImage: dir.appendingPathComponent("r.jpg").path))
        for (a, b) in zip(parsed.coefficients, rotated.coefficients) { XCTAssertEqual(a, b, accuracy: 1e-9) }
        if GDALOracle.available { XCTAssertEqual(try GDALOracle.read(path).geoTransform, t.coefficients) }
    }
}
