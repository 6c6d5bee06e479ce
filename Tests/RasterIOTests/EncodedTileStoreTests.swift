import Foundation
import RasterCore
@testable import RasterIO
import TestSupport
import XCTest

/// The compressed-tile store's scratch file: tiles put from several threads at once, of many sizes, most of them over
/// the memory limit, come back byte for byte in any order; the scratch file is never visible.
final class EncodedTileStoreTests: XCTestCase {
    private func tiles(seed: UInt64) -> [[UInt8]] {
        var rng = SplitMix64(seed: seed)
        let chunk = HashingFileSink.directChunk
        // Small tiles, tiles around a page and a MiB, and larger ones.
        let sizes = [1, 4095, 4096, 4097, chunk - 1, chunk, chunk + 1, 2 * chunk + 333] + (0..<60).map { _ in Int(rng.next() % 300_000) + 1 }
        return sizes.map { n in (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
    }

    func testSpilledTilesComeBackInAnyOrder() throws {
        let dir = try TestData.temporaryDirectory("tile-store")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            let data = tiles(seed: 3)
            let store = EncodedTileStore(outputPath: dir.appendingPathComponent("out.tif").path, memoryLimit: 400_000)
            final class Errors: @unchecked Sendable { let lock = NSLock(); var all: [String] = [] }
            let errors = Errors()
            DispatchQueue.concurrentPerform(iterations: 4) { t in
                for k in stride(from: t, to: data.count, by: 4) {
                    do { try store.put(k, EncodedTile(data[k])) } catch { errors.lock.withLock { errors.all.append("\(k): \(error)") } }
                }
            }
            XCTAssertEqual(errors.all, [])
            XCTAssertTrue(store.spilled, "most tiles are over the memory limit")
            XCTAssertEqual(store.count, data.count)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "the scratch file is unlinked")
            // Forward, backward and shuffled.
            var rng = SplitMix64(seed: 9)
            let shuffled = Array(data.indices).sorted { _, _ in rng.next() % 2 == 0 }
            for order in [Array(data.indices), Array(data.indices.reversed()), shuffled] {
                for k in order {
                    XCTAssertEqual(store.length(k), data[k].count)
                    try store.withBytes(k) { XCTAssertTrue($0.elementsEqual(data[k]), "tile \(k) (\(data[k].count) bytes)") }
                }
            }
            store.clear()
            XCTAssertFalse(store.spilled)
        }
    }
}
