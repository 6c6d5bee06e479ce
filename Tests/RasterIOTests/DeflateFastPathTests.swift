import Foundation
import RasterCore
@testable import RasterIO
import TestSupport
import XCTest

/// The libdeflate fast path for DEFLATE blocks (`rs_deflate_read_block`) against libtiff's own zlib decode of the
/// same file (`deflateFastPath: false`): bit-identical pixels, or the identical error, for every sample type,
/// predictor, interleave and block layout, for GDAL's corpus, and for blocks the fast path must hand back to libtiff
/// (over-long, short, corrupt). The block counters prove which path each block took, so these tests fail if the fast
/// path silently stops being used.
final class DeflateFastPathTests: XCTestCase {
    private var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("deflate-fast") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    // MARK: - Harness

    /// What one reader did: the decoded sample bytes or the error, and how many blocks each path decoded.
    struct Outcome {
        var result: Result<[UInt8], RasterIOError>
        var fast: Int, fallback: Int
        var summary: String {
            switch result {
            case .success(let b): "\(b.count) bytes"
            case .failure(let e): "\(e.kind): \(e.reason)"
            }
        }
    }

    private func decode(_ path: String, fastPath: Bool, window: Window? = nil, bands: [Int]? = nil) throws -> Outcome {
        let reader = try GeoTIFFReader(path: path, limits: .default, deflateFastPath: fastPath)
        let result: Result<[UInt8], RasterIOError>
        do { result = .success(SyntheticRasters.bytes(try reader.read(window: window, bands: bands))) } catch let e as RasterIOError {
            result = .failure(e)
        }
        return Outcome(result: result, fast: reader.fastDeflateBlocks, fallback: reader.fallbackDeflateBlocks)
    }

    /// Decodes `path` with the fast path and with libtiff only; fails unless both give the same bytes or the same
    /// error. Returns the fast-path reader's outcome.
    @discardableResult
    private func assertSameBothWays(_ path: String, window: Window? = nil, bands: [Int]? = nil, _ label: String,
                                    file: StaticString = #filePath, line: UInt = #line) throws -> Outcome {
        let fast = try decode(path, fastPath: true, window: window, bands: bands)
        let slow = try decode(path, fastPath: false, window: window, bands: bands)
        XCTAssertEqual(slow.fast + slow.fallback, 0, "the libtiff-only reader used the fast path: \(label)", file: file, line: line)
        switch (fast.result, slow.result) {
        case (.success(let a), .success(let b)):
            XCTAssertTrue(a == b, "pixels differ between libdeflate and libtiff: \(label)", file: file, line: line)
        case (.failure(let a), .failure(let b)):
            XCTAssertEqual(a, b, "errors differ: \(label)", file: file, line: line)
        default:
            XCTFail("fast path \(fast.summary), libtiff \(slow.summary): \(label)", file: file, line: line)
        }
        return fast
    }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    // MARK: - Files of our writer (tiled, pixel-interleaved)

    func testWriterFilesEverySampleTypeAndPredictor() throws {
        try writerCases(UInt8.self)
        try writerCases(Int8.self)
        try writerCases(UInt16.self)
        try writerCases(Int16.self)
        try writerCases(UInt32.self)
        try writerCases(Int32.self)
        try writerCases(Float.self)
        try writerCases(Double.self)
    }

    private func writerCases<S: RasterSample>(_ type: S.Type) throws {
        let predictors = S.sampleType.isFloatingPoint ? [1, 2, 3] : [1, 2]
        for bands in [1, 3] {
            // 37×21 with 16-pixel tiles: 3×2 tiles, the right and bottom ones partial.
            let src = SyntheticRasters.make(S.self, width: 37, height: 21, bands: bands)
            for p in predictors {
                let label = "writer \(S.sampleType) predictor \(p) \(bands) band(s)"
                let file = path("w-\(S.sampleType)-p\(p)-b\(bands).tif")
                try GeoTIFFWriter.write(src, to: file, options: .init(compression: .deflate, predictor: p, tileSize: 16))
                let o = try assertSameBothWays(file, label)
                XCTAssertTrue(try o.result.get() == SyntheticRasters.bytes(src), "not the source samples: \(label)")
                XCTAssertEqual(o.fast, 6, "fast-path blocks: \(label)")
                XCTAssertEqual(o.fallback, 0, label)
                // A window across tile edges, last band only.
                let w = try assertSameBothWays(file, window: Window(x: 7, y: 5, width: 25, height: 14), bands: [bands - 1], label + " window")
                XCTAssertTrue(try w.result.get() == SyntheticRasters.bytes(src.selectingBands([bands - 1]), window: Window(x: 7, y: 5, width: 25, height: 14)), "window: \(label)")
            }
        }
    }

    func testFastPathIsTakenForTheNDVIJobLayout() throws {
        // The benchmark's layout: 6-band UInt16, predictor 2, pixel-interleaved, 256² tiles (here 2×2 tiles).
        let src = SyntheticRasters.make(UInt16.self, width: 300, height: 260, bands: 6)
        let file = path("ndvi-like.tif")
        try GeoTIFFWriter.write(src, to: file, options: .init(compression: .deflate, predictor: 2, tileSize: 256))
        let reader = try GeoTIFFReader(path: file)
        XCTAssertTrue(SyntheticRasters.bytes(try reader.read(UInt16.self)) == SyntheticRasters.bytes(src), "not the source samples")
        XCTAssertEqual(reader.fastDeflateBlocks, 4, "every tile should be decoded by libdeflate")
        XCTAssertEqual(reader.fallbackDeflateBlocks, 0)
        _ = try reader.read(UInt16.self, window: Window(x: 0, y: 0, width: 10, height: 10), bands: [3])
        XCTAssertEqual(reader.fastDeflateBlocks, 5, "the counter is per reader and counts every block")
    }

    // MARK: - Files built byte by byte: strips and tiles, pixel- and band-interleaved

    /// One stored sample type: bytes per sample, SampleFormat, and band-sequential little-endian source bytes of a
    /// 3-band 37×21 image, with the sample bytes libtiff returns for them (differs for half floats only).
    private struct Kind {
        var name: String, bytes: Int, format: Int, source: [UInt8], decoded: [UInt8]
        var predictors: [Int] { format == 3 ? [1, 2, 3] : [1, 2] }
    }

    private static let width = 37, height = 21, bands = 3

    private func kind<S: RasterSample>(_ type: S.Type) -> Kind {
        let r = SyntheticRasters.make(S.self, width: Self.width, height: Self.height, bands: Self.bands, seed: 7)
        let b = SyntheticRasters.bytes(r)
        let t = S.sampleType
        return Kind(name: "\(t)", bytes: t.byteWidth, format: t.isFloatingPoint ? 3 : t.isSignedInteger ? 2 : 1, source: b, decoded: b)
    }

    private func halfKind() -> Kind {
        var rng = SplitMix64(seed: 16)
        var halves: [UInt16] = []
        for i in 0..<(Self.width * Self.height * Self.bands) {
            // Smooth values (so predictors matter), random bit patterns (NaN, inf, subnormals included).
            let smooth = 0x3C00 + (i % 97) * 4
            halves.append(i % 3 == 0 ? UInt16(truncatingIfNeeded: rng.next()) : UInt16(smooth))
        }
        let floats = halves.map { GeoTIFFReader.halfToFloat($0).bitPattern }
        return Kind(name: "float16", bytes: 2, format: 3, source: halves.flatMap { TIFFBuilder.le($0) },
                    decoded: floats.flatMap { TIFFBuilder.le($0) })
    }

    func testEveryLayoutSampleTypeAndPredictorMatchesLibtiff() throws {
        let kinds = [kind(UInt8.self), kind(Int8.self), kind(UInt16.self), kind(Int16.self), kind(UInt32.self),
                     kind(Int32.self), kind(Float.self), kind(Double.self), halfKind()]
        var files = 0
        for k in kinds {
            for p in k.predictors {
                for separate in [false, true] {
                    // 16² tiles (3×2 per plane, edge tiles partial); strips of 5 rows (the last holds 1 row);
                    // the same with a last strip that stores all 5 rows (odd files in the wild do).
                    for layout in ["tiles16", "strips5", "strips5-padded"] {
                        let tile: (Int, Int)? = layout == "tiles16" ? (16, 16) : nil
                        let label = "\(k.name) predictor \(p) \(separate ? "band" : "pixel")-interleaved \(layout)"
                        let file = path("b-\(k.name)-p\(p)-\(separate ? "sep" : "contig")-\(layout).tif")
                        let b = Self.deflateTIFF(k.source, width: Self.width, height: Self.height, bands: Self.bands,
                                                 sampleBytes: k.bytes, format: k.format, predictor: p, separate: separate,
                                                 tile: tile, rowsPerStrip: 5, padLastStrip: layout == "strips5-padded",
                                                 compression: files % 2 == 0 ? 8 : 32946)
                        try Data(b.bytes).write(to: URL(fileURLWithPath: file))
                        files += 1
                        let o = try assertSameBothWays(file, label)
                        XCTAssertTrue(try o.result.get() == k.decoded, "not the source samples: \(label)")
                        XCTAssertEqual(o.fast, b.blockCount, "fast-path blocks: \(label)")
                        XCTAssertEqual(o.fallback, 0, label)
                        try assertSameBothWays(file, window: Window(x: 3, y: 4, width: 30, height: 12), bands: [2, 0], label + " window")
                    }
                }
            }
        }
        print("fast path vs libtiff: \(files) hand-built DEFLATE files bit-identical")
    }

    /// Horizontal differencing of interleaved 16-bit samples has its own loop for each pixel width 1–8 (the 6-band
    /// UInt16 scenes) and the generic one above 8: every width from 1 to 10 against libtiff, tiles and strips.
    func testUInt16PredictorTwoEveryPixelWidthMatchesLibtiff() throws {
        for bands in 1...10 {
            let count = Self.width * Self.height * bands
            let source = (0..<count).flatMap { i in TIFFBuilder.le(UInt16(truncatingIfNeeded: (i &* 2_654_435_761) >> 7)) }
            for tile in [(16, 16), nil] as [(Int, Int)?] {
                let label = "UInt16 × \(bands) predictor 2 \(tile == nil ? "strips" : "tiles")"
                let b = Self.deflateTIFF(source, width: Self.width, height: Self.height, bands: bands, sampleBytes: 2, format: 1,
                                         predictor: 2, separate: false, tile: tile, rowsPerStrip: 5, padLastStrip: false, compression: 8)
                let file = path("u16-\(bands)-\(tile == nil ? "s" : "t").tif")
                try Data(b.bytes).write(to: URL(fileURLWithPath: file))
                let o = try assertSameBothWays(file, label)
                XCTAssertEqual(o.fast, b.blockCount, "fast-path blocks: \(label)")
            }
        }
    }

    /// Band-separate files: a read of some bands decodes only those bands' blocks (issue 9: "read only the bands a
    /// pipeline needs"), and the samples are those of the source.
    func testBandSeparateReadDecodesOnlyTheRequestedBands() throws {
        let k = kind(UInt16.self)
        let file = path("separate-subset.tif")
        let b = Self.deflateTIFF(k.source, width: Self.width, height: Self.height, bands: Self.bands, sampleBytes: 2, format: 1,
                                 predictor: 2, separate: true, tile: (16, 16), rowsPerStrip: 5, padLastStrip: false, compression: 8)
        try Data(b.bytes).write(to: URL(fileURLWithPath: file))
        let perPlane = b.blockCount / Self.bands
        let reader = try GeoTIFFReader(path: file)
        let one: Raster<UInt16> = try reader.read(UInt16.self, window: nil, bands: [1])
        XCTAssertEqual(reader.fastDeflateBlocks, perPlane, "one band of \(Self.bands) should decode one plane's blocks")
        let n = Self.width * Self.height
        XCTAssertEqual(SyntheticRasters.bytes(one), Array(k.source[(2 * n)..<(4 * n)]), "band 2's samples")
        _ = try reader.read(UInt16.self, window: nil, bands: [2, 0])
        XCTAssertEqual(reader.fastDeflateBlocks, 3 * perPlane, "two more bands, two more planes")
    }

    func testPackedSamplesTakeTheFastPathOnlyWithoutPredictor() throws {
        for bits in [4, 12] {
            // 5×7, one band, strips of 3 rows: rows end inside a byte.
            let (w, h) = (5, 7)
            let values = (0..<(w * h)).map { ($0 * 913 + 417) & ((1 << bits) - 1) }
            let rowBytes = (w * bits + 7) / 8
            var blocks: [[UInt8]] = []
            for y0 in stride(from: 0, to: h, by: 3) {
                var raw: [UInt8] = []
                for y in y0..<min(y0 + 3, h) {
                    var row = [UInt8](repeating: 0, count: rowBytes)
                    for x in 0..<w {
                        for bit in 0..<bits where values[y * w + x] >> (bits - 1 - bit) & 1 == 1 {
                            let at = x * bits + bit
                            row[at / 8] |= 0x80 >> UInt8(at % 8)
                        }
                    }
                    raw += row
                }
                blocks.append(Zlib.compress(raw))
            }
            for p in [1, 2] {
                var b = TIFFBuilder(width: w, height: h, bitsPerSample: bits)
                b.tags[TIFFBuilder.Tag.compression] = .short([8])
                b.tags[TIFFBuilder.Tag.predictor] = .short([UInt16(p)])
                b.tags[TIFFBuilder.Tag.rowsPerStrip] = .long([3])
                b.blocks = blocks
                let file = path("packed-\(bits)-p\(p).tif")
                try b.write(to: URL(fileURLWithPath: file))
                let o = try assertSameBothWays(file, "\(bits)-bit predictor \(p)")
                if p == 1 {
                    let got = try XCTUnwrap(try? o.result.get())
                    let expected: [UInt8] = bits <= 8 ? values.map { UInt8($0) } : values.flatMap { TIFFBuilder.le(UInt16($0)) }
                    XCTAssertEqual(got, expected, "\(bits)-bit")
                    XCTAssertEqual(o.fast, 3, "\(bits)-bit predictor 1 takes the fast path")
                } else {
                    // libtiff refuses horizontal differencing on packed samples; the fast path never sees the file.
                    XCTAssertEqual(o.fast + o.fallback, 0, "\(bits)-bit predictor 2: \(o.summary)")
                }
            }
        }
    }

    // MARK: - Blocks the fast path hands back to libtiff

    /// A 16×16 UInt8 image in one DEFLATE strip whose stored bytes are `strip`.
    private func oneStrip(_ name: String, _ strip: [UInt8], byteCount: UInt32? = nil) throws -> String {
        var b = TIFFBuilder(width: 16, height: 16, pixels: strip)
        b.tags[TIFFBuilder.Tag.compression] = .short([8])
        if let byteCount { b.tags[TIFFBuilder.Tag.stripByteCounts] = .long([byteCount]) }
        let file = path(name)
        try b.write(to: URL(fileURLWithPath: file))
        return file
    }

    func testOverLongStreamsFallBackAndDecodeExactlyAsBefore() throws {
        // The regression of HostileTIFFTests.testStripThatInflatesPastItsDeclaredSize (64 MiB in a 256-byte strip),
        // and a short over-long stream (4 KiB) that libdeflate itself reports as not fitting.
        for (name, n) in [("overlong-64m.tif", 64 << 20), ("overlong-4k.tif", 4096)] {
            let file = try oneStrip(name, Zlib.compress([UInt8](repeating: 9, count: n)))
            let o = try assertSameBothWays(file, name)
            XCTAssertTrue(try o.result.get() == [UInt8](repeating: 9, count: 256), "not the 256 nines: \(name)")
            XCTAssertEqual(o.fast, 0, name)
            XCTAssertEqual(o.fallback, 1, "\(name): the fast path must hand the block to zlib")
        }
    }

    func testAbsurdRawSizeShortStreamBadChecksumAndBadDataFallBack() throws {
        let ramp = (0..<256).map { UInt8($0) }
        let good = Zlib.compress(ramp)
        var badAdler = good
        badAdler[badAdler.count - 1] ^= 0x5A
        var eof = good
        eof.removeLast(4)
        let cases: [(String, [UInt8], UInt32?)] = [
            // A valid stream followed by 300 KB of junk: a raw size no 256-byte block needs.
            ("absurd-count.tif", good + [UInt8](repeating: 0xA5, count: 300_000), nil),
            ("short-stream.tif", Zlib.compress([UInt8](repeating: 3, count: 100)), nil),
            ("bad-adler.tif", badAdler, nil),
            ("bad-data.tif", [0x78, 0x9C] + (0..<64).map { UInt8(($0 * 37) & 0xFF) }, nil),
            ("truncated-stream.tif", eof, nil),
            ("count-past-eof.tif", good, 1 << 20),
        ]
        for (name, strip, count) in cases {
            let o = try assertSameBothWays(try oneStrip(name, strip, byteCount: count), name)
            XCTAssertEqual(o.fast, 0, "\(name): \(o.summary)")
            XCTAssertEqual(o.fallback, 1, "\(name): \(o.summary)")
            print("fallback \(name): \(o.summary)")
        }
    }

    func testKnownDifferenceLibdeflateDecodesReservedLengthSymbolsZlibRefuses() throws {
        // The one known way the two paths differ, pinned so that a change is deliberate: libdeflate decodes the
        // RFC 1951 reserved length symbols 286/287 (as length 258) where zlib says "invalid literal/length code".
        // No conforming encoder writes them; libtiff's own libdeflate path (GDAL) decodes them the same way.
        // Stream: zlib header, one fixed-Huffman block: literal 'A', symbol 286 at distance 1, end of block.
        var bits: [Bool] = []
        func huffman(_ code: Int, _ n: Int) { for i in stride(from: n - 1, through: 0, by: -1) { bits.append(code >> i & 1 == 1) } }
        bits += [true, true, false]                      // BFINAL = 1, BTYPE = 01 (fixed), LSB first
        huffman(0x30 + 0x41, 8)                          // literal 'A'
        huffman(0xC0 + 286 - 280, 8)                     // reserved length symbol 286
        huffman(0, 5)                                    // distance code 0: distance 1
        huffman(0, 7)                                    // end of block
        var body = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (i, bit) in bits.enumerated() where bit { body[i / 8] |= 1 << UInt8(i % 8) }
        let decoded = [UInt8](repeating: 0x41, count: 259)
        var (a, b): (UInt32, UInt32) = (1, 0)          // Adler-32 of the output, big-endian after the data
        for byte in decoded { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        let stream = [0x78, 0x01] + body + [UInt8(b >> 8), UInt8(b & 0xFF), UInt8(a >> 8), UInt8(a & 0xFF)]
        var t = TIFFBuilder(width: 259, height: 1, pixels: stream)
        t.tags[TIFFBuilder.Tag.compression] = .short([8])
        let file = path("reserved-length-symbol.tif")
        try t.write(to: URL(fileURLWithPath: file))
        let fast = try decode(file, fastPath: true), slow = try decode(file, fastPath: false)
        XCTAssertTrue((try? fast.result.get()) == decoded, "fast path: \(fast.summary)")
        XCTAssertEqual(fast.fast, 1)
        guard case .failure(let e) = slow.result else { return XCTFail("zlib accepted symbol 286: \(slow.summary)") }
        XCTAssertTrue(e.reason.contains("invalid literal/length code"), e.reason)
    }

    func testByteSwappedFilesStayOnLibtiff() throws {
        guard TestData.hasTool("gdal_translate") else { throw Skip.because("gdal_translate (gdal-bin) absent") }
        let src = SyntheticRasters.make(Int16.self, width: 37, height: 21, bands: 2)
        let little = path("le.tif"), big = path("be.tif")
        try GeoTIFFWriter.write(src, to: little, options: .init(compression: .deflate, predictor: 2, tileSize: 16))
        let r = try TestData.run("gdal_translate", ["-q", "-co", "ENDIANNESS=BIG", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=2",
                                                    "-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16", little, big])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: big)).prefix(2)), [0x4D, 0x4D], "not big-endian")
        let o = try assertSameBothWays(big, "big-endian")
        XCTAssertTrue(try o.result.get() == SyntheticRasters.bytes(src), "big-endian: not the source samples")
        XCTAssertEqual(o.fast + o.fallback, 0, "a byte-swapped file must not reach the fast path")
    }

    // MARK: - GDAL's corpus

    func testEveryDeflateFileOfTheGDALCorpusMatchesLibtiff() throws {
        guard let data = TestData.sharedData else { throw Skip.because("shared data folder (../shared/data) absent") }
        let corpus = data.appendingPathComponent("gdal-autotest-rasters")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: corpus.path) else {
            throw Skip.because("GDAL autotest corpus absent at \(corpus.path)")
        }
        var files = 0, fast = 0, fallback = 0, refused = 0
        for name in names.sorted() {
            let file = corpus.appendingPathComponent(name).path
            guard (try? RasterFile.sniff(file)) == .tiff,
                  let reader = try? GeoTIFFReader(path: file, limits: .default, deflateFastPath: false),
                  reader.description.layout.compression == "DEFLATE" else { continue }
            files += 1
            let o = try assertSameBothWays(file, name)
            fast += o.fast
            fallback += o.fallback
            if case .failure = o.result { refused += 1 }
        }
        print("GDAL corpus: \(files) DEFLATE files identical both ways (\(refused) refused by both); \(fast) blocks by libdeflate, \(fallback) fell back")
        XCTAssertGreaterThanOrEqual(files, 10, "the corpus holds a dozen DEFLATE TIFFs")
        XCTAssertGreaterThan(fast, 0, "no corpus block took the fast path")
    }

    // MARK: - Encoder for the hand-built files

    /// A little-endian DEFLATE TIFF of `source` (band-sequential little-endian samples) encoded as libtiff does:
    /// blocks in TIFF order (plane, row, column), each row differenced as tif_predict.c's horDiff/fpDiff do,
    /// each block a zlib stream. Tiles are padded to full size; strips hold the image's rows only, unless
    /// `padLastStrip`. Returns the file and its block count.
    static func deflateTIFF(_ source: [UInt8], width: Int, height: Int, bands: Int, sampleBytes w: Int, format: Int,
                            predictor: Int, separate: Bool, tile: (Int, Int)?, rowsPerStrip: Int, padLastStrip: Bool,
                            compression: UInt16) -> (bytes: [UInt8], blockCount: Int) {
        let perPixel = separate ? 1 : bands
        let (bw, bh) = tile ?? (width, rowsPerStrip)
        let across = (width + bw - 1) / bw, down = (height + bh - 1) / bh
        var blocks: [[UInt8]] = []
        for plane in 0..<(separate ? bands : 1) {
            for by in 0..<down {
                for bx in 0..<across {
                    let rows = tile != nil || padLastStrip ? bh : min(bh, height - by * bh)
                    let rowBytes = bw * perPixel * w
                    var block = [UInt8](repeating: 0, count: rows * rowBytes)
                    for r in 0..<rows where by * bh + r < height {
                        for c in 0..<bw where bx * bw + c < width {
                            for k in 0..<perPixel {
                                let band = separate ? plane : k
                                let src = ((band * height + by * bh + r) * width + bx * bw + c) * w
                                let dst = r * rowBytes + (c * perPixel + k) * w
                                block.replaceSubrange(dst..<(dst + w), with: source[src..<(src + w)])
                            }
                        }
                    }
                    for r in 0..<rows {
                        differencing(&block, from: r * rowBytes, count: rowBytes, predictor: predictor, sampleBytes: w, pixelStride: perPixel)
                    }
                    blocks.append(Zlib.compress(block))
                }
            }
        }
        var b = TIFFBuilder(width: width, height: height, bitsPerSample: 8 * w, sampleFormat: format, samplesPerPixel: bands)
        b.tags[TIFFBuilder.Tag.compression] = .short([compression])
        b.tags[TIFFBuilder.Tag.predictor] = .short([UInt16(predictor)])
        b.tags[TIFFBuilder.Tag.planarConfig] = .short([separate ? 2 : 1])
        b.tags[TIFFBuilder.Tag.rowsPerStrip] = .long([UInt32(rowsPerStrip)])
        b.tile = tile.map { (width: $0.0, height: $0.1) }
        b.blocks = blocks
        return (b.build(), blocks.count)
    }

    /// tif_predict.c horDiff8/16/32/64 (predictor 2) or fpDiff (predictor 3) on one row of little-endian samples.
    static func differencing(_ buf: inout [UInt8], from start: Int, count: Int, predictor: Int, sampleBytes w: Int, pixelStride: Int) {
        switch predictor {
        case 2:
            let mask: UInt64 = w == 8 ? .max : (1 << (8 * UInt64(w))) - 1
            func load(_ i: Int) -> UInt64 { (0..<w).reduce(0) { $0 | UInt64(buf[start + i * w + $1]) << (8 * UInt64($1)) } }
            for i in stride(from: count / w - 1, through: pixelStride, by: -1) {
                let v = (load(i) &- load(i - pixelStride)) & mask
                for k in 0..<w { buf[start + i * w + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) }
            }
        case 3:
            let n = count / w
            let row = Array(buf[start..<(start + count)])
            for s in 0..<n {
                for b in 0..<w { buf[start + (w - b - 1) * n + s] = row[w * s + b] }
            }
            for i in stride(from: count - 1, through: pixelStride, by: -1) { buf[start + i] = buf[start + i] &- buf[start + i - pixelStride] }
        default:
            break
        }
    }
}
