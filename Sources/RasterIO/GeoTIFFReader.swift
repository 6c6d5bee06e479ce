public import RasterCore
internal import CShims
internal import CTIFF
#if canImport(Glibc)
import Glibc
#endif

/// Reads GeoTIFFs through libtiff: any sample type TilePipe models, strips or tiles, pixel- or
/// band-interleaved, classic or BigTIFF, every codec the system libtiff decodes.
///
/// Opening reads only the header and tags; `read(window:bands:)` decodes only the blocks that
/// intersect the window and, for band-separate files, only the requested bands' blocks.
/// A reader is not thread-safe: use one per thread or serial queue.
public final class GeoTIFFReader {
    /// What the file holds.
    public let description: RasterDescription
    /// The limits this reader enforces.
    public let limits: ResourceLimits
    private let handle: TIFFHandle
    private let samplesPerPixel: Int
    private let blockBytes: Int
    /// 8-bit CMYK (Photometric=Separated, 4 samples): decoded to RGBA as GDAL and libtiff's RGBA interface do.
    private let cmykToRGBA: Bool
    /// Subsampled YCbCr without JPEG: decoded through libtiff's RGBA interface (whole image), as GDAL does.
    private let viaRGBA: Bool
    /// Bits per stored sample when they are not a whole byte type (1, 2, 4, 12, ...): unpacked to UInt8/UInt16/UInt32.
    private let packedBits: Int?
    /// True when the stored samples are IEEE half floats (read as Float32).
    private let halfFloat: Bool
    /// Bytes of one decoded block row (packed bytes for odd bit depths).
    private let blockRowBytes: Int
    /// libdeflate state for DEFLATE files whose blocks it decodes exactly as libtiff does (`rs_deflate_new`), else nil.
    private let fastDeflate: OpaquePointer?
    /// Blocks the libdeflate fast path decoded, and blocks it handed back to libtiff (tests check both).
    private(set) var fastDeflateBlocks = 0, fallbackDeflateBlocks = 0

    /// Opens `path`. Throws `RasterIOError` naming the file when it is missing, not a TIFF, corrupt,
    /// of an unsupported kind, or larger than `limits` allow.
    public convenience init(path: String, limits: ResourceLimits = .default) throws {
        try self.init(path: path, limits: limits, deflateFastPath: true)
    }

    /// Opens overview `overview` of `path` (1 = the first reduced-resolution image, as GDAL numbers them from 0;
    /// 0 = the full-resolution image). An overview holds no georeferencing of its own: scale the full image's.
    public convenience init(path: String, overview: Int, limits: ResourceLimits = .default) throws {
        try self.init(path: path, limits: limits, deflateFastPath: true, overview: overview)
    }

    /// Opens `path` to be read in windows: the image may be up to `windowedImageFactor` × `limits.maxDecodedBytes`
    /// when decoded (a scene larger than one whole-image read may hold); each `read` stays capped by the limit.
    public convenience init(path: String, limits: ResourceLimits = .default, forWindows: Bool) throws {
        try self.init(path: path, limits: limits, deflateFastPath: true, forWindows: forWindows)
    }

    /// How many times the decode limit an image read in windows may be (16: 32 GiB with the default 2 GiB limit,
    /// e.g. a 16,384² 6-band UInt16 scene is 3.2 GB; a header declaring 200,000² is still refused).
    public static let windowedImageFactor = 16

    /// `deflateFastPath: false` decodes every DEFLATE block through libtiff's zlib path (tests compare the two).
    init(path: String, limits: ResourceLimits, deflateFastPath: Bool, overview: Int = 0, forWindows: Bool = false) throws {
        try requireRegularFile(path)
        self.limits = limits
        // "m": no memory-mapping. Mapped input pages count in the resident set: a 16384² scene read in windows
        // showed 2.3 GB of file-backed RSS against 38 MB of its own memory, so peak RSS tracked the input's size.
        handle = try TIFFHandle(path: path, mode: "rm", maxAlloc: min(limits.maxDecodedBytes, Int(Int32.max)))
        let h = handle
        var directory = 0
        if overview > 0 {
            var seen = 0, d = 0
            while seen < overview {
                d += 1
                guard d < 64, TIFFSetDirectory(h.tif, tdir_t(d)) == 1 else {
                    throw RasterIOError.invalidRequest(path: path, reason: "the file has no overview \(overview)")
                }
                if let st = h.u32(UInt32(TIFFTAG_SUBFILETYPE)), st & UInt32(FILETYPE_REDUCEDIMAGE) != 0, st & UInt32(FILETYPE_MASK) == 0 { seen += 1 }
            }
            directory = d
        }
        let width = Int(h.u32(UInt32(TIFFTAG_IMAGEWIDTH)) ?? 0)
        let height = Int(h.u32(UInt32(TIFFTAG_IMAGELENGTH)) ?? 0)
        let spp = Int(h.u16(UInt32(TIFFTAG_SAMPLESPERPIXEL)) ?? 1)
        let bps = Int(h.u16(UInt32(TIFFTAG_BITSPERSAMPLE)) ?? 1)
        let format = Int(h.u16(UInt32(TIFFTAG_SAMPLEFORMAT)) ?? 1)
        let planar = Int(h.u16(UInt32(TIFFTAG_PLANARCONFIG)) ?? 1)
        let compression = Int(h.u16(UInt32(TIFFTAG_COMPRESSION)) ?? 1)
        let photometric = Int(h.u16(UInt32(TIFFTAG_PHOTOMETRIC)) ?? 1)
        let predictor = Int(h.u16(UInt32(TIFFTAG_PREDICTOR)) ?? 1)

        guard width > 0, height > 0 else { throw RasterIOError.corrupt(path: path, reason: "image has zero width or height") }
        guard width <= limits.maxDimension, height <= limits.maxDimension else {
            throw RasterIOError.limitExceeded(path: path, reason: "declared size \(width)x\(height) exceeds the limit of \(limits.maxDimension) pixels per side")
        }
        guard spp >= 1, spp <= limits.maxBands else {
            throw RasterIOError.limitExceeded(path: path, reason: "\(spp) samples per pixel exceeds the limit of \(limits.maxBands)")
        }
        guard let type = Self.sampleType(bits: bps, format: format) ?? Self.unpackedType(bits: bps, format: format) else {
            let what = format == 5 || format == 6 ? "complex samples" : "\(bps)-bit samples (sample format \(format))"
            throw RasterIOError.unsupported(path: path, reason: "\(what) are not supported")
        }
        guard rs_tiff_codec_configured(UInt16(compression)) == 1 else {
            throw RasterIOError.unsupported(path: path, reason: "compression \(Self.compressionName(compression)) is not available in this libtiff")
        }
        // A reader for whole-image reads refuses an image whose decoded size exceeds the decode limit; one opened
        // `forWindows` accepts up to `windowedImageFactor` times that (each read is still capped by the limit).
        let scaled = limits.maxDecodedBytes.multipliedReportingOverflow(by: Self.windowedImageFactor)
        let imageLimit = forWindows ? (scaled.overflow ? Int.max : scaled.partialValue) : limits.maxDecodedBytes
        guard let total = ResourceLimits.byteCount(width: width, height: height, bands: spp, bytesPerSample: type.byteWidth),
              total <= imageLimit else {
            throw RasterIOError.limitExceeded(path: path, reason: "decoded size of \(width)x\(height)x\(spp) \(type) exceeds the limit of \(imageLimit) bytes" + (forWindows ? " for an image read in windows" : ""))
        }
        if compression == Int(COMPRESSION_JPEG) && photometric == Int(PHOTOMETRIC_YCBCR) {
            // libtiff converts YCbCr JPEG to RGB for us, as GDAL does.
            _ = rs_tiff_set_int(h.tif, UInt32(TIFFTAG_JPEGCOLORMODE), Int32(JPEGCOLORMODE_RGB))
        }
        if compression == Int(COMPRESSION_ADOBE_DEFLATE) || compression == Int(COMPRESSION_DEFLATE) {
            // Decode DEFLATE with zlib, not libtiff's libdeflate path: for a stream that inflates past its block,
            // libtiff 4.5's libdeflate path reports success with the block left partly undecoded (garbage; GDAL
            // shows it too), while zlib decodes exactly the block's bytes. Most blocks skip libtiff's decoder
            // altogether (`fastDeflate`, our own libdeflate call); this is the path they fall back to.
            _ = rs_tiff_set_int(h.tif, UInt32(TIFFTAG_DEFLATE_SUBCODEC), Int32(DEFLATE_SUBCODEC_ZLIB))
        }
        samplesPerPixel = spp
        packedBits = Self.sampleType(bits: bps, format: format) == nil ? bps : nil
        halfFloat = format == 3 && bps == 16
        viaRGBA = photometric == Int(PHOTOMETRIC_YCBCR) && compression != Int(COMPRESSION_JPEG) && compression != Int(COMPRESSION_OJPEG)
            && bps == 8 && (spp == 3 || spp == 4)
        cmykToRGBA = photometric == Int(PHOTOMETRIC_SEPARATED) && spp == 4 && bps == 8 && format == 1
            && Int(h.u16(UInt32(TIFFTAG_INKSET)) ?? UInt16(INKSET_CMYK)) == Int(INKSET_CMYK)
        let tiled = TIFFIsTiled(h.tif) != 0
        let blockW: Int, blockH: Int
        if tiled {
            blockW = Int(h.u32(UInt32(TIFFTAG_TILEWIDTH)) ?? 0)
            blockH = Int(h.u32(UInt32(TIFFTAG_TILELENGTH)) ?? 0)
            guard blockW > 0, blockH > 0 else { throw RasterIOError.corrupt(path: path, reason: "tile size is zero") }
            blockBytes = Int(TIFFTileSize(h.tif))
        } else {
            blockW = width
            let rps = Int(h.u32(UInt32(TIFFTAG_ROWSPERSTRIP)) ?? UInt32(height))
            blockH = rps == 0 ? height : min(rps, height)
            blockBytes = Int(TIFFStripSize(h.tif))
        }
        guard blockBytes > 0, blockBytes <= limits.maxDecodedBytes else {
            throw RasterIOError.corrupt(path: path, reason: "invalid block size (\(h.firstError(or: "\(blockBytes) bytes")))")
        }
        // A block must hold every sample the copy loop reads (subsampled or odd layouts otherwise overrun it).
        let perPixel = planar == 2 ? 1 : spp
        let rowBytes = packedBits.map { (blockW * perPixel * $0 + 7) / 8 } ?? blockW * perPixel * type.byteWidth
        blockRowBytes = rowBytes
        if !viaRGBA, blockBytes < rowBytes * blockH {
            throw RasterIOError.unsupported(path: path, reason: "block of \(blockBytes) bytes is smaller than \(blockW)x\(blockH) samples (photometric \(photometric) subsampling?)")
        }

        // Georeferencing.
        let crs: CRS?
        var rasterType = GeoReference.RasterType.pixelIsArea
        if let keys = h.shorts(34735), keys.count >= 4 {
            let dbl = h.doubles(34736) ?? []
            let asc = h.ascii(34737) ?? ""
            let dir = GeoKeyDirectory(encoded: keys, doubles: dbl, ascii: asc)
            crs = CRS(epsg: dir.epsg, geoKeys: keys, geoDoubleParams: dbl, geoAsciiParams: asc)
            if dir.value(GeoKeyDirectory.Key.rasterType) == 2 { rasterType = .pixelIsPoint }
        } else {
            crs = nil
        }
        var transform: GeoTransform?
        if let m = h.doubles(34264), m.count >= 16 {
            transform = GeoTransform([m[3], m[0], m[1], m[7], m[4], m[5]])
        } else if let scale = h.doubles(33550), scale.count >= 2, let tie = h.doubles(33922), tie.count >= 6 {
            let (i, j, x, y) = (tie[0], tie[1], tie[3], tie[4])
            transform = GeoTransform([x - i * scale[0], scale[0], 0, y + j * scale[1], 0, -scale[1]])
        }
        if var t = transform, rasterType == .pixelIsPoint {
            // As GDAL does by default: the point convention is moved to the corner of the cell.
            let (x, y) = t.apply(column: -0.5, row: -0.5)
            t.coefficients[0] = x; t.coefficients[3] = y
            transform = t
        }
        if let t = transform, !t.coefficients.allSatisfy(\.isFinite) {
            throw RasterIOError.corrupt(path: path, reason: "georeferencing holds non-finite numbers (NaN tie point or scale)")
        }
        if let t = transform {
            // GDAL accepts a zero pixel size silently; every area and footprint would then be zero or NaN.
            let c = t.coefficients
            if c[1] * c[5] - c[2] * c[4] == 0 {
                throw RasterIOError.corrupt(path: path, reason: "georeferencing has a zero pixel size (geotransform \(c))")
            }
        }
        let geo: GeoReference? = (transform != nil || crs != nil)
            ? GeoReference(transform: transform ?? .identity, crs: crs, rasterType: rasterType) : nil

        // Nodata, metadata, colour table. An empty GDAL_NODATA means none, as GDAL reads it.
        var nodata: Double?
        if let text = h.ascii(42113), !text.trimmingCharacters(in: " \t\r\n\0").isEmpty {
            guard let v = Self.parseNodata(text) else {
                throw RasterIOError.corrupt(path: path, reason: "GDAL_NODATA value '\(text)' is not a number")
            }
            // As GDAL does: a Float32 band's nodata is the Float32 nearest the text (so that it equals the
            // stored samples), unless the text lies outside the Float32 range.
            nodata = type == .float32 && v.isFinite && abs(v) <= Double(Float.greatestFiniteMagnitude) ? Double(Float(v)) : v
        }
        let md = h.ascii(42112).map(GDALMetadata.init(xml:)) ?? GDALMetadata()
        var colorTable: ColorTable?
        if photometric == Int(PHOTOMETRIC_PALETTE) {
            var r: UnsafePointer<UInt16>?, g: UnsafePointer<UInt16>?, b: UnsafePointer<UInt16>?
            if rs_tiff_get_colormap(h.tif, &r, &g, &b) == 1, let r, let g, let b, bps <= 16 {
                let n = 1 << bps
                colorTable = ColorTable(entries: (0..<n).map {
                    RGBA(UInt8(r[$0] >> 8), UInt8(g[$0] >> 8), UInt8(b[$0] >> 8))
                })
            }
        }
        var bands: [BandInfo] = []
        for b in 0..<spp {
            var items = md.bands[b] ?? [:]
            var info = BandInfo(nodata: nodata)
            if let d = items.removeValue(forKey: "DESCRIPTION") { info.description = d }
            if let s = items.removeValue(forKey: "SCALE"), let v = Double(s) { info.scale = v }
            if let o = items.removeValue(forKey: "OFFSET"), let v = Double(o) { info.offset = v }
            if let u = items.removeValue(forKey: "UNITTYPE") { info.unit = u }
            info.metadata = items
            if b == 0 { info.colorTable = colorTable }
            bands.append(info)
        }
        // Overviews: reduced-resolution images following the main one.
        var overviews = 0
        let dirCount = Int(TIFFNumberOfDirectories(h.tif))
        if dirCount > 1 {
            for d in 1..<min(dirCount, 64) {
                guard TIFFSetDirectory(h.tif, tdir_t(d)) == 1 else { break }
                if let st = h.u32(UInt32(TIFFTAG_SUBFILETYPE)), st & UInt32(FILETYPE_REDUCEDIMAGE) != 0, st & UInt32(FILETYPE_MASK) == 0 { overviews += 1 }
            }
            guard TIFFSetDirectory(h.tif, tdir_t(directory)) == 1 else { throw RasterIOError.corrupt(path: path, reason: h.lastError(or: "cannot return to IFD \(directory)")) }
        }
        let layout = RasterLayout(interleave: planar == 2 && spp > 1 ? .band : .pixel, tiled: tiled,
                                  blockWidth: blockW, blockHeight: blockH, compression: Self.compressionName(compression),
                                  predictor: predictor, bigTIFF: TIFFIsBigTIFF(h.tif) != 0,
                                  overviewCount: overviews)
        // The TIFF DateTime tag (306), as GDAL reports it: an acquisition-date source of last resort.
        var dataset = md.dataset
        if dataset["TIFFTAG_DATETIME"] == nil, let dt = h.ascii(306), !dt.isEmpty { dataset["TIFFTAG_DATETIME"] = dt }
        description = RasterDescription(path: path, format: "GTiff", width: width, height: height, sampleType: type,
                                        bands: bands, geo: geo, metadata: dataset, layout: layout)
        // Last, so that no throw above can leak it; freed in deinit.
        fastDeflate = deflateFastPath && !viaRGBA && !cmykToRGBA ? rs_deflate_new(h.tif) : nil
    }

    deinit {
        if let fastDeflate { rs_deflate_free(fastDeflate) }
    }

    /// Reads `bands` (0-based; default all) inside `window` (default the whole image).
    public func read(window: Window? = nil, bands: [Int]? = nil) throws -> AnyRaster {
        switch description.sampleType {
        case .uint8: .uint8(try read(UInt8.self, window: window, bands: bands))
        case .int8: .int8(try read(Int8.self, window: window, bands: bands))
        case .uint16: .uint16(try read(UInt16.self, window: window, bands: bands))
        case .int16: .int16(try read(Int16.self, window: window, bands: bands))
        case .uint32: .uint32(try read(UInt32.self, window: window, bands: bands))
        case .int32: .int32(try read(Int32.self, window: window, bands: bands))
        case .float32: .float32(try read(Float.self, window: window, bands: bands))
        case .float64: .float64(try read(Double.self, window: window, bands: bands))
        }
    }

    /// Reads into a typed raster; `S` must be the file's sample type.
    public func read<S: RasterSample>(_ type: S.Type, window: Window? = nil, bands: [Int]? = nil) throws -> Raster<S> {
        guard cmykToRGBA, S.self == UInt8.self else { return try readStored(type, window: window, bands: bands) }
        // R = (255−K)(255−C)/255, G = (255−K)(255−M)/255, B = (255−K)(255−Y)/255 in integer arithmetic, A = 255
        // (libtiff's putRGBcontig8bitCMYKtile, which GDAL uses for CMYK).
        var all = try readStored(UInt8.self, window: window, bands: [0, 1, 2, 3])
        let n = all.pixelCount
        all.samples.withUnsafeMutableBufferPointer { p in
            for i in 0..<n {
                let k = 255 - Int(p[3 * n + i])
                for c in 0..<3 { p[c * n + i] = UInt8(k * (255 - Int(p[c * n + i])) / 255) }
                p[3 * n + i] = 255
            }
        }
        let picked = all.selectingBands(bands ?? [0, 1, 2, 3])
        guard case .uint8(let r) = picked, let typed = r as? Raster<S> else {
            throw RasterIOError.invalidRequest(path: description.path, reason: "CMYK data is 8-bit")
        }
        return typed
    }

    /// Reads the stored samples (no colour conversion).
    private func readStored<S: RasterSample>(_ type: S.Type, window: Window?, bands: [Int]?) throws -> Raster<S> {
        let d = description
        let path = d.path
        guard S.sampleType == d.sampleType else {
            throw RasterIOError.invalidRequest(path: path, reason: "file holds \(d.sampleType), asked for \(S.sampleType)")
        }
        let w = window ?? .full(width: d.width, height: d.height)
        guard w.fits(width: d.width, height: d.height) else {
            throw RasterIOError.invalidRequest(path: path, reason: "window \(w) lies outside the \(d.width)x\(d.height) image")
        }
        let wanted = bands ?? Array(0..<d.bandCount)
        guard !wanted.isEmpty, wanted.allSatisfy({ $0 >= 0 && $0 < d.bandCount }) else {
            throw RasterIOError.invalidRequest(path: path, reason: "band \(wanted.map { $0 + 1 }) not in 1...\(d.bandCount)")
        }
        guard let bytes = ResourceLimits.byteCount(width: w.width, height: w.height, bands: wanted.count, bytesPerSample: S.sampleType.byteWidth),
              bytes <= limits.maxDecodedBytes else {
            throw RasterIOError.limitExceeded(path: path, reason: "window \(w) × \(wanted.count) bands exceeds the decode limit")
        }
        var out = [S](repeating: .zero, count: w.pixelCount * wanted.count)
        let tif = handle.tif
        let bw = d.layout.blockWidth, bh = d.layout.blockHeight
        let separate = d.layout.interleave == .band
        let spp = samplesPerPixel
        let stride = separate ? 1 : spp
        if viaRGBA { return try readViaRGBA(window: w, bands: wanted) }
        let blockSamples = packedBits == nil ? blockBytes / MemoryLayout<S>.stride : bw * bh * stride
        var block = [S](repeating: .zero, count: max(blockSamples, 1))
        var packed = [UInt8](repeating: 0, count: packedBits == nil ? 0 : blockBytes)
        let planes: [(plane: Int, outBands: [(src: Int, dst: Int)])] = separate
            ? wanted.enumerated().map { ($0.element, [(0, $0.offset)]) }
            : [(0, wanted.enumerated().map { ($0.element, $0.offset) })]
        let bx0 = w.x / bw, bx1 = (w.x + w.width - 1) / bw
        let by0 = w.y / bh, by1 = (w.y + w.height - 1) / bh
        for (plane, outBands) in planes {
            for by in by0...by1 {
                for bx in bx0...bx1 {
                    let px = bx * bw, py = by * bh
                    let idx = d.layout.tiled ? TIFFComputeTile(tif, UInt32(px), UInt32(py), 0, UInt16(plane))
                        : TIFFComputeStrip(tif, UInt32(py), UInt16(plane))
                    // Only the rows inside the image are decoded (as GDAL does: some writers store no more).
                    let need = min(bh, d.height - py) * blockRowBytes
                    let readBlock = { (raw: UnsafeMutableRawBufferPointer) -> Int in
                        let size = min(raw.count, need)
                        // DEFLATE fast path: zlib's inflate + adler32 was 45 % of an NDVI job's CPU; libdeflate is
                        // about 2x faster. It yields to libtiff's zlib path (so results, errors and messages stay
                        // libtiff's) whenever the block's raw size is absurd or past EOF, or its stream does not
                        // inflate completely into this buffer to at least `size` bytes (over-long, short, bad data).
                        // See deflate_shims.c (and its one known difference, on invalid streams); the files it takes
                        // at all are listed at rs_deflate_new.
                        if let fast = self.fastDeflate {
                            let n = rs_deflate_read_block(fast, tif, idx, raw.baseAddress, raw.count, size)
                            if n != RS_DEFLATE_FALLBACK { self.fastDeflateBlocks += 1; return Int(n) }
                            self.fallbackDeflateBlocks += 1
                        }
                        return d.layout.tiled ? Int(TIFFReadEncodedTile(tif, idx, raw.baseAddress, tmsize_t(size)))
                            : Int(TIFFReadEncodedStrip(tif, idx, raw.baseAddress, tmsize_t(size)))
                    }
                    let got: Int
                    errno = 0
                    if TIFFGetStrileByteCount(tif, idx) == 0 {
                        // A sparse block (no data written): nodata, or zero, as GDAL reads it.
                        let fill = S(clampingDouble: d.bands[0].nodata ?? 0)
                        for i in block.indices { block[i] = fill }
                        got = 0
                    } else if packedBits == nil {
                        got = block.withUnsafeMutableBytes(readBlock)
                    } else {
                        got = packed.withUnsafeMutableBytes(readBlock)
                        if got >= 0 {
                            if halfFloat { Self.widenHalfFloats(packed, count: bw * bh * stride, into: &block) }
                            else if let bits = packedBits { Self.unpack(packed, bits: bits, samplesPerRow: bw * stride, rows: bh, into: &block) }
                        }
                    }
                    if got < 0 {
                        // An operating-system read failure (EIO, ESTALE, ...) is not corrupt data: say so, so
                        // the caller may retry it (reliability.md: keep I/O failure apart from corrupt input).
                        let e = errno
                        if Self.ioErrnos.contains(e) {
                            throw RasterIOError.io(path: path, reason: "read failed at \(d.layout.tiled ? "tile" : "strip") (\(px), \(py)): \(String(cString: strerror(e)))")
                        }
                        throw RasterIOError.corrupt(path: path, reason: "cannot decode \(d.layout.tiled ? "tile" : "strip") at pixel (\(px), \(py)): \(handle.lastError(or: "libtiff read error"))")
                    }
                    // Intersection of this block with the window, in image coordinates.
                    let rowsInBlock = min(bh, d.height - py)
                    let x0 = max(px, w.x), x1 = min(px + bw, w.x + w.width)
                    let y0 = max(py, w.y), y1 = min(py + rowsInBlock, w.y + w.height)
                    guard x1 > x0, y1 > y0 else { continue }
                    let blockRowLen = d.layout.tiled ? bw : d.width
                    block.withUnsafeBufferPointer { src in
                        out.withUnsafeMutableBufferPointer { dst in
                            if stride == 1 {
                                for (_, o) in outBands {
                                    let dstBase = o * w.pixelCount
                                    for y in y0..<y1 {
                                        let srcRow = (y - py) * blockRowLen, dstRow = dstBase + (y - w.y) * w.width
                                        for x in x0..<x1 { dst[dstRow + x - w.x] = src[srcRow + (x - px)] }
                                    }
                                }
                                return
                            }
                            // Pixel-interleaved: one pass over the block, every wanted band's sample of a pixel taken
                            // together (a pass per band read the whole block once for each).
                            let from = outBands.map(\.src), to = outBands.map { $0.dst * w.pixelCount }
                            from.withUnsafeBufferPointer { from in
                                to.withUnsafeBufferPointer { to in
                                    for y in y0..<y1 {
                                        let srcRow = (y - py) * blockRowLen * stride, dstRow = (y - w.y) * w.width - w.x
                                        for x in x0..<x1 {
                                            let pixel = srcRow + (x - px) * stride, at = dstRow + x
                                            for k in 0..<from.count { dst[to[k] + at] = src[pixel + from[k]] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var geo = d.geo
        if let g = geo { geo?.transform = g.transform.offset(column: w.x, row: w.y) }
        return Raster(width: w.width, height: w.height, samples: out, bands: wanted.map { d.bands[$0] }, geo: geo,
                      metadata: d.metadata)
    }

    /// errno values of a failed read that mean the storage failed, not the data: EIO, ESTALE, EAGAIN,
    /// EINTR, ETIMEDOUT, ENXIO, ENOLINK, ECOMM, EREMOTEIO.
    static let ioErrnos: Set<Int32> = [EIO, ESTALE, EAGAIN, EINTR, ETIMEDOUT, ENXIO, ENOLINK, ECOMM, EREMOTEIO]

    /// Reads one band as raw values in Float32, nodata replaced by NaN (scale/offset are left to the caller).
    public func readFloatBand(_ band: Int, window: Window? = nil) throws -> [Float] {
        try read(window: window, bands: [band]).floatBand(0)
    }

    /// The type that holds unsigned samples of an odd bit depth once unpacked, as GDAL exposes them:
    /// 1–7 bits → UInt8, 9–15 → UInt16, 17–31 → UInt32.
    static func unpackedType(bits: Int, format: Int) -> SampleType? {
        if format == 3 && bits == 16 { return .float32 } // half floats, widened as GDAL does
        guard format == 1 || format == 4 else { return nil }
        switch bits {
        case 1...7: return .uint8
        case 9...15: return .uint16
        case 17...31: return .uint32
        default: return nil
        }
    }

    /// Converts IEEE 754 binary16 samples (host byte order, as libtiff returns them) to `S` (Float32).
    static func widenHalfFloats<S: RasterSample>(_ src: [UInt8], count: Int, into out: inout [S]) {
        let n = min(count, src.count / 2, out.count)
        guard S.self == Float.self else { return }
        // Bit patterns are stored directly: going through Double would quiet signalling NaNs.
        out.withUnsafeMutableBytes { dst in
            src.withUnsafeBytes { raw in
                for i in 0..<n {
                    let h = raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)
                    dst.storeBytes(of: halfToFloat(h).bitPattern, toByteOffset: 4 * i, as: UInt32.self)
                }
            }
        }
    }

    /// binary16 → binary32, exact for every value (subnormals, infinities and NaN included).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: UInt32 = UInt32(h & 0x8000) << 16
        let exp = Int((h >> 10) & 0x1F), frac = UInt32(h & 0x3FF)
        if exp == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (frac << 13)) }
        if exp == 0 {
            let magnitude = Float(frac) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | (UInt32(exp + 112) << 23) | (frac << 13))
    }

    /// Unpacks MSB-first packed samples (`bits` each; every row starts on a byte boundary) into `out`.
    static func unpack<S: RasterSample>(_ src: [UInt8], bits: Int, samplesPerRow: Int, rows: Int, into out: inout [S]) {
        let rowBytes = (samplesPerRow * bits + 7) / 8
        let usableRows = min(rows, src.count / max(rowBytes, 1))
        src.withUnsafeBufferPointer { p in
            for r in 0..<usableRows {
                var bit = r * rowBytes * 8
                let base = r * samplesPerRow
                for i in 0..<samplesPerRow {
                    var v: UInt32 = 0
                    for _ in 0..<bits {
                        v = v << 1 | UInt32((p[bit >> 3] >> (7 - UInt8(bit & 7))) & 1)
                        bit += 1
                    }
                    out[base + i] = S(clampingDouble: Double(v))
                }
            }
        }
    }

    /// Decodes the whole image through libtiff's RGBA interface (top-left origin) and crops `window`;
    /// bands are R, G, B (and A when the file has four samples).
    private func readViaRGBA<S: RasterSample>(window w: Window, bands wanted: [Int]) throws -> Raster<S> {
        let d = description
        guard let bytes = ResourceLimits.byteCount(width: d.width, height: d.height, bands: 4, bytesPerSample: 1),
              bytes <= limits.maxDecodedBytes else {
            throw RasterIOError.limitExceeded(path: d.path, reason: "RGBA decoding of \(d.width)x\(d.height) exceeds the decode limit")
        }
        var rgba = [UInt32](repeating: 0, count: d.width * d.height)
        let ok = rgba.withUnsafeMutableBufferPointer {
            TIFFReadRGBAImageOriented(handle.tif, UInt32(d.width), UInt32(d.height), $0.baseAddress, Int32(ORIENTATION_TOPLEFT), 0)
        }
        guard ok == 1 else { throw RasterIOError.corrupt(path: d.path, reason: "cannot decode: \(handle.lastError(or: "libtiff RGBA read error"))") }
        var out = [S](repeating: .zero, count: w.pixelCount * wanted.count)
        for (o, b) in wanted.enumerated() {
            let shift = UInt32(8 * b) // libtiff packs R in the low byte (TIFFGetR), then G, B, A
            for y in 0..<w.height {
                for x in 0..<w.width {
                    let v = (rgba[(w.y + y) * d.width + w.x + x] >> shift) & 0xFF
                    out[o * w.pixelCount + y * w.width + x] = S(clampingDouble: Double(v))
                }
            }
        }
        var geo = d.geo
        if let g = geo { geo?.transform = g.transform.offset(column: w.x, row: w.y) }
        return Raster(width: w.width, height: w.height, samples: out, bands: wanted.map { d.bands[$0] }, geo: geo, metadata: d.metadata)
    }

    static func sampleType(bits: Int, format: Int) -> SampleType? {
        switch (format, bits) {
        case (1, 8), (4, 8): .uint8
        case (2, 8): .int8
        case (1, 16), (4, 16): .uint16
        case (2, 16): .int16
        case (1, 32), (4, 32): .uint32
        case (2, 32): .int32
        case (3, 32): .float32
        case (3, 64): .float64
        default: nil
        }
    }

    static func parseNodata(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: " \t\r\n\0").lowercased()
        switch t {
        case "nan", "-nan", "+nan": return .nan
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return Double(t)
        }
    }

    /// GDAL's names for TIFF compression codes.
    static func compressionName(_ c: Int) -> String {
        switch c {
        case 1: "NONE"
        case 2: "CCITTRLE"
        case 3: "CCITTFAX3"
        case 4: "CCITTFAX4"
        case 5: "LZW"
        case 6: "OJPEG"
        case 7: "JPEG"
        case 8, 32946: "DEFLATE"
        case 32773: "PACKBITS"
        case 34676: "SGILOG"
        case 34712: "JP2000"
        case 34887: "LERC"
        case 34925: "LZMA"
        case 50000: "ZSTD"
        case 50001: "WEBP"
        case 50002: "JXL"
        default: "code \(c)"
        }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
