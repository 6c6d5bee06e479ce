import Foundation
import Products
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// `outputs.cog.dtype: int16`: index COGs stored as round(value × 10000) with scale 0.0001, offset 0 and nodata
/// −32768 read back through GDAL (scale applied) and rasterio (masked and scaled) within 5e-5 of the Float32 COG,
/// with the same nodata mask, and pass GDAL's COG validator.
final class Int16IndexCOGTests: XCTestCase {
    let provenance = Provenance(version: "0.1.0-test", pipelineHash: "abc123", inputs: ["tile.tif"])

    /// Half a quantisation step; plus 1e-9 for the scale 0.0001, which has no exact binary value.
    let tolerance = 5e-5 + 1e-9

    private func tmp() throws -> URL {
        let d = try TestData.temporaryDirectory("products-int16")
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    /// A Float32 index with NaN nodata, values over the index range including ±1 and 0.
    func indexRaster() -> Raster<Float> {
        var r = Oracles.continuous(width: 1100, height: 700)
        r[0, 0, 0] = -1; r[0, 1, 0] = 1; r[0, 2, 0] = 0.00005; r[0, 3, 0] = -0.00015; r[0, 4, 0] = 0
        return r
    }

    /// Writes the Float32 and int16 (DEFLATE and ZSTD) COGs of `indexRaster()`.
    func writeAll(_ dir: URL) throws -> (float: String, int16: [String]) {
        let r = indexRaster()
        let f = dir.appendingPathComponent("ndvi_f32.tif").path
        try CloudOptimizedGeoTIFF.writeIndex(r, to: f, dataType: .float32, provenance: provenance)
        var ints: [String] = []
        for codec in [CloudOptimizedGeoTIFF.Codec.deflate, .zstd] {
            let p = dir.appendingPathComponent("ndvi_i16_\(codec.rawValue).tif").path
            try CloudOptimizedGeoTIFF.writeIndex(r, to: p, dataType: .int16, provenance: provenance, codec: codec)
            ints.append(p)
        }
        return (f, ints)
    }

    func testInt16COGsPassGDALValidatorAndCarryScale() throws {
        let (_, ints) = try writeAll(try tmp())
        for p in ints {
            let ours = CloudOptimizedGeoTIFF.validate(path: p)
            XCTAssertTrue(ours.isValid, "\(p): \(ours.errors)")
            let gdal = try Oracles.gdalValidate(p)
            XCTAssertTrue(gdal.valid, gdal.output)
            let info = try Oracles.gdalinfo(p)
            let band = (info["bands"] as? [[String: Any]])?.first ?? [:]
            XCTAssertEqual(band["type"] as? String, "Int16")
            XCTAssertEqual(band["scale"] as? Double, 0.0001)
            XCTAssertEqual(band["offset"] as? Double, 0)
            XCTAssertEqual(band["noDataValue"] as? Double, -32768)
            XCTAssertEqual(((band["overviews"] as? [[String: Any]]) ?? []).map { ($0["size"] as? [Int]) ?? [] }, [[550, 350], [275, 175]])
            let md = ((info["metadata"] as? [String: Any])?["IMAGE_STRUCTURE"] as? [String: String]) ?? [:]
            XCTAssertEqual(md["COMPRESSION"], p.contains("zstd") ? "ZSTD" : "DEFLATE")
            XCTAssertEqual(md["PREDICTOR"], "2")
        }
    }

    /// The quantisation itself: nearest step, NaN → −32768, clamped to ±32767.
    func testQuantisation() {
        var r = Raster<Float>(width: 7, height: 1, bandCount: 1, bands: [BandInfo(description: "x", nodata: .nan)])
        for (i, v) in [Float.nan, 1, -1, 0.1234, -0.5678, 4, -4].enumerated() { r[0, i, 0] = v }
        let q = CloudOptimizedGeoTIFF.quantized(r)
        XCTAssertEqual(q.samples, [-32768, 10000, -10000, 1234, -5678, 32767, -32767])
        XCTAssertEqual(q.bands[0].scale, 0.0001)
        XCTAssertEqual(q.bands[0].nodata, -32768)
    }

    /// Python reading FLOAT and every INT16 file with `reader` ("gdal" or "rasterio"): prints the largest
    /// difference over pixels valid in both, and the number of pixels whose validity differs.
    static let compareScript = """
    import sys
    import numpy as np
    def gdal_read(p):
        from osgeo import gdal
        ds = gdal.Open(p); b = ds.GetRasterBand(1)
        a = b.ReadAsArray().astype(np.float64)
        nd = b.GetNoDataValue()
        mask = np.isnan(a) if nd is None or np.isnan(nd) else (a == nd)
        a = a * (b.GetScale() or 1.0) + (b.GetOffset() or 0.0)
        return np.where(mask, np.nan, a)
    def rasterio_read(p):
        try:
            import rioxarray
            return rioxarray.open_rasterio(p, mask_and_scale=True).values[0].astype(np.float64)
        except ImportError:
            import rasterio
            with rasterio.open(p) as s:
                m = s.read(1, masked=True).astype(np.float64)
                return (m * s.scales[0] + s.offsets[0]).filled(np.nan)
    read = gdal_read if sys.argv[1] == "gdal" else rasterio_read
    ref = read(sys.argv[2])
    for p in sys.argv[3:]:
        v = read(p)
        both = ~np.isnan(ref) & ~np.isnan(v)
        print(p, repr(float(np.max(np.abs(v[both] - ref[both])))), int(np.sum(np.isnan(ref) != np.isnan(v))), int(np.sum(both)))
    """

    func compare(reader: String, python: String) throws {
        let (f, ints) = try writeAll(try tmp())
        let r = try TestData.run(python, ["-c", Self.compareScript, reader, f] + ints)
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n")
        XCTAssertEqual(lines.count, ints.count, r.out + r.err)
        for line in lines {
            let parts = line.split(separator: " ")
            guard parts.count == 4, let maxDiff = Double(parts[1]), let maskDiff = Int(parts[2]), let valid = Int(parts[3]) else {
                XCTFail("unexpected output: \(line)"); continue
            }
            XCTAssertLessThanOrEqual(maxDiff, tolerance, "\(reader): \(line)")
            XCTAssertGreaterThan(maxDiff, 0, "\(reader): int16 cannot be lossless on this field: \(line)")
            XCTAssertEqual(maskDiff, 0, "\(reader): nodata masks differ: \(line)")
            XCTAssertGreaterThan(valid, 700_000, line.description)
        }
    }

    func testGDALReadsInt16WithinHalfStepOfFloat32() throws {
        guard let py = Self.python(importing: "from osgeo import gdal; import numpy") else {
            throw Skip.because("GDAL's Python bindings (python3-gdal) absent")
        }
        try compare(reader: "gdal", python: py)
    }

    func testRasterioMaskAndScaleReadsInt16WithinHalfStepOfFloat32() throws {
        guard let py = Self.python(importing: "import rasterio, numpy") else {
            throw Skip.because("rasterio absent (scripts/bench-peers.sh installs it into bench-work/venv; or set TILEPIPE_RASTERIO_PYTHON)")
        }
        try compare(reader: "rasterio", python: py)
    }

    /// A Python that can run `imports`: $TILEPIPE_RASTERIO_PYTHON, the benchmark venv, or the system python3.
    static func python(importing imports: String) -> String? {
        var candidates = [TestData.packageRoot.appendingPathComponent("bench-work/venv/bin/python").path, "/usr/bin/python3"]
        if let env = ProcessInfo.processInfo.environment["TILEPIPE_RASTERIO_PYTHON"] { candidates.insert(env, at: 0) }
        for py in candidates where FileManager.default.isExecutableFile(atPath: py) {
            if let r = try? TestData.run(py, ["-c", imports]), r.status == 0 { return py }
        }
        return nil
    }
}
