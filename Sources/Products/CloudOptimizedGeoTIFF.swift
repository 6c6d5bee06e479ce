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
        let samples = raster.samples.withUnsafeBufferPointer { quantize($0, bands: raster.bands) }
        return Raster<Int16>(width: raster.width, height: raster.height, samples: samples,
                             bands: raster.bands.map { IndexDataType.int16.storedBand($0) }, geo: raster.geo, metadata: raster.metadata)
    }

    /// Band-sequential Float samples (equal planes, one per band of `bands`, whose nodata is "no value" besides NaN)
    /// quantised to `IndexDataType.int16`.
    static func quantize(_ src: UnsafeBufferPointer<Float>, bands: [BandInfo]) -> [Int16] {
        let plane = src.count / max(1, bands.count)
        return [Int16](unsafeUninitializedCapacity: src.count) { dst, n in
            for b in bands.indices {
                let nodata = bands[b].nodata.map { Float($0) }
                for i in (b * plane)..<((b + 1) * plane) {
                    let v = src[i]
                    if v.isNaN || v == nodata { dst[i] = IndexDataType.int16Nodata; continue }
                    let q = (Double(v) * 10_000).rounded()  // 1 / int16Scale, exactly
                    dst[i] = Int16(max(-32767, min(32767, q)))
                }
            }
            n = src.count
        }
    }

    /// The statistics of `raster` stored as int16 (what GDAL computes from the file), accumulated in the same
    /// 4096-sample chunks as `Raster.statistics(band:)` over the quantised band, without a quantised copy.
    static func quantizedStatistics(_ raster: Raster<Float>) -> [BandStatistics] {
        (0..<raster.bandCount).map { b in
            let band = [raster.bands[b]]
            return raster.withBand(b) { src in
                var acc = BandStatistics.Accumulator()
                var start = 0
                while start < src.count {
                    let end = min(start + 4096, src.count)
                    let q = quantize(UnsafeBufferPointer(rebasing: src[start..<end]), bands: band)
                    q.withUnsafeBufferPointer { acc.merge(BandStatistics.Accumulator(samples: $0, nodata: Double(IndexDataType.int16Nodata))) }
                    start = end
                }
                return acc.result
            }
        }
    }

    /// Writes an index plane (Float, NaN nodata) stored as `dataType`, as a COG (`cog: true`: overviews, statistics,
    /// provenance, like `write(_:to:kind:…)` with `.continuous`) or a plain tiled GeoTIFF. For int16 the overviews
    /// are averaged from the Float values and then quantised, and the statistics items are those of the stored
    /// integers (what GDAL computes); `statistics` (the caller's Float figures) are used for float32 only.
    /// Returns the statistics written into the file (none for a plain GeoTIFF). The same path as
    /// `COGIndexStreamWriter`, fed every block.
    @discardableResult
    public static func writeIndex(_ raster: Raster<Float>, to path: String, dataType: IndexDataType, cog: Bool = true,
                                  provenance: Provenance, codec: Codec = .deflate, tileSize: Int = 512,
                                  statistics: [BandStatistics]? = nil) throws -> [BandStatistics] {
        try writeIndexFile(raster, to: path, dataType: dataType, cog: cog, provenance: provenance, codec: codec,
                           tileSize: tileSize, statistics: statistics).statistics
    }

    /// `writeIndex`, returning the file's record too.
    public static func writeIndexFile(_ raster: Raster<Float>, to path: String, dataType: IndexDataType, cog: Bool = true,
                                      provenance: Provenance, codec: Codec = .deflate, tileSize: Int = 512,
                                      statistics: [BandStatistics]? = nil) throws -> WrittenCOG {
        switch dataType {
        case .float32:
            if cog {
                return try writeFile(raster, to: path, kind: .continuous, provenance: provenance, codec: codec, tileSize: tileSize,
                                     statistics: statistics)
            }
            let core = try ProductStreamCore<Float, Float>(path: path, width: raster.width, height: raster.height, bands: raster.bands,
                                                           geo: raster.geo, kind: .continuous, provenance: provenance, codec: codec,
                                                           tileSize: tileSize, cog: false, metadata: raster.metadata, store: nil,
                                                           blockStatistics: false)
            return try feed(raster, core, statistics: nil)
        case .int16:
            let core = try ProductStreamCore<Float, Int16>(path: path, width: raster.width, height: raster.height, bands: raster.bands,
                                                           geo: raster.geo, kind: .continuous, provenance: provenance, codec: codec,
                                                           tileSize: tileSize, cog: cog, metadata: raster.metadata, store: quantize,
                                                           storedBand: IndexDataType.int16.storedBand, blockStatistics: false)
            return try feed(raster, core, statistics: cog ? quantizedStatistics(raster) : nil)
        }
    }

    /// Every block of `raster` into `core`, row by row, then `finish` (the core is aborted on failure).
    static func feed<In, Out>(_ raster: Raster<In>, _ core: ProductStreamCore<In, Out>, statistics: [BandStatistics]?) throws -> WrittenCOG {
        do {
            for by in 0..<core.blocksDown {
                for bx in 0..<core.blocksAcross {
                    try raster.withTile(x: bx * core.tileSize, y: by * core.tileSize, tileSize: core.tileSize) {
                        try core.write(blockX: bx, blockY: by, samples: $0)
                    }
                }
            }
            return try core.finish(statistics: statistics)
        } catch {
            core.abort()
            throw error
        }
    }

    static func writerOptions(_ codec: Codec, tileSize: Int, photometric: GeoTIFFWriter.Photometric = .minIsBlack) -> GeoTIFFWriter.Options {
        var o = GeoTIFFWriter.Options(compression: codec == .zstd ? .zstd : .deflate, tileSize: tileSize)
        o.photometric = photometric
        return o
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
        try writeFile(raster, to: path, kind: kind, provenance: provenance, codec: codec, tileSize: tileSize, statistics: statistics).statistics
    }

    /// `write`, returning the file's record (size and hash computed while writing) and its sidecars too. The same
    /// path as `COGStreamWriter`, fed every block; statistics not given are computed over the whole raster.
    public static func writeFile<S: RasterSample>(_ raster: Raster<S>, to path: String, kind: Kind,
                                                  provenance: Provenance, codec: Codec = .deflate,
                                                  tileSize: Int = 512, statistics: [BandStatistics]? = nil) throws -> WrittenCOG {
        if let statistics, statistics.count != raster.bandCount {
            throw ProductsError.invalidInput(item: path, reason: "\(statistics.count) statistics for \(raster.bandCount) band(s)")
        }
        let core = try ProductStreamCore<S, S>(path: path, width: raster.width, height: raster.height, bands: raster.bands,
                                               geo: raster.geo, kind: kind, provenance: provenance, codec: codec, tileSize: tileSize,
                                               cog: true, metadata: raster.metadata, store: nil, blockStatistics: false)
        // Over the product's bands (a class map's defaulted nodata); `Raster.statistics` is specialised for Float.
        var product = raster
        product.bands = core.productBands
        let stats = statistics ?? (0..<product.bandCount).map { product.statistics(band: $0) }
        return try feed(raster, core, statistics: stats)
    }

    /// `BandStatistics.Accumulator(samples:nodata:)`, specialised for the product types (a generic caller would
    /// otherwise go through value witnesses per sample).
    @_specialize(where T == Float)
    @_specialize(where T == UInt8)
    @_specialize(where T == Int16)
    static func accumulate<T: RasterSample>(_ samples: UnsafeBufferPointer<T>, nodata: Double?) -> BandStatistics.Accumulator {
        BandStatistics.Accumulator(samples: samples, nodata: nodata)
    }

    /// The bands of a product: for class maps (one UInt8 band, or `ProductsError.invalidInput`) nodata defaulted
    /// from the ramp, the colour table, the description and the class names (`CLASS_NAMES`, `CLASS_<code>`).
    static func productBands(_ bands: [BandInfo], kind: Kind, sampleType: SampleType, path: String) throws -> [BandInfo] {
        guard let ramp = kind.classRamp else { return bands }
        guard sampleType == .uint8, bands.count == 1 else {
            throw ProductsError.invalidInput(item: path, reason: "a class map must be one UInt8 band, not \(bands.count) band(s) of \(sampleType)")
        }
        var info = bands[0]
        if info.nodata == nil { info.nodata = Double(ramp.nodataCode ?? 0) }
        info.colorTable = ramp.colorTable
        if info.description.isEmpty { info.description = ramp.name }
        let names = ramp.classNames
        info.metadata["CLASS_NAMES"] = names.map { "\($0.code):\($0.name)" }.joined(separator: ";")
        for n in names { info.metadata["CLASS_\(n.code)"] = n.name }
        return [info]
    }

    /// A product's dataset items: `metadata`, the provenance items, and `AREA_OR_POINT` for a georeferenced one.
    static func datasetMetadata(_ metadata: [String: String], geo: GeoReference?, provenance: Provenance) -> [String: String] {
        var m = metadata
        m.merge(provenance.metadataItems) { _, new in new }
        if geo != nil && m["AREA_OR_POINT"] == nil {
            m["AREA_OR_POINT"] = geo?.rasterType == .pixelIsPoint ? "Point" : "Area"
        }
        return m
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
