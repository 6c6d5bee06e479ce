import Foundation
import Products
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// The true-colour picture of `outputs.rgb`: its 2–98 % stretch from a known input, the same stretch from windows as
/// from the whole, and the file GDAL reads (3 Byte bands with colour interpretation red, green, blue, nodata 0,
/// the stretch in the metadata, overviews, a valid COG).
final class TrueColorTests: XCTestCase {
    /// 100 pixels with red = k/128, green = k/256, blue = 1 − k/512 (k = 1…100; values of ≤ 10 significant bits, so
    /// exact bin edges), plus invalid pixels: the percentiles are the nearest-rank values 2 and 98.
    func testStretchIsTheNearestRankTwoAndNinetyEightPercentiles() throws {
        var red = (1...100).map { Float($0) / 128 }, green = (1...100).map { Float($0) / 256 }, blue = (1...100).map { 1 - Float($0) / 512 }
        // Invalid pixels (NaN in one band, or infinite) count in no band.
        red += [0.5, .nan, 9]; green += [.nan, 0.5, 9]; blue += [0.5, 0.5, .infinity]
        var h = TrueColorHistogram()
        h.add(red: red, green: green, blue: blue)
        XCTAssertEqual(h.validCount, 100)
        let s = try XCTUnwrap(h.stretch)
        XCTAssertEqual(s.low, [2.0 / 128, 2.0 / 256, 1 - 99.0 / 512])
        XCTAssertEqual(s.high, [98.0 / 128, 98.0 / 256, 1 - 3.0 / 512])
        // Fed in two windows, the same counts.
        var w = TrueColorHistogram()
        w.add(red: Array(red[..<37]), green: Array(green[..<37]), blue: Array(blue[..<37]))
        w.add(red: Array(red[37...]), green: Array(green[37...]), blue: Array(blue[37...]))
        XCTAssertEqual(w.stretch, s)
        // A value of more significant bits lands within 0.2 % (its bin's lower edge).
        var fine = TrueColorHistogram()
        fine.add(red: [0.123456], green: [0.2], blue: [0.3])
        let lo = try XCTUnwrap(fine.percentile(2, band: 0))
        XCTAssertLessThanOrEqual(lo, 0.123456)
        XCTAssertGreaterThan(lo, 0.123456 * (1 - 1.0 / 512))
        XCTAssertNil(TrueColorHistogram().stretch, "no valid pixel, no stretch")
    }

    /// Bytes: low → 1, high → 255, linear between, clamped outside, 0 in all three bands where any is invalid.
    func testBytesMapTheStretchOntoOneTo255() {
        let s = TrueColorStretch(low: [0.1, 0, 0], high: [0.3, 1, 1])
        let red: [Float] = [0.1, 0.3, 0.2, 0.0, 0.9, 0.2, 0.2], green: [Float] = [0.5, 0.5, 0.5, 0.5, 0.5, .nan, 0.5]
        let blue: [Float] = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, .infinity]
        let b = red.withUnsafeBufferPointer { r in green.withUnsafeBufferPointer { g in blue.withUnsafeBufferPointer { bl in
            s.bytes(red: r, green: g, blue: bl)
        } } }
        XCTAssertEqual(Array(b[0..<7]), [1, 255, 128, 1, 255, 0, 0])
        XCTAssertEqual(Array(b[7..<14]), [128, 128, 128, 128, 128, 0, 0])
        XCTAssertEqual(Array(b[14..<21]), [128, 128, 128, 128, 128, 0, 0])
        XCTAssertEqual(TrueColorStretch(low: [0.2, 0, 0], high: [0.2, 1, 1]).byte(0.7, band: 0), 128, "a flat band is mid-grey")
    }

    /// A 700×530 picture written from whole planes and block by block (blocks in reverse order) gives the same
    /// bytes; GDAL reads 3 Byte bands, colour interpretation Red/Green/Blue, nodata 0 where the input is invalid,
    /// the stretch items, overviews, and validates it as a COG.
    func testPictureIsAnRGBCOGThatGDALReads() throws {
        let (w, h, T) = (700, 530, 128)
        var red = [Float](), green = [Float](), blue = [Float]()
        for y in 0..<h {
            for x in 0..<w {
                let invalid = x + y < 50
                red.append(invalid ? .nan : Float(0.05 + 0.2 * sin(Double(x) / 50) * sin(Double(x) / 50)))
                green.append(invalid ? .nan : Float(0.04 + 0.001 * Double(y % 100)))
                blue.append(Float(0.02 + 0.0001 * Double((x * 7 + y * 13) % 997)))
            }
        }
        var hist = TrueColorHistogram()
        hist.add(red: red, green: green, blue: blue)
        let stretch = try XCTUnwrap(hist.stretch)
        let dir = try TestData.temporaryDirectory("truecolor")
        defer { try? FileManager.default.removeItem(at: dir) }
        let prov = Provenance(version: "test", pipelineHash: "0", inputs: ["x.tif"])
        let whole = dir.appendingPathComponent("whole_rgb.tif").path, blocks = dir.appendingPathComponent("blocks_rgb.tif").path
        let a = try TrueColorWriter(path: whole, width: w, height: h, geo: Oracles.anxiGrid(), stretch: stretch, provenance: prov, tileSize: T)
        try a.writeWhole(red: red, green: green, blue: blue)
        let fa = try a.finish()
        let b = try TrueColorWriter(path: blocks, width: w, height: h, geo: Oracles.anxiGrid(), stretch: stretch, provenance: prov, tileSize: T)
        for by in (0..<((h + T - 1) / T)).reversed() {
            for bx in (0..<((w + T - 1) / T)).reversed() {
                let x0 = bx * T, y0 = by * T, cw = min(T, w - x0), ch = min(T, h - y0)
                func cut(_ p: [Float]) -> [Float] { (y0..<(y0 + ch)).flatMap { p[($0 * w + x0)..<($0 * w + x0 + cw)] } }
                try b.write(blockX: bx, blockY: by, red: cut(red), green: cut(green), blue: cut(blue))
            }
        }
        let fb = try b.finish()
        XCTAssertEqual(fa.file.hash, fb.file.hash, "whole planes and blocks give the same file")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: whole)), try Data(contentsOf: URL(fileURLWithPath: blocks)))
        XCTAssertEqual(fa.statistics.count, 3)
        XCTAssertEqual(fa.statistics[0].minimum, 1)
        XCTAssertEqual(fa.statistics[0].maximum, 255)

        // Our reader: 3 UInt8 bands, nodata 0 in all of them where red or green was invalid.
        let r = try GeoTIFFReader(path: whole).read(UInt8.self, window: nil, bands: [0, 1, 2])
        XCTAssertEqual(r.bands.map(\.description), ["red", "green", "blue"])
        XCTAssertEqual(r.samples[0], 0); XCTAssertEqual(r.samples[w * h], 0); XCTAssertEqual(r.samples[2 * w * h], 0)
        XCTAssertEqual(r.bands[0].metadata["STRETCH_MINIMUM"], "\(stretch.low[0])")

        // GDAL.
        let info = try Oracles.gdalinfo(whole)
        let bands = try XCTUnwrap(info["bands"] as? [[String: Any]])
        XCTAssertEqual(bands.count, 3)
        XCTAssertEqual(bands.map { $0["colorInterpretation"] as? String }, ["Red", "Green", "Blue"])
        XCTAssertEqual(bands.map { $0["type"] as? String }, ["Byte", "Byte", "Byte"])
        XCTAssertEqual(bands.map { $0["noDataValue"] as? Double }, [0, 0, 0])
        XCTAssertEqual((bands[2]["metadata"] as? [String: [String: String]])?[""]?["STRETCH_MAXIMUM"], "\(stretch.high[2])")
        XCTAssertFalse((bands[0]["overviews"] as? [Any] ?? []).isEmpty, "overviews")
        let meta = (info["metadata"] as? [String: [String: String]])?[""] ?? [:]
        XCTAssertTrue(meta["TILEPIPE_RGB_STRETCH"]?.contains("2 % to the 98 % percentile") ?? false, "\(meta)")
        XCTAssertEqual((info["metadata"] as? [String: [String: String]])?["IMAGE_STRUCTURE"]?["INTERLEAVE"], "PIXEL")
        let v = try Oracles.gdalValidate(whole)
        XCTAssertTrue(v.valid, v.output)
        XCTAssertTrue(CloudOptimizedGeoTIFF.validate(path: whole).isValid)
    }
}
