import Foundation
import Pipeline
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// Issue 15 item 4 end to end: `grid:` and `outputs.crs` in pipeline.yaml, a Sentinel-2 L2A folder whose bands are
/// 10 m and 20 m run by `tilepipe run`, and `tilepipe index nbr --resample bilinear` on B08/B12, each checked
/// against GDAL (gdalwarp + numpy). Real-data tests skip without ../shared/data or python3-gdal.
final class ReferenceGridTests: XCTestCase {
    // MARK: config

    func testGridKeysParseAndAreChecked() throws {
        let base = "version: 1\ninputs: [{path: in}]\nindices: [ndvi]\n"
        let c = try PipelineConfig.parse(yaml: base + "grid: {crs: epsg:32650, resolution: 20, bounds: [0, 0, 100, 100], resampling: average}\noutputs: {directory: out, crs: EPSG:32650}\n")
        XCTAssertEqual(c.grid, GridSpec(crs: "EPSG:32650", resolution: 20, bounds: [0, 0, 100, 100], resampling: "average"))
        XCTAssertEqual(c.outputs.crs, "EPSG:32650")
        let grid = try XCTUnwrap(ReferenceGrid(config: c))
        XCTAssertEqual(grid.crs?.epsg, 32650)
        XCTAssertEqual(grid.method, .average)
        XCTAssertNil(ReferenceGrid(config: try PipelineConfig.parse(yaml: base + "outputs: {directory: out}\n")), "no grid: and no outputs.crs → no resampling")
        for (yaml, expected) in [
            ("grid: {crs: 'WGS 84'}\noutputs: {directory: out}\n", "EPSG:<code>"),
            ("grid: {bounds: [0, 0, 10, 10]}\noutputs: {directory: out}\n", "needs grid.crs"),
            ("grid: {crs: EPSG:32650}\noutputs: {directory: out, crs: EPSG:4326}\n", "disagree"),
            ("grid: {resolution: -5}\noutputs: {directory: out}\n", "positive"),
            ("grid: {bounds: [10, 0, 0, 10], crs: EPSG:4326}\noutputs: {directory: out}\n", "max > min"),
            ("grid: {resampling: cubic}\noutputs: {directory: out}\n", "resampling"),
        ] {
            XCTAssertThrowsError(try PipelineConfig.parse(yaml: base + yaml), yaml) { XCTAssertTrue("\($0)".contains(expected), "\($0)") }
        }
    }

    /// A rerun with another grid must not resume tiles written on the old one: both keys are part of the config hash.
    func testGridAndOutputCRSChangeTheConfigHash() throws {
        let base = "version: 1\ninputs: [{path: in}]\nindices: [ndvi]\n"
        let plain = try PipelineConfig.parse(yaml: base + "outputs: {directory: out}\n")
        let gridded = try PipelineConfig.parse(yaml: base + "grid: {resolution: 20}\noutputs: {directory: out}\n")
        let other = try PipelineConfig.parse(yaml: base + "grid: {resolution: 30}\noutputs: {directory: out}\n")
        let crs = try PipelineConfig.parse(yaml: base + "outputs: {directory: out, crs: EPSG:4326}\n")
        let hashes = [plain, gridded, other, crs].map(PipelineRunner.configHash)
        XCTAssertEqual(Set(hashes).count, 4, "\(hashes)")
    }

    /// The grid a configured reference gives a tile: snapped to the resolution, or in another CRS.
    func testReferenceGridForATile() throws {
        let tile = RasterGrid(width: 100, height: 50, geo: GeoReference(transform: GeoTransform(originX: 500_005, pixelWidth: 10, originY: 2_800_000, pixelHeight: -10), crs: .epsg(32650)))
        var c = try PipelineConfig.parse(yaml: "version: 1\ninputs: [{path: in}]\nindices: [ndvi]\ngrid: {resolution: 20}\noutputs: {directory: out}\n")
        var g = try ReferenceGrid(config: c)!.grid(for: tile, file: "t.tif")
        XCTAssertEqual(g.geo.transform.coefficients, [500_000, 20, 0, 2_800_000, 0, -20], "snapped outwards to 20 m multiples")
        XCTAssertEqual(g.width, 51); XCTAssertEqual(g.height, 25)
        c.grid = nil; c.outputs.crs = "EPSG:32651"
        g = try ReferenceGrid(config: c)!.grid(for: tile, file: "t.tif")
        XCTAssertEqual(g.geo.crs?.epsg, 32651)
        XCTAssertEqual(g.pixelSize, 10, accuracy: 0.5, "the diagonal rule keeps about the same ground resolution")
        var bare = tile; bare.geo.crs = nil
        XCTAssertThrowsError(try ReferenceGrid(config: c)!.grid(for: bare, file: "plain.tif")) { XCTAssertTrue("\($0)".contains("plain.tif") && "\($0)".contains("no CRS"), "\($0)") }
    }

    // MARK: real data

    private func s2Folder() throws -> URL {
        guard let data = TestData.sharedData else { throw Skip.because("../shared/data is absent") }
        let src = data.appendingPathComponent("sentinel2-l2a-cog_rio-tiler-pds")
        try Skip.unless(FileManager.default.fileExists(atPath: src.appendingPathComponent("B12.tif").path), "\(src.path) is absent")
        return src
    }

    /// The S2 L2A folder laid out as a scene (STAC item + COGs), in a temporary directory.
    private func sceneCopy(_ dir: URL) throws -> URL {
        let src = try s2Folder()
        let scene = dir.appendingPathComponent("in/S2A_29RKH_20200219_0_L2A")
        try FileManager.default.createDirectory(at: scene, withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: src.path) {
            try FileManager.default.copyItem(at: src.appendingPathComponent(f), to: scene.appendingPathComponent(f))
        }
        return dir.appendingPathComponent("in")
    }

    /// Python + GDAL: NBR from B08 and B12 warped onto B08's grid by gdalwarp (bilinear), compared with `ours`:
    /// prints and returns (pixels valid in both, max |Δ|, mean |Δ|, fraction of ours valid where GDAL's is).
    private func compareNBR(_ ours: String, folder: String, crs: String? = nil, resolution: Double? = nil) throws -> [Double] {
        guard let py = GDALOracle.python, TestData.hasTool("gdalwarp") else { throw Skip.because("gdalwarp / python3-gdal absent") }
        let script = """
        import sys, subprocess, tempfile, os, numpy as np
        from osgeo import gdal
        ours, folder = sys.argv[1], sys.argv[2]
        o = gdal.Open(ours); gt = o.GetGeoTransform(); w, h = o.RasterXSize, o.RasterYSize
        te = [str(gt[0]), str(gt[3] + h * gt[5]), str(gt[0] + w * gt[1]), str(gt[3])]
        tmp = tempfile.mkdtemp()
        def warp(b):
            out = os.path.join(tmp, b + '.tif')
            subprocess.check_call(['gdalwarp', '-q', '-ovr', 'NONE', '-et', '0', '-r', 'bilinear', '-t_srs', o.GetProjection(), '-te'] + te +
                                  ['-tr', str(gt[1]), str(-gt[5]), '-ot', 'Float32', '-srcnodata', '0', '-dstnodata', 'nan', f'{folder}/{b}.tif', out])
            return gdal.Open(out).ReadAsArray().astype('f8')
        n, s = warp('B08'), warp('B12')
        with np.errstate(all='ignore'): ref = (n - s) / (n + s)
        t = o.ReadAsArray().astype('f8')
        both = np.isfinite(ref) & np.isfinite(t)
        d = np.abs(ref - t)[both]
        print(both.sum(), d.max(), d.mean(), both.sum() / max(np.isfinite(ref).sum(), 1))
        """
        let r = try TestData.run(py, ["-c", script, ours, folder])
        XCTAssertEqual(r.status, 0, r.err)
        let v = r.out.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(v.count, 4, r.out)
        print("NBR vs gdalwarp+numpy (\((ours as NSString).lastPathComponent)): \(Int(v.first ?? 0)) px, max |Δ| \(v.count > 1 ? v[1] : .nan), mean |Δ| \(v.count > 2 ? v[2] : .nan), valid where GDAL's is \(v.count > 3 ? v[3] : .nan)")
        return v
    }

    /// `tilepipe index nbr` on B08 (10 m) and B12 (20 m): refused without --resample (naming both files), and with
    /// `--resample bilinear` equal to NBR from gdalwarp's bilinear B12 (Float32 rounding).
    func testIndexNBROnSentinel2B08B12WithResample() throws {
        guard let bin = TileFixtures.tilepipeBinary else { throw Skip.because("tilepipe binary not built") }
        let src = try s2Folder()
        let dir = try TestData.temporaryDirectory("grid-index")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("x.tif").path
        let args = ["index", "nbr", "--band", "nir=\(src.path)/B08.tif", "--band", "swir22=\(src.path)/B12.tif", "--output", out]
        let refused = try TestData.run(bin, args)
        XCTAssertEqual(refused.status, 64)
        XCTAssertTrue(refused.err.contains("B08.tif") && refused.err.contains("B12.tif") && refused.err.contains("--resample"), refused.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let r = try TestData.run(bin, args + ["--resample", "bilinear"])
        XCTAssertEqual(r.status, 0, r.err)
        let info = try RasterFile.describe(path: out)
        XCTAssertEqual([info.width, info.height], [1098, 1098], "on B08's (finest) grid")
        let v = try compareNBR(out, folder: src.path)
        XCTAssertGreaterThan(v[0], 1_000_000)
        XCTAssertLessThan(v[1], 1e-5, "max |Δ| against gdalwarp + numpy")
        XCTAssertEqual(v[3], 1, accuracy: 1e-9)
        // calc takes the same --resample: NBR as an expression on raw DNs (the ratio is scale-free) is the same raster.
        let calcOut = dir.appendingPathComponent("calc.tif").path
        let c = try TestData.run(bin, ["calc", "(nir - swir22) / (nir + swir22)", "--band", "nir=\(src.path)/B08.tif",
                                       "--band", "swir22=\(src.path)/B12.tif", "--resample", "bilinear", "--output", calcOut])
        XCTAssertEqual(c.status, 0, c.err)
        let a = try RasterFile.read(path: out).floatBand(0), b = try RasterFile.read(path: calcOut).floatBand(0)
        XCTAssertEqual(a.count, b.count)
        XCTAssertTrue(zip(a, b).allSatisfy { ($0.isNaN && $1.isNaN) || abs($0 - $1) <= 1e-6 }, "calc --resample = index --resample")
    }

    /// A band in another UTM zone: refused without --resample, reprojected with it; a band 110 km away fails
    /// naming both files (exit 1, nothing written).
    func testIndexRefusesOtherZoneAndNoOverlap() throws {
        guard let bin = TileFixtures.tilepipeBinary else { throw Skip.because("tilepipe binary not built") }
        try Skip.unless(TestData.hasTool("gdalwarp") && TestData.hasTool("gdal_translate"), "gdal-bin absent")
        let src = try s2Folder()
        let dir = try TestData.temporaryDirectory("grid-zone")
        defer { try? FileManager.default.removeItem(at: dir) }
        let zone30 = dir.appendingPathComponent("B04_utm30.tif").path, shifted = dir.appendingPathComponent("B04_shifted.tif").path
        XCTAssertEqual(try TestData.run("gdalwarp", ["-q", "-ovr", "NONE", "-t_srs", "EPSG:32630", "-tr", "100", "100", "\(src.path)/B04.tif", zone30]).status, 0)
        // 110 km east of the scene's far edge (the scene is 109.8 km wide).
        XCTAssertEqual(try TestData.run("gdal_translate", ["-q", "-a_ullr", "419780", "2800020", "529580", "2690220", "\(src.path)/B04.tif", shifted]).status, 0)
        let out = dir.appendingPathComponent("ndvi.tif").path
        let base = ["index", "ndvi", "--band", "nir=\(src.path)/B08.tif", "--output", out]
        let refused = try TestData.run(bin, base + ["--band", "red=\(zone30)"])
        XCTAssertEqual(refused.status, 64, refused.err)
        XCTAssertTrue(refused.err.contains("EPSG:32630") && refused.err.contains("EPSG:32629"), refused.err)
        let ok = try TestData.run(bin, base + ["--band", "red=\(zone30)", "--resample", "bilinear"])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertEqual(try RasterFile.describe(path: out).geo?.crs?.epsg, 32629)
        try FileManager.default.removeItem(atPath: out)
        let far = try TestData.run(bin, base + ["--band", "red=\(shifted)", "--resample", "bilinear"])
        XCTAssertEqual(far.status, 1, far.err)
        XCTAssertTrue(far.err.contains("B04_shifted.tif") && far.err.contains("B08.tif") && far.err.contains("do not overlap"), far.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// `tilepipe run` on the S2 L2A folder (STAC item; B08 10 m, B12 20 m → here 100 m and 200 m): the tile is
    /// resampled onto the finest band's grid instead of failing, NBR as gdalwarp's bilinear; then with `grid:` in
    /// another UTM zone at 200 m and with `outputs.crs: EPSG:4326`, every product is on that grid.
    func testRunResamplesMixedGridsAndHonoursGridAndOutputCRS() throws {
        let dir = try TestData.temporaryDirectory("grid-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try sceneCopy(dir)
        let folder = input.appendingPathComponent("S2A_29RKH_20200219_0_L2A").path
        for (name, extra, crs, res) in [("finest", "", 32629, 100.0), ("zone30", "grid: {crs: EPSG:32630, resolution: 200}\n", 32630, 200),
                                        ("wgs84", "", 4326, 0)] {
            let out = dir.appendingPathComponent(name)
            var yaml = "version: 1\ninputs: [{path: \"\(input.path)\"}]\nindices: [nbr]\n\(extra)outputs:\n  directory: \"\(out.path)\"\n"
            if name == "wgs84" { yaml += "  crs: EPSG:4326\n" }
            let c = try PipelineConfig.parse(yaml: yaml)
            let s = try PipelineRunner.run(config: c, options: RunOptions(jobs: 1, toolVersion: "test"), logger: PipelineRunner.silentLogger)
            XCTAssertEqual(s.exitCode, 0, "\(name): \(s.text)")
            let nbr = out.appendingPathComponent("tiles/S2A_29RKH_20200219_0_L2A/S2A_29RKH_20200219_0_L2A_nbr.tif").path
            let d = try RasterFile.describe(path: nbr)
            XCTAssertEqual(d.geo?.crs?.epsg, crs, name)
            if name == "zone30" {
                XCTAssertEqual(d.geo?.transform.pixelWidth, res, name)
                XCTAssertEqual((d.geo?.transform.originX ?? 1).truncatingRemainder(dividingBy: res), 0, "\(name): snapped")
            }
            let landuse = out.appendingPathComponent("tiles/S2A_29RKH_20200219_0_L2A/S2A_29RKH_20200219_0_L2A_landuse.tif").path
            let l = try RasterFile.describe(path: landuse)
            XCTAssertEqual([l.width, l.height], [d.width, d.height], "\(name): class map on the same grid")
            if name == "finest" {
                XCTAssertEqual([d.width, d.height], [1098, 1098])
                // SCL masks (cloud, water…) apply on our side only: compare where both are valid.
                let v = try compareNBR(nbr, folder: folder)
                XCTAssertLessThan(v[2], 1e-4, "mean |Δ| against gdalwarp + numpy")
                XCTAssertLessThan(v[1], 1e-3, "max |Δ| against gdalwarp + numpy")
            } else if name == "zone30" {
                let v = try compareNBR(nbr, folder: folder)
                XCTAssertGreaterThan(v[0], 100_000)
                XCTAssertLessThan(v[2], 0.01, "mean |Δ| against gdalwarp at 200 m (bilinear from 100 m vs average in ours)")
            }
        }
    }

    /// Two dates of one place on different grids (the post-fire tile regridded to 20 m, shifted by 8 m): without
    /// `grid:` the burn job resamples the after date onto the before date's grid; with `grid.bounds` both dates are
    /// resampled onto one lattice at ingest (here the before date's own). Both give the burn map on that grid, with
    /// burned areas that agree.
    func testDatesOnDifferentGridsPairOnTheConfiguredGrid() throws {
        try Skip.unless(TestData.hasTool("gdalwarp"), "gdalwarp (gdal-bin) absent")
        let sample = TestData.packageRoot.appendingPathComponent("SampleTiles/fire")
        try Skip.unless(FileManager.default.fileExists(atPath: sample.path), "SampleTiles/ absent")
        let dir = try TestData.temporaryDirectory("grid-dates")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        for date in ["20250108", "20250124"] {
            let to = input.appendingPathComponent("HXY1_\(date)/r0c0")
            try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: sample.appendingPathComponent("HXY1_\(date)/r0c0"), to: to)
        }
        let post = input.appendingPathComponent("HXY1_20250124/r0c0/HXY1_20250124_r0c0.tif").path
        let pre = try RasterFile.describe(path: input.appendingPathComponent("HXY1_20250108/r0c0/HXY1_20250108_r0c0.tif").path)
        let g = try XCTUnwrap(pre.geo).transform
        let (x0, y1) = (g.originX, g.originY), (x1, y0) = (g.originX + 16 * Double(pre.width), g.originY - 16 * Double(pre.height))
        let regridded = dir.appendingPathComponent("post20.tif").path
        let w = try TestData.run("gdalwarp", ["-q", "-r", "bilinear", "-tr", "20", "20", "-te", "\(x0 - 8)", "\(y0 - 8)", "\(x1 + 12)", "\(y1 + 12)", post, regridded])
        XCTAssertEqual(w.status, 0, w.err)
        try FileManager.default.removeItem(atPath: post)
        try FileManager.default.moveItem(atPath: regridded, toPath: post)
        var burned: [Bool: Int] = [:]
        for withGrid in [false, true] {
            let out = dir.appendingPathComponent(withGrid ? "aligned" : "paired")
            var yaml = "version: 1\ninputs: [{path: \"\(input.path)\"}]\nindices: [nbr]\nmonitor:\n  - {kind: burn, before: '2025-01-08', after: '2025-01-24'}\n"
            if withGrid { yaml += "grid: {crs: EPSG:32650, resolution: 16, bounds: [\(x0), \(y0), \(x1), \(y1)]}\n" }
            yaml += "outputs: {directory: \"\(out.path)\"}\n"
            let s = try PipelineRunner.run(config: try PipelineConfig.parse(yaml: yaml), options: RunOptions(jobs: 1, toolVersion: "test"),
                                           logger: PipelineRunner.silentLogger)
            let burn = SampleTilesRun.files(out, ext: "tif").filter { $0.hasPrefix("pairs/burn/") }
            XCTAssertEqual(s.exitCode, 0, s.text)
            XCTAssertEqual(burn.count, 1, "\(burn)")
            let d = try RasterFile.describe(path: out.appendingPathComponent(burn[0]).path)
            XCTAssertEqual([d.width, d.height], [pre.width, pre.height])
            XCTAssertEqual(d.geo?.transform, pre.geo?.transform)
            burned[withGrid] = try SampleTilesRun.classCounts(out.appendingPathComponent(burn[0]).path).filter { (4...7).contains($0.key) }
                .reduce(0) { $0 + $1.value }
        }
        let paired = try XCTUnwrap(burned[false]), aligned = try XCTUnwrap(burned[true])
        XCTAssertGreaterThan(aligned, 0)
        XCTAssertEqual(Double(paired), Double(aligned), accuracy: 0.05 * Double(aligned), "burned pixels: pair-resampled vs grid:")
    }
}
