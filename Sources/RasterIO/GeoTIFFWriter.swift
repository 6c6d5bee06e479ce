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
/// Tiles are compressed by libtiff on per-thread encoders and the file is assembled by `GeoTIFFTileWriter`, which
/// streamed writers use directly; `write` is that writer fed every tile of every level.
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

    /// The TIFF photometric interpretation of a file.
    public enum Photometric: Sendable, Equatable {
        /// Bands are data (band 1 grey, the rest extra samples); palette when band 1 has a colour table.
        case minIsBlack
        /// Bands 1–3 are red, green and blue (UInt8, 3 bands or more; the rest extra samples): GDAL reports
        /// colour interpretation Red/Green/Blue.
        case rgb
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
        /// How readers interpret the samples (`minIsBlack`: bands as data; `rgb`: a UInt8 picture of 3+ bands).
        public var photometric: Photometric = .minIsBlack

        /// The level used when `level` is nil: 1 for DEFLATE and ZSTD, nil (codec has none) otherwise.
        ///
        /// Measured on noisy Float32 index tiles with predictor 3 (docs/performance.md): libdeflate level 1 encodes
        /// ≈ 1.6× faster than libtiff's default level 6 for a file 0.6 % larger; ZSTD 1 ≈ 1.3× faster than libtiff's
        /// default 9 for 1 % larger. Encoding is a pipeline's second-largest cost after decoding, so speed wins.
        /// DEFLATE level 1 with predictor 3 (floats) is compressed by TilePipe's run-length encoder
        /// (`rle_deflate.c`): ≈ 3× libdeflate level 1's speed on those tiles for ≈ 1 % more bytes.
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
    /// same band count and info) written as reduced-resolution IFDs. The same path as a streamed write: every tile
    /// of every level goes through a `GeoTIFFTileWriter`. Returns the file's size and hash (computed while writing).
    @discardableResult
    public static func write<S: RasterSample>(_ raster: Raster<S>, to path: String, options: Options = Options(),
                                              overviews: [Raster<S>] = []) throws -> WrittenFile {
        guard raster.width > 0, raster.height > 0, raster.bandCount > 0 else {
            throw RasterIOError.invalidRequest(path: path, reason: "cannot write an empty raster (\(raster.width)x\(raster.height)x\(raster.bandCount))")
        }
        let levels = [raster] + overviews
        let writer = try GeoTIFFTileWriter<S>(path: path, levels: levels.map { ($0.width, $0.height) }, bandCount: raster.bandCount,
                                              nodata: raster.bands[0].nodata, options: options)
        do {
            for (l, level) in levels.enumerated() {
                let grid = writer.tileGrid(level: l)
                for ty in 0..<grid.down {
                    for tx in 0..<grid.across {
                        try level.withTile(x: tx * options.tileSize, y: ty * options.tileSize, tileSize: options.tileSize) {
                            try writer.writeTile(level: l, tileX: tx, tileY: ty, samples: $0)
                        }
                    }
                }
            }
            return try writer.finish(bands: raster.bands, geo: raster.geo, metadata: raster.metadata)
        } catch {
            writer.abort()
            throw error
        }
    }

    /// Lays out a whole file in `file` with libtiff, in Cloud-Optimized order: every IFD (full resolution first)
    /// with all its tags set before the first `TIFFWriteDirectory`, the strile arrays reserved right after the
    /// IFDs, then the tiles, smallest level first and row-major in each, appended raw (`tileLength(level, index)`
    /// bytes each, recorded as placements keyed `firstKey[level] + index`, their bytes supplied when emitted).
    static func layOut(into file: VirtualTIFFFile, path: String, levels: [(width: Int, height: Int)], type: SampleType,
                       bands: [BandInfo], geo: GeoReference?, metadata: [String: String], options: Options, bigTIFF: Bool,
                       tileLength: (Int, Int) throws -> Int, firstKey: [Int]) throws {
        let h = try file.open(name: path, mode: bigTIFF ? "w8" : "w")
        let tile = options.tileSize
        let spp = bands.count
        let metadataXML = metadataDocument(bands: bands, metadata: metadata)
        let nodataText = bands.first?.nodata.map(formatNodata)
        let fail: (String) -> RasterIOError = { what in RasterIOError.io(path: path, reason: h.lastError(or: what)) }

        // 1–2. Every IFD, full resolution first, tags all set before the first TIFFWriteDirectory.
        for (l, level) in levels.enumerated() {
            if l > 0 { try h.set(UInt32(TIFFTAG_SUBFILETYPE), u32: UInt32(FILETYPE_REDUCEDIMAGE)) }
            try setEncodingTags(h, width: level.width, height: level.height, type: type, bands: spp, options: options)
            let palette = type == .uint8 && spp == 1 ? bands[0].colorTable : nil
            let rgb = options.photometric == .rgb && type == .uint8 && spp >= 3
            try h.set(UInt32(TIFFTAG_PHOTOMETRIC), u16: UInt16(rgb ? PHOTOMETRIC_RGB : palette != nil ? PHOTOMETRIC_PALETTE : PHOTOMETRIC_MINISBLACK))
            if let palette {
                var r = [UInt16](repeating: 0, count: 256), g = r, b = r
                for (i, c) in palette.entries.prefix(256).enumerated() {
                    r[i] = UInt16(c.r) * 257; g[i] = UInt16(c.g) * 257; b[i] = UInt16(c.b) * 257
                }
                guard rs_tiff_set_colormap(h.tif, r, g, b) == 1 else { throw fail("cannot set the colour table") }
            }
            let colourSamples = rgb ? 3 : 1
            if spp > colourSamples {
                let extra = [UInt16](repeating: UInt16(EXTRASAMPLE_UNSPECIFIED), count: spp - colourSamples)
                guard rs_tiff_set_extrasamples(h.tif, UInt16(spp - colourSamples), extra) == 1 else { throw fail("cannot set ExtraSamples") }
            }
            if let nodataText { try h.set(42113, ascii: nodataText) }
            if l == 0 {
                if let geo { try writeGeoTags(geo, h) }
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
        // 4. Tile data, smallest overview first; tiles row-major. Only the place of each tile is recorded here.
        var stand: [UInt8] = []
        for l in levels.indices.reversed() {
            let level = levels[l]
            guard TIFFSetDirectory(h.tif, tdir_t(l)) == 1 else { throw fail("cannot select IFD \(l)") }
            try setCodecLevel(options, h)
            let across = (level.width + tile - 1) / tile, down = (level.height + tile - 1) / tile
            for ty in 0..<down {
                for tx in 0..<across {
                    let idx = TIFFComputeTile(h.tif, UInt32(tx * tile), UInt32(ty * tile), 0, 0)
                    let index = ty * across + tx
                    precondition(Int(idx) == index, "libtiff numbers tile (\(tx), \(ty)) \(idx)")
                    let n = try tileLength(l, index)
                    if stand.count < n { stand = [UInt8](repeating: 0, count: n) }
                    file.placing = firstKey[l] + index
                    file.mode = .place
                    let written = stand.withUnsafeMutableBytes { TIFFWriteRawTile(h.tif, idx, $0.baseAddress, tmsize_t(n)) }
                    file.mode = .record
                    if written != n { throw fail("cannot place tile (\(tx), \(ty)) of IFD \(l)") }
                }
            }
            guard TIFFForceStrileArrayWriting(h.tif) == 1 else { throw fail("cannot write the tile arrays of IFD \(l)") }
        }
        if h.errorCount > 0 { throw fail("libtiff reported an error while writing") }
        guard TIFFFlush(h.tif) == 1 else { throw fail("flush failed") }
    }

    /// The tags of one IFD that decide how its tiles are encoded: size, tiling, sample layout, codec, predictor.
    static func setEncodingTags(_ h: TIFFHandle, width: Int, height: Int, type: SampleType, bands: Int, options: Options) throws {
        try h.set(UInt32(TIFFTAG_IMAGEWIDTH), u32: UInt32(width))
        try h.set(UInt32(TIFFTAG_IMAGELENGTH), u32: UInt32(height))
        try h.set(UInt32(TIFFTAG_TILEWIDTH), u32: UInt32(options.tileSize))
        try h.set(UInt32(TIFFTAG_TILELENGTH), u32: UInt32(options.tileSize))
        try h.set(UInt32(TIFFTAG_BITSPERSAMPLE), u16: UInt16(type.byteWidth * 8))
        try h.set(UInt32(TIFFTAG_SAMPLESPERPIXEL), u16: UInt16(bands))
        try h.set(UInt32(TIFFTAG_SAMPLEFORMAT), u16: UInt16(type.isFloatingPoint ? SAMPLEFORMAT_IEEEFP
                                                           : type.isSignedInteger ? SAMPLEFORMAT_INT : SAMPLEFORMAT_UINT))
        try h.set(UInt32(TIFFTAG_PLANARCONFIG), u16: UInt16(PLANARCONFIG_CONTIG))
        try h.set(UInt32(TIFFTAG_COMPRESSION), u16: options.compression.code)
        let predictor = options.predictor ?? (options.compression == .none ? 1 : type.isFloatingPoint ? 3 : 2)
        if options.compression != .none { try h.set(UInt32(TIFFTAG_PREDICTOR), u16: UInt16(predictor)) }
    }

    /// Sets ZIPQUALITY / ZSTD_LEVEL of the current IFD's codec to `options.level` or the fast default.
    static func setCodecLevel(_ options: Options, _ h: TIFFHandle) throws {
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

    /// The GDAL_METADATA document of a file: dataset items, band descriptions, scale/offset, units, band items.
    static func metadataDocument(bands: [BandInfo], metadata: [String: String]) -> String? {
        var md = GDALMetadata()
        md.dataset = metadata
        for (b, info) in bands.enumerated() {
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

extension Raster {
    /// Calls `body` with the tile at (`x`, `y`) clipped to the raster, band-sequential (rows copied as raw bytes).
    public func withTile<R>(x: Int, y: Int, tileSize: Int, _ body: (UnsafeBufferPointer<Sample>) throws -> R) rethrows -> R {
        let cw = Swift.min(tileSize, width - x), ch = Swift.min(tileSize, height - y)
        let stride = MemoryLayout<Sample>.stride
        let out = UnsafeMutableBufferPointer<Sample>.allocate(capacity: cw * ch * bandCount)
        defer { out.deallocate() }
        samples.withUnsafeBytes { src in
            let dst = UnsafeMutableRawPointer(out.baseAddress!)
            for b in 0..<bandCount {
                for r in 0..<ch {
                    let s = (b * width * height + (y + r) * width + x) * stride
                    (dst + (b * cw * ch + r * cw) * stride).copyMemory(from: src.baseAddress! + s, byteCount: cw * stride)
                }
            }
        }
        return try body(UnsafeBufferPointer(out))
    }
}
