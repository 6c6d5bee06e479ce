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

    /// How index planes are stored (`outputs.cog.dtype`).
    ///
    /// - `float32`: the computed values, NaN nodata.
    /// - `int16`: round(value × 10000) clamped to ±32767, nodata −32768, with scale 0.0001 and offset 0 in the band
    ///   metadata (the convention of NASA's MODIS and HLS vegetation-index products), so GDAL, QGIS and rasterio
    ///   (`mask_and_scale`) read the value back within 5·10⁻⁵ (half a step). Half the bytes to encode and store;
    ///   values beyond ±3.2767 (only possible for unbounded indices such as EVI on odd pixels) are clamped.
    public enum IndexDataType: String, Sendable, Codable, CaseIterable {
        case float32, int16

        /// Physical value = stored × `int16Scale` for `int16`.
        public static let int16Scale = 0.0001
        /// The stored nodata of `int16`.
        public static let int16Nodata = Int16.min

        /// The sample type of the file.
        public var sampleType: SampleType { self == .int16 ? .int16 : .float32 }

        /// The band info a stored index carries: `info` for float32; scale 0.0001, offset 0, nodata −32768 for int16.
        public func storedBand(_ info: BandInfo) -> BandInfo {
            guard self == .int16 else { return info }
            var b = info
            b.nodata = Double(Self.int16Nodata)
            b.scale = Self.int16Scale
            b.offset = 0
            return b
        }
    }

    /// `raster` (Float, NaN or its nodata = no value) as `IndexDataType.int16`: round(v × 10000) clamped to ±32767,
    /// −32768 where there is no value, band info from `IndexDataType.storedBand`.
    public static func quantized(_ raster: Raster<Float>) -> Raster<Int16> {
        var out = Raster<Int16>(width: raster.width, height: raster.height, bandCount: raster.bandCount,
                                bands: raster.bands.map { IndexDataType.int16.storedBand($0) }, geo: raster.geo,
                                metadata: raster.metadata)
        for b in 0..<raster.bandCount {
            let nodata = raster.bands[b].nodata.map { Float($0) }
            raster.withBand(b) { src in
                out.withMutableBand(b) { dst in
                    for i in 0..<src.count {
                        let v = src[i]
                        if v.isNaN || v == nodata { dst[i] = IndexDataType.int16Nodata; continue }
                        let q = (Double(v) * 10_000).rounded()  // 1 / int16Scale, exactly
                        dst[i] = Int16(max(-32767, min(32767, q)))
                    }
                }
            }
        }
        return out
    }

    /// Writes an index plane (Float, NaN nodata) stored as `dataType`, as a COG (`cog: true`: overviews, statistics,
    /// provenance, like `write(_:to:kind:…)` with `.continuous`) or a plain tiled GeoTIFF. For int16 the overviews
    /// are averaged from the Float values and then quantised, and the statistics items are those of the stored
    /// integers (what GDAL computes); `statistics` (the caller's Float figures) are used for float32 only.
    /// Returns the statistics written into the file (none for a plain GeoTIFF).
    @discardableResult
    public static func writeIndex(_ raster: Raster<Float>, to path: String, dataType: IndexDataType, cog: Bool = true,
                                  provenance: Provenance, codec: Codec = .deflate, tileSize: Int = 512,
                                  statistics: [BandStatistics]? = nil) throws -> [BandStatistics] {
        switch (dataType, cog) {
        case (.float32, true):
            return try write(raster, to: path, kind: .continuous, provenance: provenance, codec: codec, tileSize: tileSize,
                             statistics: statistics)
        case (.float32, false):
            try GeoTIFFWriter.write(raster, to: path, options: writerOptions(codec, tileSize: tileSize))
            return []
        case (.int16, false):
            try GeoTIFFWriter.write(quantized(raster), to: path, options: writerOptions(codec, tileSize: tileSize))
            return []
        case (.int16, true):
            let (product, stats) = try prepared(quantized(raster), path: path, kind: .continuous, provenance: provenance, statistics: nil)
            let overviews = OverviewPyramid.levels(of: raster, resampling: .average, tileSize: tileSize).map(quantized)
            try GeoTIFFWriter.write(product, to: path, options: writerOptions(codec, tileSize: tileSize), overviews: overviews)
            return stats
        }
    }

    static func writerOptions(_ codec: Codec, tileSize: Int) -> GeoTIFFWriter.Options {
        GeoTIFFWriter.Options(compression: codec == .zstd ? .zstd : .deflate, tileSize: tileSize)
    }

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
        let (product, stats) = try prepared(raster, path: path, kind: kind, provenance: provenance, statistics: statistics)
        let resampling: OverviewPyramid.Resampling
        switch kind {
        case .continuous: resampling = .average
        case .classes: resampling = .mode
        case .classesNearest: resampling = .nearest
        }
        let overviews = OverviewPyramid.levels(of: product, resampling: resampling, tileSize: tileSize)
        try GeoTIFFWriter.write(product, to: path, options: writerOptions(codec, tileSize: tileSize), overviews: overviews)
        if let ramp = kind.classRamp { try GISSidecars.writeClassMap(ramp: ramp, besideRaster: path) }
        return stats
    }

    /// `raster` with the policy's band and dataset metadata (class names and colour table, statistics items,
    /// provenance, AREA_OR_POINT) and the statistics it carries.
    static func prepared<S: RasterSample>(_ raster: Raster<S>, path: String, kind: Kind, provenance: Provenance,
                                          statistics: [BandStatistics]?) throws -> (Raster<S>, [BandStatistics]) {
        guard raster.width > 0, raster.height > 0, raster.bandCount > 0 else {
            throw ProductsError.invalidInput(item: path, reason: "empty raster \(raster.width)x\(raster.height)x\(raster.bandCount)")
        }
        if let statistics, statistics.count != raster.bandCount {
            throw ProductsError.invalidInput(item: path, reason: "\(statistics.count) statistics for \(raster.bandCount) band(s)")
        }
        var product = raster
        switch kind {
        case .continuous:
            break
        case .classes(let ramp), .classesNearest(let ramp):
            guard S.sampleType == .uint8, raster.bandCount == 1 else {
                throw ProductsError.invalidInput(item: path, reason: "a class map must be one UInt8 band, not \(raster.bandCount) band(s) of \(S.sampleType)")
            }
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
        return (product, stats)
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
