import Foundation
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// Reader-level hostile TIFFs, each built byte by byte with `TIFFBuilder` so the class is exact.
/// Every case: a typed error that names the file and the cause (or, where the file is valid but odd,
/// a correct decode), no crash or hang of `tilepipe info`, one stderr line, exit 1, input untouched.
final class HostileTIFFTests: XCTestCase {
    private var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("hostile-tiff") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// A valid 16×16 UInt8 ramp, the base every mutation starts from.
    private func ramp() -> TIFFBuilder {
        var b = TIFFBuilder(width: 16, height: 16, pixels: (0..<256).map { UInt8($0) })
        b.georeference(scale: 10, x: 500_000, y: 2_800_000)
        return b
    }

    /// Either a correct decode (checked by `check`) or a typed rejection naming the file; in both cases
    /// `tilepipe info` neither crashes nor hangs and the input is untouched. Returns the error, if any.
    @discardableResult
    private func assertHandled(_ path: String, check: (AnyRaster) -> Void) throws -> RasterIOError? {
        let before = HostileHarness.snapshot(path)
        var failure: RasterIOError?
        do {
            check(try RasterFile.read(path: path))
        } catch let e as RasterIOError {
            XCTAssertEqual(e.path, path)
            XCTAssertFalse(e.reason.isEmpty)
            failure = e
        }
        if let tp = HostileHarness.binary {
            let r = try HostileHarness.runChild(tp, ["info", "--", path])
            XCTAssertFalse(r.timedOut || r.signalled, "\(path): tilepipe info hung or crashed: \(r.stderr)")
            XCTAssertEqual(r.status, failure == nil ? 0 : 1, "\(path): \(r.stderr)")
            if failure != nil {
                XCTAssertEqual(r.errorLines.count, 1, r.stderr)
                XCTAssertTrue(r.stderr.contains(path), r.stderr)
            }
        }
        XCTAssertEqual(HostileHarness.snapshot(path), before, "input modified")
        return failure
    }

    func testTheBaseFileIsValid() throws {
        // Guards every mutation below: the unmutated builder output decodes to the ramp.
        let path = try file("ramp.tif", ramp().build())
        let r = try RasterFile.read(path: path)
        XCTAssertEqual(r.floatBand(0), (0..<256).map(Float.init))
        XCTAssertEqual(r.geo?.transform.coefficients, [500_000, 10, 0, 2_800_000, 0, -10])
        XCTAssertNotNil(try HostileHarness.assertInfoSucceeds(path))
    }

    func testZeroByteHeaderOnlyTruncatedAndText() throws {
        try HostileHarness.assertRejected(try file("zero.tif", []), kinds: ["corrupt"], cause: "empty")
        let full = ramp().build()
        try HostileHarness.assertRejected(try file("header-only.tif", Array(full.prefix(8))), kinds: ["corrupt"], cause: "directory")
        for n in [4, 7, 100, full.count / 2, full.count - 20] {
            try HostileHarness.assertRejected(try file("truncated-\(n).tif", Array(full.prefix(n))), kinds: ["corrupt"], cause: "not a readable TIFF")
        }
        try HostileHarness.assertRejected(try file("text.tif", Array("this is a text file, not a TIFF\n".utf8)),
                                          kinds: ["corrupt"], cause: "not a TIFF")
    }

    func testTIFFNamedPNGIsReadByItsBytes() throws {
        // Formats are sniffed by signature, never by name: a TIFF called .png decodes as the TIFF it is.
        let path = try file("really-a-tiff.png", ramp().build())
        XCTAssertEqual(try RasterFile.sniff(path), .tiff)
        XCTAssertEqual(try RasterFile.read(path: path).floatBand(0), (0..<256).map(Float.init))
    }

    func testHugeDeclaredDimensionsAreRefusedBeforeAllocation() throws {
        var b = ramp()
        b.tags[TIFFBuilder.Tag.imageWidth] = .long([100_000]); b.tags[TIFFBuilder.Tag.imageLength] = .long([100_000])
        b.tags[TIFFBuilder.Tag.rowsPerStrip] = .long([1])
        try HostileHarness.assertRejected(try file("huge.tif", b.build()), kinds: ["limit"], cause: "exceeds the limit")
        b.tags[TIFFBuilder.Tag.imageWidth] = .long([UInt32.max]); b.tags[TIFFBuilder.Tag.imageLength] = .long([UInt32.max])
        try HostileHarness.assertRejected(try file("huge-max.tif", b.build()), kinds: ["limit", "corrupt"], cause: "")
    }

    func testWidthZero() throws {
        var b = ramp()
        b.tags[TIFFBuilder.Tag.imageWidth] = .long([0])
        try HostileHarness.assertRejected(try file("width0.tif", b.build()), kinds: ["corrupt"], cause: "zero")
    }

    func testStripOffsetAndByteCountPastEndOfFile() throws {
        var b = ramp()
        b.tags[TIFFBuilder.Tag.stripOffsets] = .long([1_000_000])
        try HostileHarness.assertRejected(try file("offset-past-eof.tif", b.build()), kinds: ["corrupt"], cause: "read error")
        b = ramp()
        b.tags[TIFFBuilder.Tag.stripByteCounts] = .long([1 << 30])
        try assertHandled(try file("count-past-eof.tif", b.build())) { r in
            // libtiff clamps the count to the file; if it decodes, the pixels must be the real ones.
            XCTAssertEqual(r.floatBand(0), (0..<256).map(Float.init))
        }
    }

    func testDecompressionBombIsCappedByTheLimits() throws {
        // 4096×4096 bytes of zeros in one DEFLATE strip of a few KiB.
        var b = TIFFBuilder(width: 4096, height: 4096, pixels: Zlib.compress([UInt8](repeating: 0, count: 4096 * 4096)))
        b.tags[TIFFBuilder.Tag.compression] = .short([8])
        let bytes = b.build()
        XCTAssertLessThan(bytes.count, 64 * 1024)
        let path = try file("bomb.tif", bytes)
        try HostileHarness.assertRejected(path, kinds: ["limit"], cause: "limit",
                                          limits: ResourceLimits(maxDecodedBytes: 1 << 20))
        // Under the default limits the same file is legitimate and decodes to zeros.
        let r = try GeoTIFFReader(path: path).read(window: Window(x: 4000, y: 4000, width: 96, height: 96))
        XCTAssertEqual(Set(r.floatBand(0)), [0])
    }

    func testStripThatInflatesPastItsDeclaredSize() throws {
        // A 16×16 image whose strip is a DEFLATE stream of 64 MiB: the decoder must stop at 256 bytes.
        var b = TIFFBuilder(width: 16, height: 16, pixels: Zlib.compress([UInt8](repeating: 9, count: 64 << 20)))
        b.tags[TIFFBuilder.Tag.compression] = .short([8])
        try assertHandled(try file("overlong-strip.tif", b.build())) { r in
            XCTAssertEqual(r.floatBand(0), [Float](repeating: 9, count: 256))
        }
    }

    func testCorruptDeflateAndUnknownCompression() throws {
        var b = TIFFBuilder(width: 16, height: 16, pixels: [0x78, 0x9C] + (0..<64).map { UInt8(($0 * 37) & 0xFF) })
        b.tags[TIFFBuilder.Tag.compression] = .short([8])
        try HostileHarness.assertRejected(try file("bad-deflate.tif", b.build()), kinds: ["corrupt"], cause: "decod")
        b = ramp()
        b.tags[TIFFBuilder.Tag.compression] = .short([12345])
        try HostileHarness.assertRejected(try file("unknown-codec.tif", b.build()), kinds: ["unsupported", "corrupt"], cause: "compression")
    }

    func testRowsPerStripZero() throws {
        var b = ramp()
        b.tags[TIFFBuilder.Tag.rowsPerStrip] = .long([0])
        try assertHandled(try file("rps0.tif", b.build())) { r in
            // Read as one strip (as GDAL does); then the pixels are the ramp.
            XCTAssertEqual(r.floatBand(0), (0..<256).map(Float.init))
        }
    }

    func testIFDLoopDoesNotHang() throws {
        var b = ramp()
        b.nextIFD = .loopToSelf
        try assertHandled(try file("ifd-loop.tif", b.build())) { r in
            XCTAssertEqual(r.floatBand(0), (0..<256).map(Float.init))
        }
        b.nextIFD = .offset(8)   // points at the header's end: garbage IFD
        try assertHandled(try file("ifd-garbage.tif", b.build())) { r in
            XCTAssertEqual(r.width, 16)
        }
    }

    func testUnusualSampleFormats() throws {
        // Complex: never supported; say so.
        let complex = TIFFBuilder(width: 4, height: 4, bitsPerSample: 64, sampleFormat: 6)
        try HostileHarness.assertRejected(try file("complex.tif", complex.build()), kinds: ["unsupported"], cause: "complex")
        // 1-bit: bytes 0b1010_0000 per row of 4 pixels -> 1,0,1,0.
        var onebit = TIFFBuilder(width: 4, height: 2, bitsPerSample: 1, pixels: [0b1010_0000, 0b0101_0000])
        onebit.tags[TIFFBuilder.Tag.photometric] = .short([1])
        try assertHandled(try file("1bit.tif", onebit.build())) { r in
            XCTAssertEqual(r.floatBand(0), [1, 0, 1, 0, 0, 1, 0, 1])
        }
        // 12-bit: two samples 0xABC, 0x123 packed MSB-first in 3 bytes.
        let twelve = TIFFBuilder(width: 2, height: 1, bitsPerSample: 12, pixels: [0xAB, 0xC1, 0x23])
        try assertHandled(try file("12bit.tif", twelve.build())) { r in
            XCTAssertEqual(r.floatBand(0), [0xABC, 0x123])
        }
        // float16: 1.0 = 0x3C00, -2.0 = 0xC000.
        let half = TIFFBuilder(width: 2, height: 1, bitsPerSample: 16, sampleFormat: 3, pixels: [0x00, 0x3C, 0x00, 0xC0])
        try assertHandled(try file("half.tif", half.build())) { r in
            XCTAssertEqual(r.floatBand(0), [1, -2])
        }
    }

    func testBrokenGeoKeysZeroPixelSizeAndNaNTiePoint() throws {
        var b = ramp()
        // A directory claiming 50 keys but holding one, and a key pointing past the double params.
        b.tags[TIFFBuilder.Tag.geoKeyDirectory] = .short([1, 1, 0, 50, 3072, 34736, 1, 99])
        try assertHandled(try file("broken-geokeys.tif", b.build())) { r in
            XCTAssertEqual(r.floatBand(0), (0..<256).map(Float.init))
        }
        b = ramp()
        b.tags[TIFFBuilder.Tag.modelPixelScale] = .double([0, 0, 0])
        try HostileHarness.assertRejected(try file("zero-pixel.tif", b.build()), kinds: ["corrupt"], cause: "pixel size")
        b = ramp()
        b.tags[TIFFBuilder.Tag.modelTiepoint] = .double([0, 0, 0, .nan, 2_800_000, 0])
        try HostileHarness.assertRejected(try file("nan-tie.tif", b.build()), kinds: ["corrupt"], cause: "non-finite")
    }

    func testNaNInfDataAndAllNodataAreValid() throws {
        let values: [Float] = [.nan, .infinity, -.infinity, 1, 2, 3, .nan, 4]
        let b = TIFFBuilder(width: 4, height: 2, bitsPerSample: 32, sampleFormat: 3, pixels: TIFFBuilder.floats(values))
        let path = try file("nan-inf.tif", b.build())
        let r = try RasterFile.read(path: path)
        XCTAssertEqual(r.floatBand(0).map { $0.isNaN ? -999 : $0 }, values.map { $0.isNaN ? -999 : $0 })
        let s = r.statistics(band: 0)
        XCTAssertTrue(s.mean.isFinite, "statistics must skip NaN/Inf, got mean \(s.mean)")
        XCTAssertNotNil(try HostileHarness.assertInfoSucceeds(path))

        var nd = TIFFBuilder(width: 16, height: 16, pixels: [UInt8](repeating: 0, count: 256))
        nd.tags[TIFFBuilder.Tag.gdalNodata] = .ascii("0")
        let ndPath = try file("all-nodata.tif", nd.build())
        let all = try RasterFile.read(path: ndPath)
        XCTAssertEqual(all.statistics(band: 0).validCount, 0)
        XCTAssertTrue(all.floatBand(0).allSatisfy(\.isNaN))
        XCTAssertNotNil(try HostileHarness.assertInfoSucceeds(ndPath))
    }

    func testUnparseableNodata() throws {
        var b = ramp()
        b.tags[TIFFBuilder.Tag.gdalNodata] = .ascii("not-a-number")
        try HostileHarness.assertRejected(try file("bad-nodata.tif", b.build()), kinds: ["corrupt"], cause: "not-a-number")
    }

    func testMismatchedTileSizesAndTooFewTileOffsets() throws {
        // Tile 16×16 declared, but a 40×40 image given only 4 of its 9 tiles.
        var b = TIFFBuilder(width: 40, height: 40, pixels: [UInt8](repeating: 5, count: 256))
        b.tile = (16, 16)
        b.blocks = Array(repeating: [UInt8](repeating: 5, count: 256), count: 4)
        try assertHandled(try file("few-tiles.tif", b.build())) { r in
            XCTAssertEqual(r.width, 40)
        }
        // Tile 17×13: not multiples of 16 (TIFF 6.0 forbids it); each block's byte count is too small.
        b = TIFFBuilder(width: 34, height: 26, pixels: [])
        b.tile = (17, 13)
        b.blocks = Array(repeating: [UInt8](repeating: 3, count: 100), count: 4)
        try assertHandled(try file("odd-tiles.tif", b.build())) { r in
            XCTAssertEqual(r.width, 34)
        }
    }
}
