public import RasterCore
internal import CShims
internal import CTIFF
#if canImport(Glibc)
import Glibc
#endif

/// Writes tiled GeoTIFFs through libtiff, in Cloud-Optimized order: every IFD (full resolution
/// first, then the overviews) before any tile data, strile arrays right after the IFDs, tile data
/// smallest overview first (the sequence of swift-notes.md §7, which GDAL's validator accepts).
///
/// Georeferencing, nodata, band descriptions, scale/offset, units, metadata and colour tables are written
/// so that GDAL reads them back identically. The file appears under its final name only when complete.
public enum GeoTIFFWriter {
    /// Compression codecs the writer offers.
    public enum Compression: String, Sendable, Codable, CaseIterable {
        case none, deflate, zstd, lzw

        var code: UInt16 {
            switch self {
            case .none: UInt16(COMPRESSION_NONE)
            case .deflate: UInt16(COMPRESSION_ADOBE_DEFLATE)
            case .zstd: UInt16(COMPRESSION_ZSTD)
            case .lzw: UInt16(COMPRESSION_LZW)
            }
        }
    }

    /// Write options.
    public struct Options: Sendable, Equatable {
        /// Codec (default DEFLATE).
        public var compression: Compression
        /// Codec level; nil = the fast default (`defaultLevel(for:)`: DEFLATE 1, ZSTD 1). DEFLATE 1–9 (libdeflate up
        /// to 12), ZSTD 1–22.
        public var level: Int?
        /// Predictor: nil = automatic (2 for integers, 3 for floats when compressed).
        public var predictor: Int?
        /// Tile side in pixels (a multiple of 16; default 512).
        public var tileSize: Int
        /// Force BigTIFF; otherwise chosen when the uncompressed size passes 4 GiB.
        public var bigTIFF: Bool?

        /// The level used when `level` is nil: 1 for DEFLATE and ZSTD, nil (codec has none) otherwise.
        ///
        /// Measured on noisy Float32 index tiles with predictor 3 (docs/performance.md): libdeflate level 1 encodes
        /// ≈ 1.6× faster than libtiff's default level 6 for a file 0.6 % larger; ZSTD 1 ≈ 1.3× faster than libtiff's
        /// default 9 for 1 % larger. Encoding is a pipeline's second-largest cost after decoding, so speed wins.
        public static func defaultLevel(for compression: Compression) -> Int? {
            switch compression {
            case .deflate, .zstd: 1
            case .none, .lzw: nil
            }
        }

        /// Options with defaults (DEFLATE, automatic predictor, 512 tiles).
        public init(compression: Compression = .deflate, level: Int? = nil, predictor: Int? = nil, tileSize: Int = 512,
                    bigTIFF: Bool? = nil) {
            self.compression = compression
            self.level = level
            self.predictor = predictor
            self.tileSize = tileSize
            self.bigTIFF = bigTIFF
        }
    }

    /// Writes `raster` to `path`, with optional overviews (each half the size of the previous level,
    /// same band count and info) written as reduced-resolution IFDs.
    public static func write<S: RasterSample>(_ raster: Raster<S>, to path: String, options: Options = Options(),
                                              overviews: [Raster<S>] = []) throws {
        guard raster.width > 0, raster.height > 0, raster.bandCount > 0 else {
            throw RasterIOError.invalidRequest(path: path, reason: "cannot write an empty raster (\(raster.width)x\(raster.height)x\(raster.bandCount))")
        }
        guard [.uint8, .int8, .uint16, .int16, .uint32, .int32, .float32, .float64].contains(S.sampleType) else {
            throw RasterIOError.unsupported(path: path, reason: "cannot write \(S.sampleType)")
        }
        guard options.tileSize >= 16, options.tileSize % 16 == 0 else {
            throw RasterIOError.invalidRequest(path: path, reason: "tile size \(options.tileSize) is not a positive multiple of 16")
        }
        guard rs_tiff_codec_configured(options.compression.code) == 1 else {
            throw RasterIOError.unsupported(path: path, reason: "compression \(options.compression.rawValue) is not available in this libtiff")
        }
        let levels = [raster] + overviews
        let raw = levels.reduce(0) { $0 + $1.samples.count * S.sampleType.byteWidth }
        let big = options.bigTIFF ?? (raw > Int(UInt32.max) - (64 << 20))
        try AtomicFile.write(to: path) { tmp in
            try writeLevels(levels, tmp: tmp, finalPath: path, options: options, bigTIFF: big)
        }
    }

    private static func writeLevels<S: RasterSample>(_ levels: [Raster<S>], tmp: String, finalPath: String,
                                                     options: Options, bigTIFF: Bool) throws {
        let h: TIFFHandle
        do { h = try TIFFHandle(path: tmp, mode: bigTIFF ? "w8" : "w", maxAlloc: 0) } catch {
            throw RasterIOError.io(path: finalPath, reason: "cannot create temporary file: \((error as? RasterIOError)?.reason ?? "\(error)")")
        }
        let main = levels[0]
        let type = S.sampleType
        let tile = options.tileSize
        let predictor = options.predictor ?? (options.compression == .none ? 1 : type.isFloatingPoint ? 3 : 2)
        let spp = main.bandCount
        let metadataXML = metadataDocument(for: main)
        let nodataText = main.bands.first?.nodata.map(formatNodata)
        // libtiff's write messages ("Write error at scanline 0") omit the cause: add errno's text when the
        // storage failed (a full disk must say so).
        let fail: (String) -> RasterIOError = { what in
            let e = errno
            let base = h.lastError(or: what)
            let storage: Set<Int32> = [ENOSPC, EDQUOT, EFBIG, EIO, EROFS]
            return RasterIOError.io(path: finalPath, reason: storage.contains(e) ? "\(base): \(String(cString: strerror(e)))" : base)
        }

        // 1–2. Every IFD, full resolution first, tags all set before the first TIFFWriteDirectory.
        for (l, level) in levels.enumerated() {
            if l > 0 { try h.set(UInt32(TIFFTAG_SUBFILETYPE), u32: UInt32(FILETYPE_REDUCEDIMAGE)) }
            try h.set(UInt32(TIFFTAG_IMAGEWIDTH), u32: UInt32(level.width))
            try h.set(UInt32(TIFFTAG_IMAGELENGTH), u32: UInt32(level.height))
            try h.set(UInt32(TIFFTAG_TILEWIDTH), u32: UInt32(tile))
            try h.set(UInt32(TIFFTAG_TILELENGTH), u32: UInt32(tile))
            try h.set(UInt32(TIFFTAG_BITSPERSAMPLE), u16: UInt16(type.byteWidth * 8))
            try h.set(UInt32(TIFFTAG_SAMPLESPERPIXEL), u16: UInt16(spp))
            try h.set(UInt32(TIFFTAG_SAMPLEFORMAT), u16: UInt16(type.isFloatingPoint ? SAMPLEFORMAT_IEEEFP
                                                               : type.isSignedInteger ? SAMPLEFORMAT_INT : SAMPLEFORMAT_UINT))
            try h.set(UInt32(TIFFTAG_PLANARCONFIG), u16: UInt16(PLANARCONFIG_CONTIG))
            let palette = S.sampleType == .uint8 && spp == 1 ? main.bands[0].colorTable : nil
            try h.set(UInt32(TIFFTAG_PHOTOMETRIC), u16: UInt16(palette != nil ? PHOTOMETRIC_PALETTE : PHOTOMETRIC_MINISBLACK))
            if let palette {
                var r = [UInt16](repeating: 0, count: 256), g = r, b = r
                for (i, c) in palette.entries.prefix(256).enumerated() {
                    r[i] = UInt16(c.r) * 257; g[i] = UInt16(c.g) * 257; b[i] = UInt16(c.b) * 257
                }
                guard rs_tiff_set_colormap(h.tif, r, g, b) == 1 else { throw fail("cannot set the colour table") }
            }
            if spp > 1 {
                let extra = [UInt16](repeating: UInt16(EXTRASAMPLE_UNSPECIFIED), count: spp - 1)
                guard rs_tiff_set_extrasamples(h.tif, UInt16(spp - 1), extra) == 1 else { throw fail("cannot set ExtraSamples") }
            }
            try h.set(UInt32(TIFFTAG_COMPRESSION), u16: options.compression.code)
            if options.compression != .none { try h.set(UInt32(TIFFTAG_PREDICTOR), u16: UInt16(predictor)) }
            if let nodataText { try h.set(42113, ascii: nodataText) }
            if l == 0 {
                if let geo = main.geo { try writeGeoTags(geo, h) }
                if let metadataXML { try h.set(42112, ascii: metadataXML) }
            }
            guard TIFFDeferStrileArrayWriting(h.tif) == 1, TIFFWriteCheck(h.tif, 1, "GeoTIFFWriter") == 1,
                  TIFFWriteDirectory(h.tif) == 1 else { throw fail("cannot write IFD \(l)") }
        }
        // 3. Reserve the strile arrays right after the IFDs.
        for l in levels.indices {
            guard TIFFSetDirectory(h.tif, tdir_t(l)) == 1, TIFFForceStrileArrayWriting(h.tif) == 1 else {
                throw fail("cannot reserve tile arrays of IFD \(l)")
            }
        }
        // 4. Tile data, smallest overview first; tiles row-major; edge tiles padded with nodata (or zero).
        let pad = S(clampingDouble: main.bands[0].nodata.map { $0.isNaN && !type.isFloatingPoint ? 0 : $0 } ?? 0)
        var buffer = [S](repeating: pad, count: tile * tile * spp)
        for l in levels.indices.reversed() {
            let level = levels[l]
            guard TIFFSetDirectory(h.tif, tdir_t(l)) == 1 else { throw fail("cannot select IFD \(l)") }
            // The codec level is a pseudo-tag of the codec state, which re-reading the IFD resets: set it here,
            // right before the tiles are encoded (set with the other tags, it was silently lost).
            try setCodecLevel(options, h)
            let n = level.pixelCount
            for ty in stride(from: 0, to: level.height, by: tile) {
                for tx in stride(from: 0, to: level.width, by: tile) {
                    let cw = min(tile, level.width - tx), ch = min(tile, level.height - ty)
                    level.samples.withUnsafeBufferPointer { src in
                        buffer.withUnsafeMutableBufferPointer { dst in
                            if cw < tile || ch < tile { dst.update(repeating: pad) }
                            if spp == 1 {
                                // Whole rows as raw bytes: this generic function is not specialised, so an element
                                // loop would call a value witness per sample.
                                let rowBytes = cw * MemoryLayout<S>.stride
                                let srcRaw = UnsafeRawPointer(src.baseAddress!), dstRaw = UnsafeMutableRawPointer(dst.baseAddress!)
                                for y in 0..<ch {
                                    let s = (ty + y) * level.width + tx
                                    let d = y * tile
                                    (dstRaw + d * MemoryLayout<S>.stride).copyMemory(from: srcRaw + s * MemoryLayout<S>.stride, byteCount: rowBytes)
                                }
                            } else {
                                for y in 0..<ch {
                                    let rowBase = (ty + y) * level.width + tx
                                    for b in 0..<spp {
                                        let s = b * n + rowBase
                                        var d = y * tile * spp + b
                                        for x in 0..<cw { dst[d] = src[s + x]; d += spp }
                                    }
                                }
                            }
                        }
                    }
                    let idx = TIFFComputeTile(h.tif, UInt32(tx), UInt32(ty), 0, 0)
                    let written = buffer.withUnsafeMutableBytes {
                        TIFFWriteEncodedTile(h.tif, idx, $0.baseAddress, tmsize_t($0.count))
                    }
                    if written < 0 { throw fail("cannot write tile (\(tx), \(ty)) of IFD \(l) (disk full?)") }
                }
            }
            guard TIFFForceStrileArrayWriting(h.tif) == 1 else { throw fail("cannot write the tile arrays of IFD \(l)") }
        }
        if h.errorCount > 0 { throw fail("libtiff reported an error while writing") }
        guard TIFFFlush(h.tif) == 1 else { throw fail("flush failed (disk full?)") }
    }

    /// Sets ZIPQUALITY / ZSTD_LEVEL of the current IFD's codec to `options.level` or the fast default.
    private static func setCodecLevel(_ options: Options, _ h: TIFFHandle) throws {
        guard let lv = options.level ?? Options.defaultLevel(for: options.compression) else { return }
        switch options.compression {
        case .deflate: try h.set(UInt32(TIFFTAG_ZIPQUALITY), int: Int32(lv))
        case .zstd: try h.set(UInt32(TIFFTAG_ZSTD_LEVEL), int: Int32(lv))
        case .none, .lzw: break
        }
    }

    private static func writeGeoTags(_ geo: GeoReference, _ h: TIFFHandle) throws {
        var t = geo.transform
        if geo.rasterType == .pixelIsPoint {
            let (x, y) = t.apply(column: 0.5, row: 0.5)
            t.coefficients[0] = x; t.coefficients[3] = y
        }
        // As GDAL writes it: PixelScale + Tiepoint only for north-up grids with rows going south (pixelHeight < 0);
        // rotated or south-up grids (pixelHeight > 0) go in ModelTransformation, since GDAL reads a negative
        // ScaleY as if it were positive.
        if t.isNorthUp && t.pixelHeight < 0 {
            try h.set(33550, doubles: [t.pixelWidth, -t.pixelHeight, 0])
            try h.set(33922, doubles: [0, 0, 0, t.originX, t.originY, 0])
        } else {
            try h.set(34264, doubles: [t.pixelWidth, t.rowRotation, 0, t.originX,
                                       t.columnRotation, t.pixelHeight, 0, t.originY,
                                       0, 0, 0, 0, 0, 0, 0, 1])
        }
        guard let crs = geo.crs else { return }
        var dir = crs.directory
        if dir.entries.isEmpty, let epsg = crs.epsg { dir = .forEPSG(epsg) }
        // The raster type key follows the GeoReference, whatever the original keys said.
        let rt: UInt16 = geo.rasterType == .pixelIsPoint ? 2 : 1
        dir.entries.removeAll { $0.id == GeoKeyDirectory.Key.rasterType }
        dir.entries.append((GeoKeyDirectory.Key.rasterType, .short(rt)))
        let tags = dir.encodedTags
        try h.set(34735, shorts: tags.keys)
        if !tags.doubles.isEmpty { try h.set(34736, doubles: tags.doubles) }
        if !tags.ascii.isEmpty { try h.set(34737, ascii: tags.ascii) }
    }

    /// The GDAL_METADATA document for a raster: dataset items, band descriptions, scale/offset, units, band items.
    static func metadataDocument<S>(for r: Raster<S>) -> String? {
        var md = GDALMetadata()
        md.dataset = r.metadata
        for (b, info) in r.bands.enumerated() {
            var items = info.metadata
            if !info.description.isEmpty { items["DESCRIPTION"] = info.description }
            if info.scale != 1 || info.offset != 0 {
                items["SCALE"] = formatNumber(info.scale)
                items["OFFSET"] = formatNumber(info.offset)
            }
            if !info.unit.isEmpty { items["UNITTYPE"] = info.unit }
            if !items.isEmpty { md.bands[b] = items }
        }
        return md.xml
    }

    /// Nodata as GDAL writes it: `nan`, `inf`, `-inf`, or the shortest exact decimal.
    static func formatNodata(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return formatNumber(v)
    }

    /// Shortest round-tripping decimal, without a trailing `.0` for integers.
    static func formatNumber(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
