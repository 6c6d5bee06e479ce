import Foundation

/// GDAL as an external oracle for tests: what python3-gdal reads from a file (CRS, geotransform, nodata,
/// types, descriptions, metadata, statistics) and its pixels as raw band-sequential bytes.
/// Tests skip when `available` is false.
public enum GDALOracle {
    /// True when `gdalinfo` and python3 with `osgeo.gdal` and numpy are installed.
    public static var available: Bool { python != nil }

    /// A Python interpreter that imports `osgeo.gdal` and numpy: Debian's `/usr/bin/python3` first (python3-gdal
    /// installs there, while a pyenv `python3` on PATH may lack it), then `python3` on PATH; nil when none does.
    public static let python: String? = {
        guard TestData.hasTool("gdalinfo") else { return nil }
        for candidate in ["/usr/bin/python3", "python3"] {
            if (try? TestData.run(candidate, ["-c", "from osgeo import gdal; import numpy"]).status) == 0 { return candidate }
        }
        return nil
    }()

    /// What GDAL reports about one file.
    public struct Report: Sendable {
        public var width: Int, height: Int, bandCount: Int
        /// GDAL data type names per band (`Byte`, `Int16`, ...).
        public var dataTypes: [String]
        /// EPSG code GDAL identifies, or nil.
        public var epsg: Int?
        /// PROJ string of the CRS, or nil.
        public var proj4: String?
        /// The geotransform, or nil when the file has none.
        public var geoTransform: [Double]?
        /// Nodata per band (NaN for `nan`), nil when unset.
        public var nodata: [Double?]
        public var descriptions: [String]
        public var scales: [Double], offsets: [Double], units: [String]
        /// Default-domain band metadata.
        public var bandMetadata: [[String: String]]
        /// Default-domain dataset metadata.
        public var metadata: [String: String]
        /// Colour table entries of band 1 (RGBA), when present.
        public var colorTable: [[Int]]?
        /// GDAL's raw pixel bytes, band-sequential, native byte order (Float64 samples when read `asFloat64`).
        public var pixels: Data
        /// AREA_OR_POINT.
        public var areaOrPoint: String?
    }

    /// Reads `path` with python3-gdal. Throws when GDAL cannot open it.
    public static func read(_ path: String, asFloat64: Bool = false) throws -> Report {
        let dir = try TestData.temporaryDirectory("gdal-oracle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = dir.appendingPathComponent("pixels.bin").path
        let script = """
        import sys, json, math
        from osgeo import gdal, osr
        gdal.UseExceptions()
        ds = gdal.Open(sys.argv[1])
        out = {"width": ds.RasterXSize, "height": ds.RasterYSize, "bandCount": ds.RasterCount}
        wkt = ds.GetProjection()
        out["epsg"] = None; out["proj4"] = None
        if wkt:
            sr = osr.SpatialReference(wkt=wkt); sr.AutoIdentifyEPSG()
            code = sr.GetAuthorityCode(None)
            out["epsg"] = int(code) if code else None
            out["proj4"] = sr.ExportToProj4()
        gt = ds.GetGeoTransform(can_return_null=True)
        out["geoTransform"] = [repr(float(x)) for x in gt] if gt else None
        bs = [ds.GetRasterBand(i + 1) for i in range(ds.RasterCount)]
        def nd(v):
            # repr strings: exact, and JSON has no NaN or infinity
            return None if v is None else repr(float(v))
        out["nodata"] = [nd(b.GetNoDataValue()) for b in bs]
        out["dataTypes"] = [gdal.GetDataTypeName(b.DataType) for b in bs]
        out["descriptions"] = [b.GetDescription() for b in bs]
        out["scales"] = [repr(float(b.GetScale())) if b.GetScale() is not None else "1.0" for b in bs]
        out["offsets"] = [repr(float(b.GetOffset())) if b.GetOffset() is not None else "0.0" for b in bs]
        out["units"] = [b.GetUnitType() or "" for b in bs]
        out["bandMetadata"] = [b.GetMetadata() or {} for b in bs]
        out["metadata"] = {k: v for k, v in (ds.GetMetadata() or {}).items()}
        out["areaOrPoint"] = ds.GetMetadataItem("AREA_OR_POINT")
        ct = bs[0].GetColorTable()
        out["colorTable"] = [list(ct.GetColorEntry(i)) for i in range(ct.GetCount())] if ct else None
        with open(sys.argv[2], "wb") as f:
            for b in bs: f.write(b.ReadAsArray().astype('float64' if sys.argv[3] == '1' else b.ReadAsArray().dtype).tobytes())
        print(json.dumps(out, allow_nan=False))
        """
        guard let python else { throw OracleError.failed("no Python with osgeo.gdal") }
        let r = try TestData.run(python, ["-c", script, path, raw, asFloat64 ? "1" : "0"])
        guard r.status == 0, let data = r.out.data(using: .utf8),
              let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw OracleError.failed("GDAL could not read \(path): \(r.err.suffix(400))")
        }
        func num(_ v: Any?) -> Double? {
            if let s = v as? String { return s == "nan" ? .nan : s == "inf" ? .infinity : s == "-inf" ? -.infinity : Double(s) }
            return (v as? NSNumber)?.doubleValue
        }
        let n = o["bandCount"] as! Int
        let md = o["metadata"] as? [String: String] ?? [:]
        return Report(
            width: o["width"] as! Int, height: o["height"] as! Int, bandCount: n,
            dataTypes: o["dataTypes"] as! [String], epsg: o["epsg"] as? Int, proj4: o["proj4"] as? String,
            geoTransform: (o["geoTransform"] as? [String])?.map { num($0) ?? .nan },
            nodata: (o["nodata"] as! [Any]).map { $0 is NSNull ? nil : num($0) },
            descriptions: o["descriptions"] as! [String],
            scales: (o["scales"] as! [String]).map { num($0) ?? .nan }, offsets: (o["offsets"] as! [String]).map { num($0) ?? .nan },
            units: o["units"] as! [String], bandMetadata: o["bandMetadata"] as! [[String: String]],
            metadata: md.filter { $0.key != "AREA_OR_POINT" },
            colorTable: o["colorTable"] as? [[Int]],
            pixels: try Data(contentsOf: URL(fileURLWithPath: raw)), areaOrPoint: o["areaOrPoint"] as? String)
    }

    /// GDAL's statistics per band (minimum, maximum, mean, stdDev, validPercent), computed afresh with
    /// `ComputeStatistics(approx_ok=False)` (what `gdalinfo -stats` computes when no statistics are stored;
    /// some files, like rasterio's RGB.byte.tif, carry stale stored ones) on a copy in a temporary folder,
    /// so that nothing lands beside the original.
    public static func statistics(_ path: String) throws -> [[String: Double]] {
        guard let python else { throw OracleError.failed("no Python with osgeo.gdal") }
        let dir = try TestData.temporaryDirectory("gdal-stats")
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let script = """
        import sys, json
        from osgeo import gdal
        gdal.UseExceptions()
        gdal.SetConfigOption('GDAL_PAM_ENABLED', 'NO')
        ds = gdal.Open(sys.argv[1])
        out = []
        for i in range(ds.RasterCount):
            b = ds.GetRasterBand(i + 1)
            mn, mx, mean, sd = b.ComputeStatistics(False)
            vp = b.GetMetadataItem('STATISTICS_VALID_PERCENT')
            d = {"minimum": mn, "maximum": mx, "mean": mean, "stdDev": sd}
            if vp is not None: d["validPercent"] = float(vp)
            out.append(d)
        print(json.dumps(out))
        """
        let r = try TestData.run(python, ["-c", script, copy])
        guard r.status == 0, let o = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Double]] else {
            throw OracleError.failed("GDAL statistics failed on \(path): \(r.err.suffix(400))")
        }
        return o
    }

    /// GDAL's version number as an integer (3060200 for 3.6.2), or 0 when unknown.
    public static let versionNumber: Int = {
        guard let python, let r = try? TestData.run(python, ["-c", "from osgeo import gdal; print(gdal.VersionInfo('VERSION_NUM'))"]) else { return 0 }
        return Int(r.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }()

    /// Failure of the oracle itself.
    public enum OracleError: Error { case failed(String) }
}
