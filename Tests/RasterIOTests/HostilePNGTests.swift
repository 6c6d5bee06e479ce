import Foundation
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// Reader-level hostile PNGs, assembled chunk by chunk (CRCs from the system zlib) so each class is exact.
final class HostilePNGTests: XCTestCase {
    private var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("hostile-png") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    private static func be32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }

    /// One chunk: length, type, data, CRC over type+data (`badCRC` flips the CRC).
    private static func chunk(_ type: String, _ data: [UInt8], badCRC: Bool = false) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = Zlib.crc32(body) ^ (badCRC ? 0xFFFF_FFFF : 0)
        return be32(UInt32(data.count)) + body + be32(crc)
    }

    private static func ihdr(width: UInt32, height: UInt32, badCRC: Bool = false) -> [UInt8] {
        chunk("IHDR", be32(width) + be32(height) + [8, 0, 0, 0, 0], badCRC: badCRC)
    }

    /// An 8×8 8-bit greyscale image holding 0...63, filter type 0 on every row.
    private static func idat8x8() -> [UInt8] {
        var raw: [UInt8] = []
        for y in 0..<8 { raw.append(0); raw += (0..<8).map { UInt8(y * 8 + $0) } }
        return chunk("IDAT", Zlib.compress(raw))
    }

    private func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    private let iend = chunk("IEND", [])

    func testTheBasePNGIsValid() throws {
        let path = try file("base.png", Self.signature + Self.ihdr(width: 8, height: 8) + Self.idat8x8() + iend)
        let img = try PNGImage.read(path: path)
        XCTAssertEqual(img.pixels8, (0..<64).map { UInt8($0) })
        XCTAssertNotNil(try HostileHarness.assertInfoSucceeds(path))
    }

    func testBadCriticalCRCIsAnError() throws {
        let path = try file("bad-ihdr-crc.png", Self.signature + Self.ihdr(width: 8, height: 8, badCRC: true) + Self.idat8x8() + iend)
        try HostileHarness.assertRejected(path, kinds: ["corrupt"], cause: "CRC")
    }

    func testBadAncillaryCRCDropsTheChunk() throws {
        // libpng's default, as GDAL: a bad CRC in tEXt is a warning and the chunk is discarded.
        let text = Self.chunk("tEXt", Array("Title".utf8) + [0] + Array("hello".utf8), badCRC: true)
        let path = try file("bad-text-crc.png", Self.signature + Self.ihdr(width: 8, height: 8) + text + Self.idat8x8() + iend)
        let img = try PNGImage.read(path: path)
        XCTAssertEqual(img.pixels8, (0..<64).map { UInt8($0) })
        XCTAssertFalse(img.text.contains { $0.key == "Title" }, "a chunk with a bad CRC must not be used")
        XCTAssertNotNil(try HostileHarness.assertInfoSucceeds(path))
    }

    func testTruncatedPNG() throws {
        let full = Self.signature + Self.ihdr(width: 8, height: 8) + Self.idat8x8() + iend
        for n in [8, 20, 33, full.count - 20] {
            try HostileHarness.assertRejected(try file("truncated-\(n).png", Array(full.prefix(n))), kinds: ["corrupt"], cause: "PNG")
        }
    }

    func testChunkDeclaringMoreThanTheFileHoldsIsRefusedBeforeAllocation() throws {
        // FuzzPNG's out-of-memory finding: a tEXt after IDAT declaring 1.85 GB in a 775-byte file made libpng
        // 1.6.39 allocate the declared length. The chunk table is now checked against the file size first.
        let header = Self.be32(1_853_095_965) + Array("tEXt".utf8) + Array("tiff:photometric".utf8)
        let path = try file("text-bomb.png", Self.signature + Self.ihdr(width: 8, height: 8) + Self.idat8x8() + header)
        try HostileHarness.assertRejected(path, kinds: ["corrupt"], cause: "past the end of the file")
        // A chunk inside the file but over the 1 MiB ancillary cap is refused too.
        let big = Self.chunk("tEXt", Array("k".utf8) + [0] + [UInt8](repeating: 65, count: 1 << 21))
        let capped = try file("text-big.png", Self.signature + Self.ihdr(width: 8, height: 8) + Self.idat8x8() + big + iend)
        try HostileHarness.assertRejected(capped, kinds: ["corrupt", "limit"], cause: "over the limit")
    }

    func testHugePNGIsRefusedBeforeAllocation() throws {
        // 2,000,000 columns: over libpng's 1,000,000 default user limit.
        let wide = try file("wide.png", Self.signature + Self.ihdr(width: 2_000_000, height: 1) + Self.idat8x8() + iend)
        try HostileHarness.assertRejected(wide, kinds: ["corrupt", "limit"], cause: "PNG")
        // 100,000 × 100,000 = 10^10 bytes: over the 2 GiB decoded-size cap.
        let big = try file("big.png", Self.signature + Self.ihdr(width: 100_000, height: 100_000) + Self.idat8x8() + iend)
        try HostileHarness.assertRejected(big, kinds: ["limit", "corrupt"], cause: "limit")
    }

    func testZTXtBombIsCapped() throws {
        // A zTXt chunk of ~64 KiB that inflates to 64 MiB: libpng's chunk cap (1 MiB) must drop it.
        let bomb = Zlib.compress([UInt8](repeating: 0x41, count: 64 << 20))
        XCTAssertLessThan(bomb.count, 256 * 1024)
        let ztxt = Self.chunk("zTXt", Array("Comment".utf8) + [0, 0] + bomb)
        let path = try file("ztxt-bomb.png", Self.signature + Self.ihdr(width: 8, height: 8) + ztxt + Self.idat8x8() + iend)
        do {
            let img = try PNGImage.read(path: path)
            XCTAssertEqual(img.pixels8, (0..<64).map { UInt8($0) })
            XCTAssertLessThanOrEqual(img.text.map(\.value.utf8.count).max() ?? 0, 1 << 20, "zTXt inflated past the chunk cap")
        } catch let e as RasterIOError {
            XCTAssertEqual(e.path, path)
        }
    }

    func testManyCompressedTextChunksStayBounded() throws {
        // Many small zTXt chunks that each inflate to megabytes: libpng keeps decoded text until the read
        // ends, so each chunk is capped at 1 MiB and the count at 128.
        let one = Self.chunk("zTXt", Array("Comment".utf8) + [0, 0] + Zlib.compress([UInt8](repeating: 0x42, count: 2 << 20)))
        var bytes = Self.signature + Self.ihdr(width: 8, height: 8)
        for _ in 0..<300 { bytes += one }
        bytes += Self.idat8x8() + iend
        XCTAssertLessThan(bytes.count, 2 << 20)
        let path = try file("many-ztxt.png", bytes)
        do {
            let img = try PNGImage.read(path: path)
            XCTAssertEqual(img.pixels8, (0..<64).map { UInt8($0) })
            XCTAssertLessThanOrEqual(img.text.map(\.value.utf8.count).max() ?? 0, 1 << 20)
            XCTAssertLessThanOrEqual(img.text.count, 128)
        } catch let e as RasterIOError {
            XCTAssertEqual(e.path, path)
        }
    }

    func testPNGNamedTifIsReadByItsBytes() throws {
        let path = try file("really-a-png.tif", Self.signature + Self.ihdr(width: 8, height: 8) + Self.idat8x8() + iend)
        XCTAssertEqual(try RasterFile.sniff(path), .png)
        XCTAssertEqual(try RasterFile.read(path: path).floatBand(0), (0..<64).map(Float.init))
    }
}
