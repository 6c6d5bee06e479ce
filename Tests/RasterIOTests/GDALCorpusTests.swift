import XCTest
import RasterCore
@testable import RasterIO
import TestSupport

/// GDAL's own regression rasters (../shared/data/gdal-autotest-rasters, 150 odd-but-valid files): every file
/// either decodes to GDAL's pixels (first and last band), nodata and geotransform, or is refused with a typed
/// `RasterIOError`; never a crash and never silently different pixels. Each decoded file is also written back with
/// `GeoTIFFWriter` and read by GDAL: same pixels, same grid. The figure is printed.
final class GDALCorpusTests: XCTestCase {
    func testCorpusDecodesLikeGDALOrIsRefused() throws {
        guard let data = TestData.sharedData else { throw Skip.because("shared data folder absent") }
        guard GDALOracle.available else { throw Skip.because("gdal-bin / python3-gdal absent") }
        let dir = data.appendingPathComponent("gdal-autotest-rasters")
        let expected = dir.appendingPathComponent("expected.json")
        guard let json = try? Data(contentsOf: expected),
              let o = try JSONSerialization.jsonObject(with: json) as? [String: Any],
              let files = o["files"] as? [String: Any] else { throw Skip.because("no corpus") }
        let scratch = try TestData.temporaryDirectory("corpus")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var same = 0
        var refused: [String] = []
        for name in files.keys.sorted() {
            let path = dir.appendingPathComponent(name).path
            let ours: AnyRaster
            do { ours = try RasterFile.read(path: path) } catch let e as RasterIOError {
                XCTAssertEqual(e.path, path)
                refused.append("\(name): \(e.kind): \(e.reason)")
                continue
            }
            let g = try GDALOracle.read(path, asFloat64: true)
            var problems: [String] = []
            if (ours.width, ours.height, ours.bandCount) != (g.width, g.height, g.bandCount) {
                problems.append("size \(ours.width)x\(ours.height)x\(ours.bandCount) vs \(g.width)x\(g.height)x\(g.bandCount)")
            } else {
                let n = g.width * g.height
                let gv: [Double] = g.pixels.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
                for b in Set([0, g.bandCount - 1]) {
                    let mine = doubles(ours, band: b)
                    var theirs = Array(gv[(b * n)..<((b + 1) * n)])
                    if name == "gdrivers_png__uint16_interlaced.png" && GDALOracle.versionNumber < 3_100_100 {
                        // GDAL before 3.10.1 returns 16-bit interlaced PNGs byte-swapped on little-endian machines
                        // (fixed by OSGeo/gdal PR #11553): the first stored sample, bytes 00 6B after the Sub filter,
                        // is 107, GDAL 3.6 says 27392. Compare with GDAL's swap undone.
                        theirs = theirs.map { Double(UInt16($0).byteSwapped) }
                    }
                    let diff = zip(mine, theirs).filter { !($0 == $1 || ($0.isNaN && $1.isNaN)) }.count
                    if diff > 0 { problems.append("band \(b + 1): \(diff) pixels differ") }
                    let nd = ours.bands[b].nodata, gnd = g.nodata[b]
                    if !(nd == gnd || (nd?.isNaN == true && gnd?.isNaN == true)) { problems.append("band \(b + 1) nodata \(String(describing: nd)) vs \(String(describing: gnd))") }
                }
                if let gt = g.geoTransform, gt != GeoTransform.identity.coefficients {
                    let mine = ours.geo?.transform.coefficients ?? []
                    if mine.count != 6 || zip(mine, gt).contains(where: { abs($0 - $1) > 1e-9 * max(1, abs($1)) }) {
                        problems.append("geotransform \(mine) vs \(gt)")
                    }
                }
            }
            if problems.isEmpty, let gt = g.geoTransform {
                // Written back by our writer, GDAL sees the same pixels and grid (what `tilepipe calc x` relies on).
                let out = scratch.appendingPathComponent("back.tif").path
                try write(ours, to: out)
                let back = try GDALOracle.read(out)
                if back.pixels != Data(SyntheticRasters.bytes(ours)) { problems.append("written back: pixels differ for GDAL") }
                if let bgt = back.geoTransform, zip(bgt, gt).contains(where: { abs($0 - $1) > 1e-9 * max(1, abs($1)) }) {
                    problems.append("written back: geotransform \(bgt) vs \(gt)")
                }
            }
            if problems.isEmpty { same += 1 } else { XCTFail("\(name): decoded differently from GDAL: \(problems.joined(separator: "; "))") }
        }
        print("GDAL autotest corpus: \(same)/\(files.count) decoded like GDAL, \(refused.count) refused with a typed error")
        for r in refused { print("  refused \(r)") }
    }

    private func write(_ r: AnyRaster, to path: String) throws {
        func open<R: TypedRaster>(_ t: R) throws { try GeoTIFFWriter.write(t.raster, to: path, options: .init(compression: .deflate, tileSize: 256)) }
        try open(r.typed)
    }

    private func doubles(_ r: AnyRaster, band: Int) -> [Double] {
        func open<R: TypedRaster>(_ t: R) -> [Double] { t.raster.band(band).map(\.doubleValue) }
        return open(r.typed)
    }
}
