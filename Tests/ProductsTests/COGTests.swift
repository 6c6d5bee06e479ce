import Foundation
import Products
import RasterCore
import RasterIO
import TestSupport
import XCTest

final class COGTests: XCTestCase {
    let provenance = Provenance(version: "0.1.0-test", pipelineHash: "abc123", inputs: ["B04.tif", "B08.tif"])

    private func tmp() throws -> URL {
        let d = try TestData.temporaryDirectory("products-cog")
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    /// Float32 2000×2000 and 1100×700: GDAL's validator and ours both say valid; sizes halve down to one block.
    func testContinuousCOGsPassGDALValidator() throws {
        let dir = try tmp()
        for (w, h) in [(2000, 2000), (1100, 700)] {
            let path = dir.appendingPathComponent("ndvi_\(w)x\(h).tif").path
            try CloudOptimizedGeoTIFF.write(Oracles.continuous(width: w, height: h), to: path, kind: .continuous, provenance: provenance)
            let ours = CloudOptimizedGeoTIFF.validate(path: path)
            XCTAssertTrue(ours.isValid, "\(w)x\(h): \(ours.errors)")
            XCTAssertEqual(ours.warnings, [], "\(w)x\(h)")
            let gdal = try Oracles.gdalValidate(path)
            XCTAssertTrue(gdal.valid, "\(w)x\(h): \(gdal.output)")
            XCTAssertFalse(gdal.output.contains("warning"), gdal.output)
            let info = try Oracles.gdalinfo(path)
            let band = (info["bands"] as? [[String: Any]])?.first ?? [:]
            let overviews = (band["overviews"] as? [[String: Any]]) ?? []
            // 2000 → 1000 → 500 (fits one block); 1100×700 → 550×350 → 275×175.
            let expected = w == 2000 ? [[1000, 1000], [500, 500]] : [[550, 350], [275, 175]]
            XCTAssertEqual(overviews.map { ($0["size"] as? [Int]) ?? [] }, expected)
            XCTAssertEqual(band["block"] as? [Int], [512, 512])
            let imageMD = ((info["metadata"] as? [String: Any])?["IMAGE_STRUCTURE"] as? [String: String]) ?? [:]
            XCTAssertEqual(imageMD["COMPRESSION"], "DEFLATE")
            XCTAssertEqual(imageMD["PREDICTOR"], "3")
        }
    }

    /// gdalinfo reads nodata, the band description, unit, provenance and our statistics, and the statistics
    /// equal a direct two-pass computation in this test.
    func testGDALReadsMetadataAndStatistics() throws {
        let dir = try tmp()
        let r = Oracles.continuous(width: 1100, height: 700)
        let path = dir.appendingPathComponent("ndvi.tif").path
        try CloudOptimizedGeoTIFF.write(r, to: path, kind: .continuous, provenance: provenance, codec: .zstd)
        var values: [Double] = []
        for v in r.samples where !v.isNaN { values.append(Double(v)) }
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        let info = try Oracles.gdalinfo(path)
        let band = (info["bands"] as? [[String: Any]])?.first ?? [:]
        XCTAssertEqual(band["description"] as? String, "ndvi")
        XCTAssertEqual(band["noDataValue"] as? String, "NaN")
        XCTAssertEqual(band["unit"] as? String, "1")
        let md = ((band["metadata"] as? [String: Any])?[""] as? [String: String]) ?? [:]
        XCTAssertEqual(Double(md["STATISTICS_MEAN"] ?? "") ?? .nan, mean, accuracy: 1e-9)
        XCTAssertEqual(Double(md["STATISTICS_STDDEV"] ?? "") ?? .nan, std, accuracy: 1e-9)
        XCTAssertEqual(Double(md["STATISTICS_MINIMUM"] ?? "") ?? .nan, values.min()!, accuracy: 0)
        XCTAssertEqual(Double(md["STATISTICS_MAXIMUM"] ?? "") ?? .nan, values.max()!, accuracy: 0)
        XCTAssertEqual(Double(md["STATISTICS_VALID_PERCENT"] ?? "") ?? .nan, 100 * Double(values.count) / Double(r.pixelCount), accuracy: 1e-9)
        XCTAssertEqual(band["mean"] as? Double ?? .nan, mean, accuracy: 1e-3)   // gdalinfo prints 3 decimals
        let dataset = ((info["metadata"] as? [String: Any])?[""] as? [String: String]) ?? [:]
        XCTAssertEqual(dataset["TILEPIPE_SOFTWARE"], "tilepipe 0.1.0-test")
        XCTAssertEqual(dataset["TILEPIPE_PIPELINE_HASH"], "abc123")
        XCTAssertEqual(dataset["TILEPIPE_INPUTS"], "B04.tif;B08.tif")
        XCTAssertEqual(((info["metadata"] as? [String: Any])?["IMAGE_STRUCTURE"] as? [String: String])?["COMPRESSION"], "ZSTD")
        // NaN nodata survives into the overview: the hole stays NaN, its neighbours stay bright (not darkened).
        let coordinateSystem = (info["coordinateSystem"] as? [String: Any])?["wkt"] as? String ?? ""
        XCTAssertTrue(coordinateSystem.contains("32650"), coordinateSystem.prefix(200).description)
    }

    /// Statistics the caller already computed are the ones written (no second pass); a count that does not match
    /// the bands is refused and leaves no file.
    func testCallerStatisticsAreWrittenAndChecked() throws {
        let dir = try tmp()
        let r = Oracles.continuous(width: 300, height: 200)
        var acc = BandStatistics.Accumulator()
        acc.add(-0.5); acc.add(0.75)   // figures the raster's own samples do not have
        let given = acc.result
        let path = dir.appendingPathComponent("given.tif").path
        let written = try CloudOptimizedGeoTIFF.write(r, to: path, kind: .continuous, provenance: provenance, statistics: [given])
        XCTAssertEqual(written, [given])
        let band = (try Oracles.gdalinfo(path)["bands"] as? [[String: Any]])?.first ?? [:]
        let md = ((band["metadata"] as? [String: Any])?[""] as? [String: String]) ?? [:]
        XCTAssertEqual(md["STATISTICS_MEAN"], "0.125")
        XCTAssertEqual(md["STATISTICS_MINIMUM"], "-0.5")
        let bad = dir.appendingPathComponent("bad.tif").path
        XCTAssertThrowsError(try CloudOptimizedGeoTIFF.write(r, to: bad, kind: .continuous, provenance: provenance, statistics: [given, given]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: bad))
    }

    /// UInt8 class map: valid COG, palette + class names, and every overview pixel holds a code of the map.
    func testClassMapOverviewsHoldOnlyValidCodes() throws {
        let dir = try tmp()
        let r = Oracles.classes(width: 2000, height: 1300)
        let path = dir.appendingPathComponent("landuse.tif").path
        try CloudOptimizedGeoTIFF.write(r, to: path, kind: .classes(.landUse), provenance: provenance)
        XCTAssertTrue(CloudOptimizedGeoTIFF.validate(path: path).isValid)
        let gdal = try Oracles.gdalValidate(path)
        XCTAssertTrue(gdal.valid, gdal.output)
        let info = try Oracles.gdalinfo(path)
        let band = (info["bands"] as? [[String: Any]])?.first ?? [:]
        XCTAssertEqual(band["type"] as? String, "Byte")
        XCTAssertEqual(band["noDataValue"] as? Double, 0)
        XCTAssertEqual(band["colorInterpretation"] as? String, "Palette")
        let entries = ((band["colorTable"] as? [String: Any])?["entries"] as? [[Int]]) ?? []
        XCTAssertEqual(entries.count, 256)
        if entries.count > 1 { XCTAssertEqual(entries[1], [0x00, 0x72, 0xB2, 255]) }   // water
        let md = ((band["metadata"] as? [String: Any])?[""] as? [String: String]) ?? [:]
        XCTAssertEqual(md["CLASS_1"], "Water")
        XCTAssertTrue((md["CLASS_NAMES"] ?? "").hasPrefix("1:Water;2:Built-up"), md["CLASS_NAMES"] ?? "")
        let overviews = (band["overviews"] as? [[String: Any]]) ?? []
        XCTAssertEqual(overviews.count, 2)
        let valid = Set((0...8).map(UInt8.init))
        for i in overviews.indices {
            let out = dir.appendingPathComponent("ovr\(i).tif").path
            let t = try TestData.run("gdal_translate", ["-q", "-ovr", "\(i)", path, out])
            XCTAssertEqual(t.status, 0, t.err)
            let ovr = try GeoTIFFReader(path: out).read(UInt8.self)
            let codes = Set(ovr.samples)
            XCTAssertTrue(codes.isSubset(of: valid), "overview \(i) holds codes \(codes.subtracting(valid).sorted())")
            XCTAssertTrue(codes.count >= 8, "overview \(i) lost classes: \(codes.sorted())")
        }
    }

    /// Our validator and GDAL's agree that a plain strip TIFF (no tiles, no overviews, 2000 px wide) is not a COG.
    func testStripTIFFIsFlaggedByBothValidators() throws {
        let dir = try tmp()
        let path = dir.appendingPathComponent("strips.tif").path
        try StripTIFF.write(width: 2000, height: 600, to: path)
        let ours = CloudOptimizedGeoTIFF.validate(path: path)
        XCTAssertFalse(ours.isValid)
        XCTAssertTrue(ours.errors.contains { $0.contains("not tiled") }, "\(ours.errors)")
        XCTAssertTrue(ours.summary.hasPrefix("valid COG: no ("), ours.summary)
        let gdal = try Oracles.gdalValidate(path)
        XCTAssertFalse(gdal.valid, gdal.output)
        XCTAssertTrue(gdal.output.contains("not tiled"), gdal.output)
    }

    /// A GTiff written by GDAL with overviews appended after the data (gdaladdo) fails both validators.
    func testGdaladdoOverviewsAfterDataAreFlagged() throws {
        guard TestData.hasTool("gdal_translate"), TestData.hasTool("gdaladdo") else { throw Skip.because("gdal-bin absent") }
        let dir = try tmp()
        let cog = dir.appendingPathComponent("cog.tif").path
        try CloudOptimizedGeoTIFF.write(Oracles.continuous(width: 1100, height: 700), to: cog, kind: .continuous, provenance: provenance)
        let plain = dir.appendingPathComponent("plain.tif").path
        XCTAssertEqual(try TestData.run("gdal_translate", ["-q", "-co", "TILED=YES", cog, plain]).status, 0)
        XCTAssertEqual(try TestData.run("gdaladdo", ["-q", "-r", "average", plain, "2"]).status, 0)
        let ours = CloudOptimizedGeoTIFF.validate(path: plain)
        let gdal = try Oracles.gdalValidate(plain)
        XCTAssertFalse(gdal.valid, gdal.output)
        XCTAssertFalse(ours.isValid, "ours accepted what GDAL rejects: \(gdal.output)")
    }

    /// Our nodata-aware average overview equals GDAL's own `gdaladdo -r average` on the same full-resolution
    /// pixels (NaN nodata disc and NaN edge column included).
    func testAverageOverviewMatchesGdaladdo() throws {
        guard TestData.hasTool("gdal_translate"), TestData.hasTool("gdaladdo") else { throw Skip.because("gdal-bin absent") }
        let dir = try tmp()
        let cog = dir.appendingPathComponent("cog.tif").path
        try CloudOptimizedGeoTIFF.write(Oracles.continuous(width: 1100, height: 700), to: cog, kind: .continuous, provenance: provenance)
        let plain = dir.appendingPathComponent("plain.tif").path
        let ours = dir.appendingPathComponent("ours0.tif").path, theirs = dir.appendingPathComponent("gdal0.tif").path
        XCTAssertEqual(try TestData.run("gdal_translate", ["-q", "-co", "TILED=YES", cog, plain]).status, 0)
        XCTAssertEqual(try TestData.run("gdaladdo", ["-q", "-r", "average", plain, "2"]).status, 0)
        XCTAssertEqual(try TestData.run("gdal_translate", ["-q", "-ovr", "0", cog, ours]).status, 0)
        XCTAssertEqual(try TestData.run("gdal_translate", ["-q", "-ovr", "0", plain, theirs]).status, 0)
        let a = try GeoTIFFReader(path: ours).read(Float.self), b = try GeoTIFFReader(path: theirs).read(Float.self)
        XCTAssertEqual([a.width, a.height], [550, 350]); XCTAssertEqual([b.width, b.height], [550, 350])
        var nan = 0, worst: Float = 0
        for (x, y) in zip(a.samples, b.samples) {
            XCTAssertEqual(x.isNaN, y.isNaN)
            if x.isNaN { nan += 1 } else { worst = max(worst, abs(x - y)) }
        }
        XCTAssertGreaterThan(nan, 0)
        XCTAssertLessThan(worst, 1e-6)
    }

    /// A GDAL-made COG is valid for both validators.
    func testGDALCOGDriverOutputIsValidForUs() throws {
        guard TestData.hasTool("gdal_translate") else { throw Skip.because("gdal-bin absent") }
        let dir = try tmp()
        let src = dir.appendingPathComponent("src.tif").path
        try GeoTIFFWriter.write(Oracles.continuous(width: 1100, height: 700), to: src)
        let cog = dir.appendingPathComponent("gdal_cog.tif").path
        XCTAssertEqual(try TestData.run("gdal_translate", ["-q", "-of", "COG", src, cog]).status, 0)
        let ours = CloudOptimizedGeoTIFF.validate(path: cog)
        XCTAssertTrue(ours.isValid, "\(ours.errors)")
        XCTAssertTrue(try Oracles.gdalValidate(cog).valid)
    }

    /// Same raster, same provenance → the same bytes (shards and resumed runs rely on it); and the info report
    /// that `tilepipe info` prints carries the check's verdict.
    func testDeterministicBytesAndInfoLine() throws {
        let dir = try tmp()
        let r = Oracles.classes(width: 700, height: 600)
        let a = dir.appendingPathComponent("a.tif").path, b = dir.appendingPathComponent("b.tif").path
        try CloudOptimizedGeoTIFF.write(r, to: a, kind: .classes(.landUse), provenance: provenance)
        try CloudOptimizedGeoTIFF.write(r, to: b, kind: .classes(.landUse), provenance: provenance)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
        var report = try RasterInfoReport.make(path: a, statistics: false)
        let check = CloudOptimizedGeoTIFF.validate(path: a)
        report.cogCheck = (check.isValid, check.errors)
        XCTAssertTrue(report.text.contains("valid COG: yes\n"), report.text)
        let strip = dir.appendingPathComponent("s.tif").path
        try StripTIFF.write(width: 1500, height: 100, to: strip)
        XCTAssertEqual(CloudOptimizedGeoTIFF.validate(path: strip).summary,
                       "valid COG: no (The file is greater than 512xH or Wx512, but is not tiled)")
    }

    /// A class map must be one UInt8 band.
    func testClassKindRejectsFloat() throws {
        let dir = try tmp()
        XCTAssertThrowsError(try CloudOptimizedGeoTIFF.write(Oracles.continuous(width: 10, height: 10),
                                                            to: dir.appendingPathComponent("x.tif").path,
                                                            kind: .classes(.landUse), provenance: provenance)) {
            XCTAssertTrue("\($0)".contains("UInt8"), "\($0)")
        }
    }
}

/// A minimal uncompressed little-endian strip TIFF (UInt8, one strip per 64 rows), written byte by byte so the
/// "bad file" test does not depend on the writer under test.
enum StripTIFF {
    static func write(width: Int, height: Int, to path: String) throws {
        var b: [UInt8] = []
        func u16(_ v: Int) { b += [UInt8(v & 255), UInt8(v >> 8 & 255)] }
        func u32(_ v: Int) { b += [UInt8(v & 255), UInt8(v >> 8 & 255), UInt8(v >> 16 & 255), UInt8(v >> 24 & 255)] }
        let rows = 64, strips = (height + rows - 1) / rows
        let ifdEntries = 9
        let ifdSize = 2 + ifdEntries * 12 + 4
        let offsetsAt = 8 + ifdSize, countsAt = offsetsAt + 4 * strips, dataAt = countsAt + 4 * strips
        b += [0x49, 0x49]; u16(42); u32(8)
        u16(ifdEntries)
        func entry(_ tag: Int, _ type: Int, _ count: Int, _ value: Int) {
            u16(tag); u16(type); u32(count)
            if type == 3 && count == 1 { u16(value); u16(0) } else { u32(value) }
        }
        entry(256, 4, 1, width); entry(257, 4, 1, height); entry(258, 3, 1, 8); entry(259, 3, 1, 1)
        entry(262, 3, 1, 1); entry(273, 4, strips, offsetsAt); entry(277, 3, 1, 1); entry(278, 4, 1, rows)
        entry(279, 4, strips, countsAt)
        u32(0)
        for s in 0..<strips { u32(dataAt + s * rows * width) }
        for s in 0..<strips { u32(min(rows, height - s * rows) * width) }
        for y in 0..<height { for x in 0..<width { b.append(UInt8((x + y) & 255)) } }
        try Data(b).write(to: URL(fileURLWithPath: path))
    }
}
