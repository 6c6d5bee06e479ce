import XCTest
import RasterCore
@testable import RasterIO
import TestSupport

/// The DEFLATE tile encoder's own path (`deflate_encode.c`: libtiff's predictor and libdeflate call, on reused
/// buffers) against libtiff's `TIFFWriteEncodedTile` of the same tile (`fastPath: false`): the same bytes for every
/// sample width, predictor, level, band count and tile size the writers use, tile after tile on one encoder (so a
/// buffer left dirty by the previous tile would show). At level 1 with predictor 3 the fast path deflates with the
/// run-length encoder instead, so there both streams must inflate (zlib) to the same predicted bytes. The counters
/// prove which path encoded each tile, so these tests fail if the fast path silently stops being used.
final class TileEncoderTests: XCTestCase {
    /// A tile of `bytes` bytes: a smooth ramp with noise (compressible in parts, like an index tile), seeded.
    private func tile(_ bytes: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return (0..<bytes).map { i in UInt8(truncatingIfNeeded: (i / 7) &+ Int(rng.next() % 5)) }
    }

    /// Float32 samples with NaN runs (nodata corners) and noisy mantissas, as an index plane.
    private func floatTile(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        let values: [Float] = (0..<count).map { i in
            i % 97 < 9 ? .nan : Float(i % 512) / 512 - 0.5 + Float(rng.next() % 1000) / 50_000
        }
        return values.withUnsafeBytes { Array($0) }
    }

    private func encodeBoth(type: SampleType, bands: Int, tileSize: Int, options: GeoTIFFWriter.Options,
                            tiles: [[UInt8]], file: StaticString = #filePath, line: UInt = #line) throws {
        var options = options
        options.tileSize = tileSize
        let fast = try TIFFTileEncoder(type: type, bands: bands, tileSize: tileSize, options: options, reportedPath: "fast.tif")
        let slow = try TIFFTileEncoder(type: type, bands: bands, tileSize: tileSize, options: options, reportedPath: "slow.tif",
                                       fastPath: false)
        let predictor = options.predictor ?? (type.isFloatingPoint ? 3 : 2)
        let level = options.level ?? GeoTIFFWriter.Options.defaultLevel(for: .deflate)
        XCTAssertEqual(fast.runLength, level == 1 && (predictor == 3 || (type.byteWidth == 1 && bands == 1)),
                       "run-length encoder for level 1 with predictor 3 or one 8-bit band only",
                       file: file, line: line)
        for (i, t) in tiles.enumerated() {
            let a = t, b = t   // separate buffers: neither encoder may write to the tile it is given
            let ea = try a.withUnsafeBytes { try fast.encode($0) }.array
            let eb = try b.withUnsafeBytes { try slow.encode($0) }.array
            let label = "\(type) × \(bands), \(tileSize)², predictor \(predictor), level \(level.map(String.init) ?? "libtiff's"), tile \(i)"
            if fast.runLength {
                let inflated = Zlib.uncompress(ea, size: t.count)
                XCTAssertNotNil(inflated, "\(label): the run-length stream does not inflate", file: file, line: line)
                XCTAssertTrue(inflated == Zlib.uncompress(eb, size: t.count), "\(label): predicted bytes differ from libtiff's", file: file, line: line)
            } else {
                XCTAssertEqual(ea, eb, "\(label): encoded bytes differ", file: file, line: line)
            }
            XCTAssertEqual(a, t, "the fast path changed the caller's tile", file: file, line: line)
            XCTAssertEqual(b, t, "libtiff changed the caller's tile", file: file, line: line)
        }
        XCTAssertEqual(fast.fastTiles, tiles.count, "the fast path was not taken", file: file, line: line)
        XCTAssertEqual(slow.libtiffTiles, tiles.count, file: file, line: line)
    }

    func testFloat32PredictorThreeMatchesLibtiff() throws {
        for size in [16, 64, 512] {
            let tiles = (0..<3).map { floatTile(size * size, seed: UInt64(size + $0)) }
            for level in (size < 512 ? [nil, 1, 6, 9, 12] : [nil, 1]) as [Int?] {
                try encodeBoth(type: .float32, bands: 1, tileSize: size, options: .init(compression: .deflate, level: level), tiles: tiles)
            }
        }
    }

    func testEveryPredictorAndSampleWidthMatchesLibtiff() throws {
        let cases: [(SampleType, Int?)] = [
            (.uint8, nil), (.uint8, 1), (.int16, nil), (.uint16, 1), (.int32, 2), (.uint32, 1),
            (.float32, 1), (.float32, 2), (.float64, nil), (.float64, 2),
        ]
        for (type, predictor) in cases {
            for bands in [1, 3, 4] {
                let size = 64
                let tiles = (0..<2).map { tile(size * size * bands * type.byteWidth, seed: UInt64(bands * 10 + $0)) }
                try encodeBoth(type: type, bands: bands, tileSize: size, options: .init(compression: .deflate, predictor: predictor), tiles: tiles)
            }
        }
    }

    /// Incompressible bytes (the encoded tile is larger than the input) still match.
    func testIncompressibleTileMatchesLibtiff() throws {
        var rng = SplitMix64(seed: 3)
        let noise = (0..<(32 * 32 * 4)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try encodeBoth(type: .float32, bands: 1, tileSize: 32, options: .init(compression: .deflate, predictor: 1), tiles: [noise, noise])
    }

    /// Codecs and levels libtiff does not send to libdeflate stay on libtiff's path.
    func testOtherCodecsAndLevelZeroUseLibtiff() throws {
        for options in [GeoTIFFWriter.Options(compression: .deflate, level: 0), .init(compression: .zstd), .init(compression: .lzw),
                        .init(compression: .none)] {
            var options = options
            options.tileSize = 16
            let e = try TIFFTileEncoder(type: .float32, bands: 1, tileSize: 16, options: options, reportedPath: "x.tif")
            let t = floatTile(256, seed: 1)
            _ = try t.withUnsafeBytes { try e.encode($0) }
            XCTAssertEqual(e.fastTiles, 0, "\(options.compression) level \(options.level.map(String.init) ?? "default")")
            XCTAssertEqual(e.libtiffTiles, 1)
        }
    }
}
