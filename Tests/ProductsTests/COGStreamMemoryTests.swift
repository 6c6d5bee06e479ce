import Foundation
@testable import Products
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// The streaming writer's resources: memory bounded by the tiles in flight (not the raster), compressed tiles
/// spilled to an unlinked scratch file beside the output, nothing left behind by `abort` or a failure.
final class COGStreamMemoryTests: XCTestCase {
    let provenance = Provenance(version: "0.1.0-test", inputs: ["scene.tif"])

    private func tmp() throws -> URL {
        let d = try TestData.temporaryDirectory("products-stream-mem")
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    /// A noisy index-like block (so it compresses like real Float32 indices), generated without any raster.
    static func block(_ bx: Int, _ by: Int, tile: Int, width: Int, height: Int) -> [Float] {
        let x0 = bx * tile, y0 = by * tile
        let cw = min(tile, width - x0), ch = min(tile, height - y0)
        var out = [Float](repeating: 0, count: cw * ch)
        var rng = SplitMix64(seed: UInt64(by * 1000 + bx))
        for y in 0..<ch {
            for x in 0..<cw {
                let v = 0.3 + 0.5 * sin(Double(x0 + x) / 150) * cos(Double(y0 + y) / 90)
                out[y * cw + x] = Float(v) + Float(rng.next() % 1000) * 1e-5
            }
        }
        return out
    }

    /// `VmHWM` (peak resident set) of this process in bytes, after `clear_refs` 5 reset it to the current RSS.
    static func peakResident() -> Int? {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return nil }
        return kb * 1024
    }
    static func resetPeak() -> Bool {
        guard let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? h.close() }
        return (try? h.write(contentsOf: Data("5".utf8))) != nil
    }

    /// A 4096² Float32 COG (64 MiB of samples) written block by block: the peak resident set grows by far less than
    /// the raster, and the file is a valid COG with every overview level.
    func testPeakMemoryFarBelowTheRaster() throws {
        let dir = try tmp()
        let n = 4096, tile = 512
        let path = dir.appendingPathComponent("big.tif").path
        guard Self.resetPeak(), let before = Self.peakResident() else { throw Skip.because("no /proc/self/clear_refs to reset the peak RSS") }
        let w = try COGStreamWriter<Float>(path: path, width: n, height: n, bands: [BandInfo(description: "ndvi", nodata: .nan)],
                                           geo: Oracles.continuous(width: 1, height: 1).geo, kind: .continuous,
                                           provenance: provenance, tileSize: tile)
        for by in 0..<w.blocksDown {
            for bx in 0..<w.blocksAcross {
                try w.write(blockX: bx, blockY: by, samples: Self.block(bx, by, tile: tile, width: n, height: n))
            }
        }
        let out = try w.finish()
        guard let after = Self.peakResident() else { return XCTFail("VmHWM unreadable") }
        let raster = n * n * 4
        let growth = after - before
        print("stream write 4096² Float32: peak RSS growth \(growth >> 20) MiB for a \(raster >> 20) MiB raster, file \(out.file.bytes >> 20) MiB")
        // Bounded: the writer keeps at most 16 MiB of compressed tiles, a pooled encoder per writing thread and the
        // partly filled overview tiles (measured 29 MiB alone, 35 MiB with a parallel suite's allocator arenas). A
        // writer that held the scene would hold at least the 64 MiB of samples, so three quarters of the raster
        // still separates the two without failing on allocator noise.
        XCTAssertLessThan(growth, raster * 3 / 4, "peak RSS grew by \(growth >> 20) MiB for a \(raster >> 20) MiB raster")
        XCTAssertGreaterThan(out.file.bytes, 16 << 20, "the file is larger than the in-memory budget, so tiles were spilled")
        XCTAssertEqual(CloudOptimizedGeoTIFF.validate(path: path).errors, [])
        if Oracles.cogValidator != nil {
            let gdal = try Oracles.gdalValidate(path)
            XCTAssertTrue(gdal.valid, gdal.output)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["big.tif"])
    }

    func core(_ path: String, _ r: Raster<Float>, tile: Int, memoryLimit: Int) throws -> ProductStreamCore<Float, Float> {
        try ProductStreamCore<Float, Float>(path: path, width: r.width, height: r.height, bands: r.bands, geo: r.geo, kind: .continuous,
                                            provenance: provenance, codec: .deflate, tileSize: tile, cog: true, metadata: r.metadata,
                                            store: nil, memoryLimit: memoryLimit)
    }

    /// Tiles spilled to the scratch file (memory budget 0) give the same bytes; the scratch file never shows in
    /// the folder (unlinked when opened); `abort` after spilling leaves the folder empty.
    func testSpilledTilesSameBytesAndNothingLeft() throws {
        let dir = try tmp()
        let r = Oracles.continuous(width: 333, height: 251)
        let memory = dir.appendingPathComponent("memory.tif").path, spilled = dir.appendingPathComponent("spilled.tif").path
        let stats = [r.statistics(band: 0)]
        _ = try CloudOptimizedGeoTIFF.feed(r, try core(memory, r, tile: 32, memoryLimit: 1 << 30), statistics: stats)
        let c = try core(spilled, r, tile: 32, memoryLimit: 0)
        for by in 0..<c.blocksDown {
            for bx in 0..<c.blocksAcross {
                try r.withTile(x: bx * 32, y: by * 32, tileSize: 32) { try c.write(blockX: bx, blockY: by, samples: $0) }
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["memory.tif"], "no scratch file is visible")
        _ = try c.finish(statistics: stats)
        XCTAssertTrue(try Data(contentsOf: URL(fileURLWithPath: memory)) == Data(contentsOf: URL(fileURLWithPath: spilled)))

        let aborted = dir.appendingPathComponent("aborted.tif").path
        let a = try core(aborted, r, tile: 32, memoryLimit: 0)
        try r.withTile(x: 0, y: 0, tileSize: 32) { try a.write(blockX: 0, blockY: 0, samples: $0) }
        a.abort()
        XCTAssertThrowsError(try r.withTile(x: 32, y: 0, tileSize: 32) { try a.write(blockX: 1, blockY: 0, samples: $0) })
        XCTAssertThrowsError(try a.finish(statistics: stats))
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["memory.tif", "spilled.tif"])
    }

    /// A write that fails at `finish` (the folder is gone) leaves nothing and reports the output path.
    func testFailedFinishLeavesNothing() throws {
        let dir = try tmp()
        let sub = dir.appendingPathComponent("gone")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let r = Oracles.continuous(width: 100, height: 70)
        let path = sub.appendingPathComponent("x.tif").path
        let w = try COGStreamWriter<Float>(path: path, width: 100, height: 70, bands: r.bands, geo: r.geo, kind: .continuous,
                                           provenance: provenance, tileSize: 64)
        try COGStreamWriterTests.feed(r, tile: 64, seed: 1) { bx, by, s in try w.write(blockX: bx, blockY: by, samples: s) }
        try FileManager.default.removeItem(at: sub)
        XCTAssertThrowsError(try w.finish()) { XCTAssertTrue("\($0)".contains("x.tif"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: sub.path))
    }
}
