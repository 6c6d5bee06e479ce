import Foundation
import RasterCore
@testable import RasterIO
import TestSupport
import XCTest

/// `TileEncoderPool`: writers of one configuration take their encoders from it and give them back, and a file
/// written with a reused encoder has the bytes of one written with fresh encoders.
final class TileEncoderPoolTests: XCTestCase {
    /// 48² tiles with predictor 3 at level 6: a configuration no other test writes, so this test owns its pool entry.
    private let options = GeoTIFFWriter.Options(compression: .deflate, level: 6, predictor: 3, tileSize: 48)

    private func write(_ raster: Raster<Float>, to path: String) throws {
        let writer = try GeoTIFFTileWriter<Float>(path: path, levels: [(raster.width, raster.height)], bandCount: 1,
                                                  nodata: .nan, options: options)
        let grid = writer.tileGrid(level: 0)
        for ty in 0..<grid.down {
            for tx in 0..<grid.across {
                let (cw, ch) = writer.tileSize(level: 0, tileX: tx, tileY: ty)
                let block = (0..<ch).flatMap { y in (0..<cw).map { x in raster[0, tx * 48 + x, ty * 48 + y] } }
                try block.withUnsafeBufferPointer { try writer.writeTile(level: 0, tileX: tx, tileY: ty, samples: $0) }
            }
        }
        _ = try writer.finish(bands: [BandInfo(nodata: .nan)], geo: nil, metadata: [:])
    }

    func testWritersReuseEncodersAndWriteTheSameBytes() throws {
        let dir = try TestData.temporaryDirectory("encoder-pool")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 9)
        let raster = Raster<Float>(width: 130, height: 70, samples: (0..<(130 * 70)).map { i in
            i % 61 < 5 ? .nan : Float(i % 130) / 130 + Float(rng.next() % 100) / 10_000
        }, bands: [BandInfo(nodata: .nan)])
        let key = TileEncoderPool.Key(type: .float32, bands: 1, tileSize: 48, options: options)
        XCTAssertEqual(TileEncoderPool.shared.count(key), 0)
        let first = dir.appendingPathComponent("first.tif").path, second = dir.appendingPathComponent("second.tif").path
        try write(raster, to: first)
        let kept = TileEncoderPool.shared.count(key)
        XCTAssertGreaterThan(kept, 0, "a writer gives its encoder back after each tile")
        let pooled = TileEncoderPool.shared.take(key)
        XCTAssertNotNil(pooled)
        TileEncoderPool.shared.give([pooled!], key)
        try write(raster, to: second)   // takes the pooled encoder (single-threaded: one encoder at a time)
        XCTAssertEqual(TileEncoderPool.shared.count(key), kept, "the second writer took an encoder and gave it back")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: second)), try Data(contentsOf: URL(fileURLWithPath: first)))
        // And both are the bytes of the whole-raster writer.
        let whole = dir.appendingPathComponent("whole.tif").path
        try GeoTIFFWriter.write(raster, to: whole, options: options)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first)), try Data(contentsOf: URL(fileURLWithPath: whole)))
    }

    /// The pool keeps at most its limit of idle encoders per configuration and hands them out by configuration.
    func testPoolIsBoundedPerConfiguration() throws {
        let pool = TileEncoderPool(limitPerKey: 2)
        let a = TileEncoderPool.Key(type: .float32, bands: 1, tileSize: 16, options: options)
        let b = TileEncoderPool.Key(type: .uint8, bands: 1, tileSize: 16, options: options)
        let encoders = try (0..<3).map { _ in try TIFFTileEncoder(type: .float32, bands: 1, tileSize: 16, options: options, reportedPath: "x") }
        pool.give(encoders, a)
        XCTAssertEqual(pool.count(a), 2)
        XCTAssertNil(pool.take(b), "no encoder of another configuration")
        XCTAssertTrue(pool.take(a) === encoders[1])
        XCTAssertEqual(pool.count(a), 1)
    }
}
