public import RasterCore

/// Class maps as `Raster<UInt8>` values ready for `GeoTIFFWriter` (colour table, nodata 0, class names).
public enum ClassRaster {
    /// A one-band UInt8 raster of `codes` with nodata 0, the classes' colour table, a band description and
    /// `CLASS_<code>=<name>` band metadata; `metadata` goes to the dataset (e.g. dates, job, thresholds).
    public static func make(codes: [UInt8], width: Int, height: Int, classes: [ClassDefinition], description: String,
                            geo: GeoReference?, metadata: [String: String] = [:]) -> Raster<UInt8> {
        var md: [String: String] = [:]
        for c in classes { md["CLASS_\(c.code)"] = c.name }
        let band = BandInfo(description: description, nodata: 0, metadata: md, colorTable: LandUse.colorTable(for: classes))
        return Raster(width: width, height: height, samples: codes, bands: [band], geo: geo, metadata: metadata)
    }
}

extension DisasterResult {
    /// The class raster as a `Raster<UInt8>` on grid `geo` (see `ClassRaster.make`), with the job, alert level
    /// and thresholds in the dataset metadata.
    public func raster(geo: GeoReference?) -> Raster<UInt8> {
        var md = ["JOB": job, "ALERT_LEVEL": alert.level.rawValue, "ALERT_RULE": alert.rule]
        for (k, v) in thresholds { md["THRESHOLD_\(k.uppercased())"] = String(v) }
        return ClassRaster.make(codes: classRaster, width: width, height: height, classes: classes, description: job, geo: geo, metadata: md)
    }
}

extension ClassificationResult {
    /// The land-use map as a `Raster<UInt8>` on grid `geo` with the scheme's classes.
    public func raster(scheme: ClassificationScheme, geo: GeoReference?) -> Raster<UInt8> {
        var md: [String: String] = [:]
        if let t = waterThreshold { md["WATER_THRESHOLD"] = String(t) }
        return ClassRaster.make(codes: classes, width: width, height: height, classes: scheme.classes, description: "land use", geo: geo, metadata: md)
    }
}
