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
        // filter nil: libpng's rows and zlib; filterNone with 8 bits: rows deflated by libdeflate (png_shims.c).
        let cases: [(filter: Int?, channels: Int, depth: Int)] = [nil, PNGImage.filterNone].flatMap { f in
            (1...4).flatMap { c in [8, 16].map { (f, c, $0) } }
        }
        for (filter, channels, depth) in cases {
            let n = w * h * channels
            let text = [(key: "Title", value: "c\(channels) d\(depth)"), (key: "Software", value: "TilePipe test")]
            let img = depth == 8
                ? PNGImage.Image(width: w, height: h, channels: channels, pixels: (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, text: text)
                : PNGImage.Image(width: w, height: h, channels: channels, pixels16: (0..<n).map { _ in UInt16(truncatingIfNeeded: rng.next()) }, text: text)
            let path = dir.appendingPathComponent("c\(channels)-\(depth)-f\(filter ?? -1).png").path
            let record = try PNGImage.write(img, to: path, filter: filter)
            try pngcheck(path)
            // The record's size and hash, computed as libpng produced the bytes, are those of the file.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            var h = XXH64()
            bytes.withUnsafeBytes { h.add($0) }
            XCTAssertEqual([record.bytes, record.hash] as [AnyHashable], [bytes.count, h.hex] as [AnyHashable])
            let back = try PNGImage.read(path: path)
            XCTAssertEqual(back, img, "channels \(channels) depth \(depth) filter \(filter ?? -1)")
            if GDALOracle.available {
                let g = try GDALOracle.read(path)
                XCTAssertEqual(g.bandCount, channels)
                XCTAssertEqual(g.dataTypes[0], depth == 8 ? "Byte" : "UInt16")
                let planar = try RasterFile.read(path: path)
                XCTAssertEqual(SyntheticRasters.bytes(planar), [UInt8](g.pixels), "GDAL pixels, channels \(channels) depth \(depth)")
            }
        }
    }

    /// The chunk types of a PNG file, in order.
    private func chunkTypes(_ path: String) throws -> [String] {
        let b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var types: [String] = [], at = 8
        while at + 8 <= b.count {
            let n = b[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
            types.append(String(decoding: b[at + 4..<at + 8], as: UTF8.self))
            at += 12 + n
        }
        return types
    }

    /// Unfiltered 8-bit images (quicklooks) are deflated by libdeflate into IDAT chunks of up to 1 MiB; libpng's
    /// own path cuts its zlib stream into 8 KiB chunks. Both decode to the same pixels and text, pass pngcheck, and
    /// the palette and transparency survive.
    func testUnfilteredImagesTakeTheLibdeflatePath() throws {
        var rng = SplitMix64(seed: 12)
        let (w, h) = (256, 256)
        let px = (0..<(w * h * 4)).map { i in i % 4 == 3 ? 255 : UInt8(truncatingIfNeeded: rng.next() % 64 + UInt64(i / 4096)) }
        let img = PNGImage.Image(width: w, height: h, channels: 4, pixels: px, text: [(key: "Title", value: "NDVI")])
        let fast = dir.appendingPathComponent("none.png").path, slow = dir.appendingPathComponent("adaptive.png").path
        try PNGImage.write(img, to: fast, filter: PNGImage.filterNone)
        try PNGImage.write(img, to: slow)
        let fastChunks = try chunkTypes(fast), slowChunks = try chunkTypes(slow)
        XCTAssertEqual(fastChunks.filter { $0 == "IDAT" }.count, 1, "\(fastChunks)")
        XCTAssertGreaterThan(slowChunks.filter { $0 == "IDAT" }.count, 1, "\(slowChunks)")
        XCTAssertEqual(fastChunks.first, "IHDR")
        XCTAssertEqual(fastChunks.last, "IEND")
        XCTAssertTrue(fastChunks.contains("tEXt"))
        for path in [fast, slow] {
            try pngcheck(path)
            XCTAssertEqual(try PNGImage.read(path: path), img, path)
        }
        var entries: [RGBA] = []
        for i in 0..<16 { entries.append(RGBA(UInt8(i * 16), 3, 7, i == 0 ? 0 : 255)) }
        let indexed = PNGImage.Image(width: 300, height: 5, channels: 1, pixels: (0..<1500).map { UInt8($0 % 16) },
                                     palette: ColorTable(entries: entries))
        let pal = dir.appendingPathComponent("pal-none.png").path
        try PNGImage.write(indexed, to: pal, filter: PNGImage.filterNone)
        try pngcheck(pal)
        let back = try PNGImage.read(path: pal)
        XCTAssertEqual(back.palette, indexed.palette)
        XCTAssertEqual(back.pixels8, indexed.pixels8)
    }

    /// The libdeflate path keeps its buffers between PNGs (a pool shared by the threads): a large picture, then a
    /// smaller one, then a different large one, and the same pictures on several threads at once, each decode to
    /// their own pixels, and every file has the bytes of the same picture written alone.
    func testUnfilteredWritesReusingTheirBuffersKeepEachPictureExact() throws {
        func picture(_ w: Int, _ h: Int, seed: UInt64) -> PNGImage.Image {
            var rng = SplitMix64(seed: seed)
            return PNGImage.Image(width: w, height: h, channels: 4,
                                  pixels: (0..<(w * h * 4)).map { _ in UInt8(truncatingIfNeeded: rng.next() % 7 * 37) })
        }
        let pictures = [picture(400, 300, seed: 1), picture(17, 5, seed: 2), picture(400, 301, seed: 3), picture(64, 64, seed: 4)]
        var alone: [Data] = []
        for (i, img) in pictures.enumerated() {
            let path = dir.appendingPathComponent("alone-\(i).png").path
            try PNGImage.write(img, to: path, filter: PNGImage.filterNone)
            XCTAssertEqual(try PNGImage.read(path: path), img, "picture \(i)")
            alone.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        final class Wrong: @unchecked Sendable {
            let lock = NSLock()
            var paths: [String] = []
            func add(_ p: String) { lock.withLock { paths.append(p) } }
        }
        let wrong = Wrong(), expected = alone, base = dir.path
        DispatchQueue.concurrentPerform(iterations: 24) { k in
            let i = (k * 7) % pictures.count
            let path = base + "/together-\(k).png"
            do {
                try PNGImage.write(pictures[i], to: path, filter: PNGImage.filterNone)
                if try Data(contentsOf: URL(fileURLWithPath: path)) != expected[i] { wrong.add(path) }
            } catch { wrong.add("\(path): \(error)") }
        }
        XCTAssertEqual(wrong.paths, [])
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
