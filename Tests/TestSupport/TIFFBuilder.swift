import Foundation

/// A minimal classic little-endian TIFF writer for hostile-input tests: every byte of the file is
/// chosen by the test, so each malformed class (a lying strip offset, an IFD loop, rows-per-strip 0,
/// a DEFLATE bomb) is exact and independent of any library's writer.
///
/// Layout of `build()`: the 8-byte header, the strip/tile payloads in order, the out-of-line tag
/// values, then the IFD (entries sorted by tag, as TIFF 6.0 requires). `StripOffsets`/`StripByteCounts`
/// (or the tile equivalents) are filled in from `blocks` unless the test sets them itself.
public struct TIFFBuilder: Sendable {
    /// A tag value, stored little-endian with the TIFF field type implied by the case.
    public enum Value: Sendable {
        /// SHORT (3).
        case short([UInt16])
        /// LONG (4).
        case long([UInt32])
        /// DOUBLE (12).
        case double([Double])
        /// ASCII (2); a NUL terminator is appended.
        case ascii(String)
        /// Any field type with raw little-endian value bytes and an explicit (possibly lying) count.
        case raw(type: UInt16, count: UInt32, bytes: [UInt8])
    }

    /// Well-known tag numbers used by the tests.
    public enum Tag {
        public static let imageWidth: UInt16 = 256, imageLength: UInt16 = 257, bitsPerSample: UInt16 = 258
        public static let compression: UInt16 = 259, photometric: UInt16 = 262, stripOffsets: UInt16 = 273
        public static let samplesPerPixel: UInt16 = 277, rowsPerStrip: UInt16 = 278, stripByteCounts: UInt16 = 279
        public static let planarConfig: UInt16 = 284, predictor: UInt16 = 317
        public static let tileWidth: UInt16 = 322, tileLength: UInt16 = 323, tileOffsets: UInt16 = 324
        public static let tileByteCounts: UInt16 = 325, sampleFormat: UInt16 = 339
        public static let modelPixelScale: UInt16 = 33550, modelTiepoint: UInt16 = 33922
        public static let geoKeyDirectory: UInt16 = 34735, geoDoubleParams: UInt16 = 34736, geoAsciiParams: UInt16 = 34737
        public static let gdalMetadata: UInt16 = 42112, gdalNodata: UInt16 = 42113
    }

    /// Tag values by tag number.
    public var tags: [UInt16: Value] = [:]
    /// Strip (or tile, when `tile` is set) payloads, written in order after the header.
    public var blocks: [[UInt8]] = []
    /// Tile size; nil writes strips.
    public var tile: (width: Int, height: Int)?
    /// The "next IFD" offset written after the IFD. nil = 0 (last IFD); `.loopToSelf` points back at the IFD.
    public var nextIFD: NextIFD = .none

    /// What follows the IFD.
    public enum NextIFD: Sendable { case none, loopToSelf, offset(UInt32) }

    /// A baseline single-band image: width, height, bits, sample format (1 uint, 2 int, 3 float,
    /// 5/6 complex), uncompressed, one strip holding `pixels` (little-endian sample bytes).
    public init(width: Int, height: Int, bitsPerSample: Int = 8, sampleFormat: Int = 1, samplesPerPixel: Int = 1,
                pixels: [UInt8]? = nil) {
        tags[Tag.imageWidth] = .long([UInt32(truncatingIfNeeded: width)])
        tags[Tag.imageLength] = .long([UInt32(truncatingIfNeeded: height)])
        tags[Tag.bitsPerSample] = .short(Array(repeating: UInt16(bitsPerSample), count: max(1, samplesPerPixel)))
        tags[Tag.compression] = .short([1])
        tags[Tag.photometric] = .short([1])
        tags[Tag.samplesPerPixel] = .short([UInt16(samplesPerPixel)])
        tags[Tag.rowsPerStrip] = .long([UInt32(truncatingIfNeeded: height)])
        tags[Tag.planarConfig] = .short([1])
        tags[Tag.sampleFormat] = .short(Array(repeating: UInt16(sampleFormat), count: max(1, samplesPerPixel)))
        let bytes = (width * height * samplesPerPixel * bitsPerSample + 7) / 8
        blocks = [pixels ?? [UInt8](repeating: 7, count: max(0, min(bytes, 1 << 24)))]
    }

    /// A north-up georeference: pixel size `scale`, upper-left corner (x, y), EPSG code as a projected CRS.
    public mutating func georeference(scale: Double, x: Double, y: Double, epsg: UInt16 = 32650) {
        tags[Tag.modelPixelScale] = .double([scale, scale, 0])
        tags[Tag.modelTiepoint] = .double([0, 0, 0, x, y, 0])
        // GTModelType=Projected, GTRasterType=PixelIsArea, ProjectedCSType=epsg.
        tags[Tag.geoKeyDirectory] = .short([1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, epsg])
    }

    /// The file bytes.
    public func build() -> [UInt8] {
        var out: [UInt8] = [0x49, 0x49, 42, 0, 0, 0, 0, 0]
        var offsets: [UInt32] = [], counts: [UInt32] = []
        for b in blocks {
            offsets.append(UInt32(out.count)); counts.append(UInt32(b.count))
            out += b
            if out.count % 2 == 1 { out.append(0) }
        }
        var tags = self.tags
        let (offTag, cntTag) = tile == nil ? (Tag.stripOffsets, Tag.stripByteCounts) : (Tag.tileOffsets, Tag.tileByteCounts)
        if let tile {
            tags[Tag.tileWidth] = tags[Tag.tileWidth] ?? .long([UInt32(tile.width)])
            tags[Tag.tileLength] = tags[Tag.tileLength] ?? .long([UInt32(tile.height)])
            tags[Tag.rowsPerStrip] = nil
        }
        if tags[offTag] == nil { tags[offTag] = .long(offsets) }
        if tags[cntTag] == nil { tags[cntTag] = .long(counts) }

        // Encode entries; values over 4 bytes go out of line, before the IFD.
        let sorted = tags.sorted { $0.key < $1.key }
        var encoded: [(tag: UInt16, type: UInt16, count: UInt32, bytes: [UInt8])] = []
        for (tag, value) in sorted {
            switch value {
            case .short(let v): encoded.append((tag, 3, UInt32(v.count), v.flatMap { Self.le($0) }))
            case .long(let v): encoded.append((tag, 4, UInt32(v.count), v.flatMap { Self.le($0) }))
            case .double(let v): encoded.append((tag, 12, UInt32(v.count), v.flatMap { Self.le($0.bitPattern) }))
            case .ascii(let s): let b = Array(s.utf8) + [0]; encoded.append((tag, 2, UInt32(b.count), b))
            case .raw(let t, let c, let b): encoded.append((tag, t, c, b))
            }
        }
        var valueOffset: [Int: UInt32] = [:]
        for (i, e) in encoded.enumerated() where e.bytes.count > 4 {
            valueOffset[i] = UInt32(out.count)
            out += e.bytes
            if out.count % 2 == 1 { out.append(0) }
        }
        let ifd = UInt32(out.count)
        out.replaceSubrange(4..<8, with: Self.le(ifd))
        out += Self.le(UInt16(encoded.count))
        for (i, e) in encoded.enumerated() {
            out += Self.le(e.tag) + Self.le(e.type) + Self.le(e.count)
            if let off = valueOffset[i] { out += Self.le(off) } else { out += e.bytes + [UInt8](repeating: 0, count: 4 - e.bytes.count) }
        }
        switch nextIFD {
        case .none: out += Self.le(UInt32(0))
        case .loopToSelf: out += Self.le(ifd)
        case .offset(let o): out += Self.le(o)
        }
        return out
    }

    /// Writes `build()` to `url`.
    public func write(to url: URL) throws {
        try Data(build()).write(to: url)
    }

    /// Little-endian bytes of an integer.
    public static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        withUnsafeBytes(of: v.littleEndian) { Array($0) }
    }

    /// Little-endian bytes of Float32 samples.
    public static func floats(_ v: [Float]) -> [UInt8] { v.flatMap { le($0.bitPattern) } }
}

/// zlib, loaded at run time from the system's libz (libpng and libtiff already depend on it), so
/// tests can make real DEFLATE payloads and PNG CRCs without a C module in the test graph.
public enum Zlib {
    private typealias Compress2 = @convention(c) (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt>, UnsafePointer<UInt8>, UInt, Int32) -> Int32
    private typealias CRC32 = @convention(c) (UInt, UnsafePointer<UInt8>?, UInt32) -> UInt
    private typealias Uncompress = @convention(c) (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt>, UnsafePointer<UInt8>, UInt) -> Int32

    nonisolated(unsafe) private static let handle: UnsafeMutableRawPointer? = dlopen("libz.so.1", RTLD_NOW)

    /// `compress2(level 9)`: a zlib stream (the TIFF DEFLATE and PNG IDAT/zTXt payload format).
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        guard let sym = dlsym(handle, "compress2") else { fatalError("libz.so.1 compress2 not found") }
        let f = unsafeBitCast(sym, to: Compress2.self)
        var outLen = UInt(input.count + input.count / 100 + 64)
        var out = [UInt8](repeating: 0, count: Int(outLen))
        let rc = input.withUnsafeBufferPointer { src in
            f(&out, &outLen, src.baseAddress ?? UnsafePointer(bitPattern: 1)!, UInt(input.count), 9)
        }
        precondition(rc == 0, "compress2 failed: \(rc)")
        return Array(out.prefix(Int(outLen)))
    }

    /// `uncompress`: the bytes a zlib stream inflates to, or nil unless it is a valid stream of exactly `size` bytes.
    /// zlib is the strict reference decoder (it refuses incomplete Huffman codes, which libdeflate accepts).
    public static func uncompress(_ stream: [UInt8], size: Int) -> [UInt8]? {
        guard let sym = dlsym(handle, "uncompress") else { fatalError("libz.so.1 uncompress not found") }
        let f = unsafeBitCast(sym, to: Uncompress.self)
        var out = [UInt8](repeating: 0, count: max(size, 1))
        var outLen = UInt(size)
        let rc = stream.withUnsafeBufferPointer { src in
            f(&out, &outLen, src.baseAddress ?? UnsafePointer(bitPattern: 1)!, UInt(stream.count))
        }
        return rc == 0 && outLen == UInt(size) ? Array(out.prefix(size)) : nil
    }

    /// CRC-32 as PNG chunks use it.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        guard let sym = dlsym(handle, "crc32") else { fatalError("libz.so.1 crc32 not found") }
        let f = unsafeBitCast(sym, to: CRC32.self)
        return UInt32(truncatingIfNeeded: bytes.withUnsafeBufferPointer { f(0, $0.baseAddress, UInt32($0.count)) })
    }
}
