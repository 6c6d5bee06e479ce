public import RasterCore
internal import CShims

/// PNG reading and writing through libpng (whole sessions in C, so libpng's longjmp never crosses Swift).
///
/// Gray, gray+alpha, RGB, RGBA and palette images at 8 and 16 bits; tEXt chunks; decode limits.
public enum PNGImage {
    /// A decoded PNG: interleaved samples widened to UInt16 when 16-bit, plus palette and text.
    public struct Image: Sendable, Equatable {
        public var width: Int
        public var height: Int
        /// 1 gray/palette index, 2 gray+alpha, 3 RGB, 4 RGBA.
        public var channels: Int
        /// 8 or 16.
        public var bitDepth: Int
        /// Row-major interleaved 8-bit samples (when bitDepth is 8).
        public var pixels8: [UInt8]
        /// Row-major interleaved 16-bit samples (when bitDepth is 16).
        public var pixels16: [UInt16]
        /// The palette of a palette image.
        public var palette: ColorTable?
        /// The tRNS transparent colour of a gray or RGB image (GDAL reads it as nodata).
        public var transparentValue: [UInt16]?
        /// tEXt/zTXt/iTXt chunks in file order.
        public var text: [(key: String, value: String)]

        /// An 8-bit image.
        public init(width: Int, height: Int, channels: Int, pixels: [UInt8], palette: ColorTable? = nil,
                    text: [(key: String, value: String)] = []) {
            self.width = width; self.height = height; self.channels = channels; bitDepth = 8
            pixels8 = pixels; pixels16 = []; self.palette = palette; transparentValue = nil; self.text = text
        }

        /// A 16-bit image.
        public init(width: Int, height: Int, channels: Int, pixels16: [UInt16], text: [(key: String, value: String)] = []) {
            self.width = width; self.height = height; self.channels = channels; bitDepth = 16
            pixels8 = []; self.pixels16 = pixels16; palette = nil; transparentValue = nil; self.text = text
        }

        public static func == (a: Image, b: Image) -> Bool {
            a.width == b.width && a.height == b.height && a.channels == b.channels && a.bitDepth == b.bitDepth
                && a.pixels8 == b.pixels8 && a.pixels16 == b.pixels16 && a.palette == b.palette
                && a.transparentValue == b.transparentValue
                && a.text.map(\.key) == b.text.map(\.key) && a.text.map(\.value) == b.text.map(\.value)
        }
    }

    /// Reads a PNG, refusing any image whose decoded size exceeds `limits.maxDecodedBytes`.
    public static func read(path: String, limits: ResourceLimits = .default) throws -> Image {
        try requireRegularFile(path)
        var img = rs_png_image()
        var err = [CChar](repeating: 0, count: 512)
        let rc = rs_png_read(path, UInt64(limits.maxDecodedBytes), &img, &err, err.count)
        guard rc == 0 else {
            let message = String(decoding: err.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
            if message.contains("limit") || message.contains("exceeds") {
                throw RasterIOError.limitExceeded(path: path, reason: "PNG: \(message)")
            }
            throw RasterIOError.corrupt(path: path, reason: "PNG: \(message.isEmpty ? "cannot decode" : message)")
        }
        defer { rs_png_free(&img) }
        let w = Int(img.width), h = Int(img.height), c = Int(img.channels)
        var out: Image
        if img.bit_depth == 16 {
            let n = w * h * c
            let px = Array(UnsafeBufferPointer(start: UnsafeRawPointer(img.pixels).assumingMemoryBound(to: UInt16.self), count: n))
            out = Image(width: w, height: h, channels: c, pixels16: px)
        } else {
            out = Image(width: w, height: h, channels: c, pixels: Array(UnsafeBufferPointer(start: img.pixels, count: w * h * c)))
        }
        if img.palette_count > 0 {
            out.palette = withUnsafeBytes(of: img.palette_rgba) { raw in
                ColorTable(entries: (0..<Int(img.palette_count)).map { RGBA(raw[4 * $0], raw[4 * $0 + 1], raw[4 * $0 + 2], raw[4 * $0 + 3]) })
            }
        }
        if img.has_trns_value != 0 {
            let t = img.trns_value
            out.transparentValue = c >= 3 ? [t.0, t.1, t.2] : [t.0]
        }
        for i in 0..<Int(img.text_count) {
            out.text.append((String(cString: img.text_keys[i]!), String(cString: img.text_values[i]!)))
        }
        return out
    }

    /// libpng's `PNG_FILTER_NONE` mask for `write(_:to:zlibLevel:filter:)`: rows stored unfiltered (fastest).
    public static let filterNone = 0x08

    /// Writes a PNG atomically and returns its record, the hash computed from the bytes as libpng produced them
    /// (`AtomicFile.writeHashed`; the file is never read back). `zlibLevel` defaults to 1 (fast; encoding is otherwise
    /// the slowest stage); `filter` nil = libpng's adaptive choice, or one of the PNG filter masks (e.g. 0x08 = NONE).
    /// 8-bit images with `filterNone` at levels 1–9 are deflated by libdeflate rather than zlib (2–3× faster, the same
    /// pixels; the quicklooks).
    @discardableResult
    public static func write(_ image: Image, to path: String, zlibLevel: Int = 1, filter: Int? = nil) throws -> WrittenFile {
        guard image.width > 0, image.height > 0, (1...4).contains(image.channels) else {
            throw RasterIOError.invalidRequest(path: path, reason: "cannot write a \(image.width)x\(image.height)x\(image.channels) PNG")
        }
        let expected = image.width * image.height * image.channels
        guard (image.bitDepth == 8 && image.pixels8.count == expected) || (image.bitDepth == 16 && image.pixels16.count == expected) else {
            throw RasterIOError.invalidRequest(path: path, reason: "pixel buffer does not match \(image.width)x\(image.height)x\(image.channels) at \(image.bitDepth) bits")
        }
        var paletteBytes: [UInt8] = []
        if let p = image.palette { for e in p.entries.prefix(256) { paletteBytes += [e.r, e.g, e.b, e.a] } }
        let keys = image.text.map { strdup($0.key) }
        let values = image.text.map { strdup($0.value) }
        defer { keys.forEach { free($0) }; values.forEach { free($0) } }
        return try AtomicFile.writeHashed(to: path) { sink in
            let out = PNGSink(sink)
            var err = [CChar](repeating: 0, count: 512)
            let keyPtrs = keys.map { UnsafePointer($0) }
            let valuePtrs = values.map { UnsafePointer($0) }
            let ctx = Unmanaged.passUnretained(out).toOpaque()
            let rc: Int32 = keyPtrs.withUnsafeBufferPointer { kp in
                valuePtrs.withUnsafeBufferPointer { vp in
                    paletteBytes.withUnsafeBufferPointer { pal in
                        let body = { (px: UnsafeRawBufferPointer) -> Int32 in
                            rs_png_write_to(PNGSink.receive, ctx, px.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(image.width),
                                            UInt32(image.height), UInt32(image.channels), UInt32(image.bitDepth),
                                            pal.isEmpty ? nil : pal.baseAddress, UInt32(pal.count / 4),
                                            kp.baseAddress, vp.baseAddress, UInt32(kp.count), Int32(zlibLevel),
                                            Int32(filter ?? -1), &err, err.count)
                        }
                        return image.bitDepth == 16 ? image.pixels16.withUnsafeBytes(body) : image.pixels8.withUnsafeBytes(body)
                    }
                }
            }
            if let failure = out.failure { throw failure }
            if rc != 0 {
                let message = String(decoding: err.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
                throw RasterIOError.io(path: path, reason: "PNG: \(message)")
            }
        }
    }
}

/// The bytes libpng produces, handed to a `HashingFileSink` as they come (libpng hands over each chunk's length,
/// type, data and CRC separately; the sink gathers them into its buffer, so small pieces cost a copy, not a
/// `write`); the first error of the sink is kept and ends the write.
private final class PNGSink {
    let sink: HashingFileSink
    var failure: (any Error)?

    init(_ sink: HashingFileSink) { self.sink = sink }

    /// The C callback: `ctx` is an unretained `PNGSink`.
    static let receive: rs_png_sink_fn = { ctx, bytes, n in
        let me = Unmanaged<PNGSink>.fromOpaque(ctx!).takeUnretainedValue()
        guard me.failure == nil else { return -1 }
        do { try me.sink.write(UnsafeRawBufferPointer(start: bytes, count: n)) } catch { me.failure = error; return -1 }
        return 0
    }
}

#if canImport(Glibc)
import Glibc
#endif
