import XCTest
import Foundation
import RasterCore
@testable import RasterIO
import TestSupport

/// Resampling (`GridWarp` + `Resampler`) against `gdalwarp` on real Sentinel-2 L2A bands (issue 15 item 4):
/// a 10/20 m mix (bilinear and nearest up, average down) and a UTM zone change (EPSG:32629 → EPSG:32630).
/// The grids are the same on both sides (`-te`/`-tr` from our target grid); gdalwarp runs with `-et 0` (exact
/// transformer) and `-ovr NONE` (the COGs have overviews, which gdalwarp would otherwise read when going down), so
/// the comparison includes our coordinate lattice's approximation. Skips without gdalwarp,
/// python3-gdal or ../shared/data.
final class GridWarpVsGdalwarpTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        try Skip.unless(TestData.hasTool("gdalwarp") && GDALOracle.available, "gdalwarp or python3-gdal not installed (make test-deps)")
        dir = try TestData.temporaryDirectory("gridwarp")
    }

    override func tearDownWithError() throws { if let dir { try? FileManager.default.removeItem(at: dir) } }

    /// The rio-tiler Sentinel-2 L2A COG band `name` (B04/B08 100 m, B11/B12 200 m, overview-sized), or skip.
    private func s2(_ name: String) throws -> String {
        guard let data = TestData.sharedData else { throw Skip.because("../shared/data is absent") }
        let p = data.appendingPathComponent("sentinel2-l2a-cog_rio-tiler-pds/\(name).tif").path
        try Skip.unless(FileManager.default.fileExists(atPath: p), "\(p) is absent")
        return p
    }

    /// A file's band 1 as Float (nodata → NaN) and its grid.
    private func load(_ path: String) throws -> ([Float], RasterGrid) {
        let r = try RasterFile.read(path: path, bands: [0])
        return (r.floatBand(0), RasterGrid(width: r.width, height: r.height, geo: r.geo!))
    }

    /// gdalwarp of `source` onto `grid` with `method`, read back as Float64 (NaN = not covered or nodata).
    private func gdalwarp(_ source: String, onto grid: RasterGrid, method: String) throws -> [Double] {
        let out = dir.appendingPathComponent("\(UUID().uuidString).tif").path
        let b = grid.bounds, t = grid.geo.transform
        let args = ["-q", "-overwrite", "-ovr", "NONE", "-r", method, "-et", "0", "-t_srs", "EPSG:\(grid.geo.crs!.epsg!)",
                    "-te", "\(b.minX)", "\(b.minY)", "\(b.maxX)", "\(b.maxY)", "-tr", "\(t.pixelWidth)", "\(-t.pixelHeight)",
                    "-ot", "Float32", "-srcnodata", "0", "-dstnodata", "nan", source, out]
        let r = try TestData.run("gdalwarp", args)
        XCTAssertEqual(r.status, 0, r.err)
        let rep = try GDALOracle.read(out, asFloat64: true)
        XCTAssertEqual(rep.width, grid.width); XCTAssertEqual(rep.height, grid.height)
        return rep.pixels.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }

    /// Agreement figures of ours vs GDAL's.
    private struct Agreement: CustomStringConvertible {
        var coverageMismatch = 0, compared = 0, within = 0
        var maxAbs = 0.0, sumAbs = 0.0
        var description: String {
            String(format: "compared %d px, coverage mismatch %d, within tolerance %.4f %%, max |Δ| %.4g, mean |Δ| %.3g",
                   compared, coverageMismatch, 100 * Double(within) / Double(max(compared, 1)), maxAbs, sumAbs / Double(max(compared, 1)))
        }
    }

    private func compare(_ ours: [Float], _ gdal: [Double], tolerance: Double) -> Agreement {
        var a = Agreement()
        for (o, g) in zip(ours, gdal) {
            if o.isNaN != g.isNaN { a.coverageMismatch += 1; continue }
            guard !g.isNaN else { continue }
            let d = abs(Double(o) - g)
            a.compared += 1; a.sumAbs += d; a.maxAbs = max(a.maxAbs, d)
            if d <= tolerance { a.within += 1 }
        }
        return a
    }

    /// 20 m (here 200 m) B12 onto the 10 m (100 m) B08 grid: bilinear and nearest as gdalwarp, to Float32 rounding.
    func testTenTwentyMixBilinearAndNearestMatchGdalwarp() throws {
        let (b12, g12) = try load(s2("B12")), (_, g08) = try load(s2("B08"))
        for method in [ResampleMethod.bilinear, .nearest] {
            let ours = try GridWarp.resample([b12], from: g12, sourceFile: "B12.tif", to: g08, targetFile: "B08.tif", method: method)[0]
            let a = compare(ours, try gdalwarp(s2("B12"), onto: g08, method: method.rawValue), tolerance: 0.01)
            print("10/20 m mix, \(method): \(a)")
            XCTAssertEqual(a.coverageMismatch, 0, "\(method): \(a)")
            XCTAssertGreaterThan(a.compared, g08.pixelCount / 2)
            XCTAssertEqual(a.within, a.compared, "\(method): every pixel within 0.01 DN of gdalwarp: \(a)")
        }
    }

    /// 10 m (100 m) B08 averaged onto the 20 m (200 m) B12 grid, as gdalwarp -r average.
    func testAverageDownToTwentyMetresMatchesGdalwarp() throws {
        let (b08, g08) = try load(s2("B08")), (_, g12) = try load(s2("B12"))
        let ours = try GridWarp.resample([b08], from: g08, sourceFile: "B08.tif", to: g12, targetFile: "B12.tif", method: .average)[0]
        let a = compare(ours, try gdalwarp(s2("B08"), onto: g12, method: "average"), tolerance: 0.01)
        print("10 → 20 m, average: \(a)")
        XCTAssertEqual(a.coverageMismatch, 0, "\(a)")
        XCTAssertEqual(a.within, a.compared, "\(a)")
    }

    /// B04 (EPSG:32629) reprojected into the neighbouring UTM zone (EPSG:32630) at 100 m: nearest picks the same
    /// source pixel and bilinear gives the same value as gdalwarp -et 0 except where our lattice (coordinates within
    /// 0.01 px of PROJ's) falls on the other side of a pixel edge.
    func testUTMZoneChangeMatchesGdalwarp() throws {
        let path = try s2("B04")
        let (b04, g04) = try load(path)
        let target = try GridWarp.reprojected(g04, file: path, to: .epsg(32630), resolution: 100)
        XCTAssertEqual(target.geo.crs?.epsg, 32630)
        let mapping = try GridWarp.mapping(from: g04, sourceFile: path, to: target, targetFile: "EPSG:32630 grid")
        XCTAssertLessThanOrEqual(mapping.maxError, 0.01, "lattice error bound")
        print("UTM 29 → 30: lattice step \(mapping.step) px, max measured coordinate error \(mapping.maxError) px")
        // Values are DN (0…~10000): bilinear within 1 DN on ≥ 99.9 % of the pixels, nearest equal on ≥ 99.9 %.
        let nearest = b04.withUnsafeBufferPointer {
            Resampler.resample(.init(planes: [$0], window: .full(width: g04.width, height: g04.height)), mapping: mapping, method: .nearest)[0]
        }
        let n = compare(nearest, try gdalwarp(path, onto: target, method: "near"), tolerance: 0)
        print("UTM 29 → 30, nearest: \(n)")
        XCTAssertGreaterThan(n.compared, target.pixelCount / 3)
        XCTAssertLessThanOrEqual(n.coverageMismatch, target.width + target.height, "coverage differs only along the edge: \(n)")
        XCTAssertGreaterThanOrEqual(Double(n.within) / Double(n.compared), 0.999, "\(n)")
        let bilinear = b04.withUnsafeBufferPointer {
            Resampler.resample(.init(planes: [$0], window: .full(width: g04.width, height: g04.height)), mapping: mapping, method: .bilinear)[0]
        }
        let b = compare(bilinear, try gdalwarp(path, onto: target, method: "bilinear"), tolerance: 1)
        print("UTM 29 → 30, bilinear: \(b)")
        XCTAssertLessThanOrEqual(b.coverageMismatch, target.width + target.height, "\(b)")
        XCTAssertGreaterThanOrEqual(Double(b.within) / Double(b.compared), 0.999, "\(b)")
    }

    /// A band shifted 110 km away from the reference does not overlap it: the error names both files.
    func testNoOverlapAndNoCRSNameBothFiles() throws {
        let (_, g08) = try load(s2("B08"))
        var far = g08
        far.geo.transform = GeoTransform(originX: g08.geo.transform.originX + 110_000 + Double(g08.width) * 100, pixelWidth: 100,
                                         originY: g08.geo.transform.originY, pixelHeight: -100)
        XCTAssertThrowsError(try GridWarp.mapping(from: far, sourceFile: "shifted.tif", to: g08, targetFile: "B08.tif")) { e in
            let text = "\(e)"
            guard case .noOverlap = e as? GridAlignmentError else { return XCTFail("\(e)") }
            XCTAssertTrue(text.contains("shifted.tif") && text.contains("B08.tif"), text)
        }
        var bare = g08
        bare.geo.crs = nil
        bare.geo.transform = GeoTransform(originX: 0, pixelWidth: 1, originY: 0, pixelHeight: 1)
        XCTAssertThrowsError(try GridWarp.mapping(from: bare, sourceFile: "plain.png", to: g08, targetFile: "B08.tif")) { e in
            guard case .noCRS(_, _, let missing) = e as? GridAlignmentError else { return XCTFail("\(e)") }
            XCTAssertEqual(missing, ["plain.png"])
            XCTAssertTrue("\(e)".contains("plain.png") && "\(e)".contains("B08.tif"), "\(e)")
        }
    }
}
