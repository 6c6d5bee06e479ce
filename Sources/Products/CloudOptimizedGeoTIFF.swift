import Foundation
public import RasterCore
import RasterIO

/// The COG policy for every raster product: what overviews, codec, metadata and statistics a product file
/// carries. Layout (IFDs first, data smallest overview first, 512 tiles) is `GeoTIFFWriter`'s job.
///
/// - Continuous products (indices, reflectance): overviews by nodata-aware 2×2 average.
/// - Class maps: UInt8, one band, overviews by mode (ties → smallest code), colour table and class names
///   (`CLASS_NAMES` = `code:name;…` plus one `CLASS_<code>` item per class) in the band metadata, nodata 0 by default.
///
/// Every band gets `STATISTICS_MINIMUM`, `_MAXIMUM`, `_MEAN`, `_STDDEV` (population) and `_VALID_PERCENT`
/// items, computed over the full-resolution valid samples, so `gdalinfo -stats` reports them without a scan.
public enum CloudOptimizedGeoTIFF {
    /// What a product holds, which decides overview resampling and metadata.
    public enum Kind: Sendable, Equatable {
        /// Measured or derived values: overviews by nodata-aware average.
        case continuous
        /// Class codes of a categorical ramp (its `classNames` and `colorTable` are written): overviews by mode.
        case classes(ColorRamp)
        /// Class codes, overviews by nearest (top-left valid sample) instead of mode.
        case classesNearest(ColorRamp)
    }

    /// Codec choices for products (both lossless, with predictor 2 for integers and 3 for floats).
    public enum Codec: String, Sendable, Codable { case deflate, zstd }

    /// Writes `raster` as a Cloud-Optimized GeoTIFF at `path` (atomically) and returns the statistics written.
    /// `statistics` (one per band) are the caller's figures for the same samples, when it already made the pass;
    /// they are computed here otherwise.
    ///
    /// Throws `ProductsError.invalidInput` when a class map is not single-band UInt8, and the
    /// `RasterIOError` of the writer when the file cannot be written.
    @discardableResult
    public static func write<S: RasterSample>(_ raster: Raster<S>, to path: String, kind: Kind,
                                              provenance: Provenance, codec: Codec = .deflate,
                                              tileSize: Int = 512, statistics: [BandStatistics]? = nil) throws -> [BandStatistics] {
        guard raster.width > 0, raster.height > 0, raster.bandCount > 0 else {
            throw ProductsError.invalidInput(item: path, reason: "empty raster \(raster.width)x\(raster.height)x\(raster.bandCount)")
        }
        if let statistics, statistics.count != raster.bandCount {
            throw ProductsError.invalidInput(item: path, reason: "\(statistics.count) statistics for \(raster.bandCount) band(s)")
        }
        var product = raster
        let resampling: OverviewPyramid.Resampling
        switch kind {
        case .continuous:
            resampling = .average
        case .classes(let ramp), .classesNearest(let ramp):
            guard S.sampleType == .uint8, raster.bandCount == 1 else {
                throw ProductsError.invalidInput(item: path, reason: "a class map must be one UInt8 band, not \(raster.bandCount) band(s) of \(S.sampleType)")
            }
            if case .classesNearest = kind { resampling = .nearest } else { resampling = .mode }
            var info = product.bands[0]
            if info.nodata == nil { info.nodata = Double(ramp.nodataCode ?? 0) }
            info.colorTable = ramp.colorTable
            if info.description.isEmpty { info.description = ramp.name }
            let names = ramp.classNames
            info.metadata["CLASS_NAMES"] = names.map { "\($0.code):\($0.name)" }.joined(separator: ";")
            for n in names { info.metadata["CLASS_\(n.code)"] = n.name }
            product.bands[0] = info
        }
        var stats: [BandStatistics] = []
        for b in 0..<product.bandCount {
            let s = statistics?[b] ?? product.statistics(band: b)
            stats.append(s)
            product.bands[b].metadata.merge(statisticsItems(s)) { _, new in new }
        }
        product.metadata.merge(provenance.metadataItems) { _, new in new }
        if product.geo != nil && product.metadata["AREA_OR_POINT"] == nil {
            product.metadata["AREA_OR_POINT"] = product.geo?.rasterType == .pixelIsPoint ? "Point" : "Area"
        }
        let overviews = OverviewPyramid.levels(of: product, resampling: resampling, tileSize: tileSize)
        let options = GeoTIFFWriter.Options(compression: codec == .zstd ? .zstd : .deflate, tileSize: tileSize)
        try GeoTIFFWriter.write(product, to: path, options: options, overviews: overviews)
        if let ramp = kind.classRamp { try GISSidecars.writeClassMap(ramp: ramp, besideRaster: path) }
        return stats
    }

    /// Writes a type-erased raster (what a reader returned) with the same policy.
    @discardableResult
    public static func write(_ raster: AnyRaster, to path: String, kind: Kind, provenance: Provenance,
                             codec: Codec = .deflate, tileSize: Int = 512) throws -> [BandStatistics] {
        func open<R: TypedRaster>(_ r: R) throws -> [BandStatistics] {
            try write(r.raster, to: path, kind: kind, provenance: provenance, codec: codec, tileSize: tileSize)
        }
        return try open(raster.typed)
    }

    /// GDAL's statistics items for one band (`STATISTICS_VALID_PERCENT` in percent). No items when
    /// there is no valid sample (GDAL would otherwise report a bogus 0..0 range).
    public static func statisticsItems(_ s: BandStatistics) -> [String: String] {
        guard s.validCount > 0 else { return ["STATISTICS_VALID_PERCENT": "0"] }
        return ["STATISTICS_MINIMUM": number(s.minimum), "STATISTICS_MAXIMUM": number(s.maximum),
                "STATISTICS_MEAN": number(s.mean), "STATISTICS_STDDEV": number(s.standardDeviation),
                "STATISTICS_VALID_PERCENT": number(s.validPercent)]
    }

    /// Checks the file at `path` against the rules of GDAL's `validate_cloud_optimized_geotiff.py`.
    public static func validate(path: String) -> COGValidation { COGValidator.validate(path: path) }

    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
