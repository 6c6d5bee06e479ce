import Foundation
@testable import Products
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// `COGStreamWriter` / `COGIndexStreamWriter`: blocks in any order from two threads give the same bytes as the
/// whole-raster `CloudOptimizedGeoTIFF.write` / `writeIndex`; the returned hash is the file's; errors and `abort`
/// leave nothing behind.
final class COGStreamWriterTests: XCTestCase {
    let provenance = Provenance(version: "0.1.0-test", pipelineHash: "abc123", inputs: ["tile.tif"])

    private func tmp() throws -> URL {
        let d = try TestData.temporaryDirectory("products-stream")
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    /// Block (bx, by) of `raster`, band-sequential over its clipped size.
    static func block<S: RasterSample>(_ r: Raster<S>, _ bx: Int, _ by: Int, tile: Int) -> [S] {
        let x0 = bx * tile, y0 = by * tile
        return r.cropped(to: Window(x: x0, y: y0, width: min(tile, r.width - x0), height: min(tile, r.height - y0))).samples
    }

    /// Feeds every block of `raster` to `write` in a shuffled order (seeded) from two threads at once.
    static func feed<S: RasterSample>(_ r: Raster<S>, tile: Int, seed: UInt64,
                                      _ write: @Sendable (Int, Int, [S]) throws -> Void) throws {
        let across = (r.width + tile - 1) / tile, down = (r.height + tile - 1) / tile
        var rng = SplitMix64(seed: seed)
        let order = (0..<(across * down)).shuffled(using: &rng)
        let blocks = order.map { i in (i % across, i / across, block(r, i % across, i / across, tile: tile)) }
        let next = Counter()
        let failure = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            while let i = next.take(below: blocks.count) {
                do { try write(blocks[i].0, blocks[i].1, blocks[i].2) } catch { failure.set(error) }
            }
        }
        if let e = failure.error { throw e }
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Whole-raster write and streamed write of `raster` with `kind`: identical files, hash and size of the bytes.
    func assertSameBytes<S: RasterSample>(_ r: Raster<S>, kind: CloudOptimizedGeoTIFF.Kind, tile: Int, codec: CloudOptimizedGeoTIFF.Codec = .deflate,
                                          name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try tmp()
        let whole = dir.appendingPathComponent("\(name)_whole.tif").path
        let streamed = dir.appendingPathComponent("\(name)_stream.tif").path
        let stats = try CloudOptimizedGeoTIFF.write(r, to: whole, kind: kind, provenance: provenance, codec: codec, tileSize: tile)
        let w = try COGStreamWriter<S>(path: streamed, width: r.width, height: r.height, bands: r.bands, geo: r.geo, kind: kind,
                                       provenance: provenance, codec: codec, tileSize: tile, metadata: r.metadata)
        try Self.feed(r, tile: tile, seed: 7) { bx, by, s in try w.write(blockX: bx, blockY: by, samples: s) }
        // The caller's figures: those the whole-raster write computed (over the product, class-map nodata included).
        let out = try w.finish(statistics: stats)
        XCTAssertEqual(out.statistics, stats, file: file, line: line)
        let a = try bytes(whole), b = try bytes(streamed)
        XCTAssertEqual(a.count, b.count, "\(name): sizes differ", file: file, line: line)
        XCTAssertTrue(a == b, "\(name): streamed bytes differ from the whole-raster write", file: file, line: line)
        var h = XXH64()
        b.withUnsafeBytes { h.add($0) }
        XCTAssertEqual(out.file, WrittenFile(path: streamed, bytes: b.count, hash: h.hex), file: file, line: line)
        XCTAssertEqual(CloudOptimizedGeoTIFF.validate(path: streamed).errors, [], file: file, line: line)
    }

    func testFloatWithNaNOddSizesManyBlocks() throws {
        try assertSameBytes(Oracles.continuous(width: 1100, height: 700), kind: .continuous, tile: 512, name: "f32")
        try assertSameBytes(Oracles.continuous(width: 333, height: 251), kind: .continuous, tile: 32, name: "f32small")
        try assertSameBytes(Oracles.continuous(width: 333, height: 251), kind: .continuous, tile: 32, codec: .zstd, name: "f32zstd")
    }

    func testSingleBlock() throws {
        try assertSameBytes(Oracles.continuous(width: 300, height: 200), kind: .continuous, tile: 512, name: "one")
        try assertSameBytes(Oracles.continuous(width: 512, height: 512), kind: .continuous, tile: 512, name: "exact")
    }

    func testClassMapsModeAndNearest() throws {
        try assertSameBytes(Oracles.classes(width: 1025, height: 513), kind: .classes(.landUse), tile: 512, name: "classes")
        try assertSameBytes(Oracles.classes(width: 201, height: 333), kind: .classes(.landUse), tile: 16, name: "classes16")
        try assertSameBytes(Oracles.classes(width: 201, height: 99), kind: .classesNearest(.landUse), tile: 16, name: "nearest")
    }

    func testMultiBandIntegers() throws {
        var r = Raster<UInt16>(width: 130, height: 77, bandCount: 3, bands: [BandInfo(description: "a", nodata: 0), BandInfo(), BandInfo()],
                               geo: Oracles.continuous(width: 1, height: 1).geo)
        for i in 0..<r.samples.count { r.samples[i] = UInt16(truncatingIfNeeded: (i &* 2_654_435_761) >> 7) }
        try assertSameBytes(r, kind: .continuous, tile: 32, name: "u16x3")
    }

    /// Index planes: float32 with the caller's statistics is byte-identical to `writeIndex`. int16 statistics are
    /// those of the stored integers gathered block by block (equal to the whole-plane figures within rounding);
    /// with those figures, the whole-plane path writes the same bytes, so tiles, overviews and layout are identical.
    func testIndexStreamsSameAsWriteIndex() throws {
        let dir = try tmp()
        for (w, h, tile) in [(1100, 700, 512), (333, 251, 32), (40, 30, 64)] {
            var r = Oracles.continuous(width: w, height: h)
            r[0, 0, 0] = 4; r[0, 1, 0] = -1
            for dataType in CloudOptimizedGeoTIFF.IndexDataType.allCases {
                for cog in [true, false] {
                    let name = "\(w)_\(dataType.rawValue)_\(cog)"
                    let whole = dir.appendingPathComponent("\(name)_whole.tif").path
                    let streamed = dir.appendingPathComponent("\(name)_stream.tif").path
                    let stats = try CloudOptimizedGeoTIFF.writeIndex(r, to: whole, dataType: dataType, cog: cog, provenance: provenance,
                                                                     tileSize: tile, statistics: [r.statistics(band: 0)])
                    let wr = try COGIndexStreamWriter(path: streamed, width: w, height: h, bands: r.bands, geo: r.geo, dataType: dataType,
                                                      cog: cog, provenance: provenance, tileSize: tile)
                    try Self.feed(r, tile: tile, seed: 11) { bx, by, s in try wr.write(blockX: bx, blockY: by, samples: s) }
                    let out = try wr.finish(statistics: [r.statistics(band: 0)])
                    XCTAssertEqual(out.statistics.count, stats.count, name)
                    for (a, b) in zip(out.statistics, stats) {
                        XCTAssertEqual(a.validCount, b.validCount, name)
                        XCTAssertEqual(a.minimum, b.minimum, name)
                        XCTAssertEqual(a.maximum, b.maximum, name)
                        XCTAssertEqual(a.mean, b.mean, accuracy: 1e-9 * max(1, abs(b.mean)), name)
                        XCTAssertEqual(a.standardDeviation, b.standardDeviation, accuracy: 1e-9 * max(1, b.standardDeviation), name)
                    }
                    var reference = whole
                    if dataType == .int16 && cog {
                        // The whole-plane path given the streamed figures.
                        reference = dir.appendingPathComponent("\(name)_reference.tif").path
                        let core = try ProductStreamCore<Float, Int16>(
                            path: reference, width: w, height: h, bands: r.bands, geo: r.geo, kind: .continuous, provenance: provenance,
                            codec: .deflate, tileSize: tile, cog: true, metadata: r.metadata, store: CloudOptimizedGeoTIFF.quantize,
                            storedBand: CloudOptimizedGeoTIFF.IndexDataType.int16.storedBand, blockStatistics: false)
                        _ = try CloudOptimizedGeoTIFF.feed(r, core, statistics: out.statistics)
                    }
                    XCTAssertTrue(try bytes(reference) == bytes(streamed), "\(name): streamed bytes differ")
                    XCTAssertEqual(out.file.bytes, try bytes(streamed).count, name)
                }
            }
        }
    }

    /// Without the caller's statistics the streamed file carries the figures of its blocks, merged in block order
    /// (equal to the whole raster's within rounding) and is otherwise the whole-raster file.
    func testStatisticsFromBlocks() throws {
        let dir = try tmp()
        let r = Oracles.continuous(width: 333, height: 251)
        let whole = dir.appendingPathComponent("whole.tif").path, streamed = dir.appendingPathComponent("stream.tif").path
        let w = try COGStreamWriter<Float>(path: streamed, width: r.width, height: r.height, bands: r.bands, geo: r.geo, kind: .continuous,
                                           provenance: provenance, tileSize: 32)
        try Self.feed(r, tile: 32, seed: 3) { bx, by, s in try w.write(blockX: bx, blockY: by, samples: s) }
        let out = try w.finish(statistics: nil)
        let exact = r.statistics(band: 0)
        XCTAssertEqual(out.statistics[0].validCount, exact.validCount)
        XCTAssertEqual(out.statistics[0].mean, exact.mean, accuracy: 1e-12)
        XCTAssertEqual(out.statistics[0].standardDeviation, exact.standardDeviation, accuracy: 1e-12)
        try CloudOptimizedGeoTIFF.write(r, to: whole, kind: .continuous, provenance: provenance, tileSize: 32, statistics: out.statistics)
        XCTAssertTrue(try bytes(whole) == bytes(streamed))
    }

    func testMissingAndRepeatedBlocksFailAndLeaveNothing() throws {
        let dir = try tmp()
        let r = Oracles.continuous(width: 100, height: 70)
        let path = dir.appendingPathComponent("x.tif").path
        let w = try COGStreamWriter<Float>(path: path, width: 100, height: 70, bands: r.bands, geo: r.geo, kind: .continuous,
                                           provenance: provenance, tileSize: 32)
        try w.write(blockX: 0, blockY: 0, samples: Self.block(r, 0, 0, tile: 32))
        XCTAssertThrowsError(try w.write(blockX: 0, blockY: 0, samples: Self.block(r, 0, 0, tile: 32)))
        XCTAssertThrowsError(try w.write(blockX: 4, blockY: 0, samples: []))
        XCTAssertThrowsError(try w.write(blockX: 1, blockY: 0, samples: [1, 2, 3]))
        XCTAssertThrowsError(try w.finish())
        w.abort()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }
}

/// A shared index handed out once each (test helper).
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    func take(below n: Int) -> Int? { lock.withLock { guard next < n else { return nil }; defer { next += 1 }; return next } }
}

/// The first error of several threads (test helper).
private final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var error: Error?
    func set(_ e: Error) { lock.withLock { if error == nil { error = e } } }
}
