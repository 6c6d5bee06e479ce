import Foundation
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// `AtomicFile` returns the record of what it wrote, hashed from the bytes as they went out (never read back).
final class AtomicFileHashTests: XCTestCase {
    func testRecordIsTheBytesWritten() throws {
        let dir = try TestData.temporaryDirectory("atomic-hash")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 5)
        let bytes = (0..<100_003).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let path = dir.appendingPathComponent("a.bin").path
        let f = try AtomicFile.write(bytes, to: path)
        var h = XXH64()
        bytes.withUnsafeBytes { h.add($0) }
        XCTAssertEqual(f, WrittenFile(path: path, bytes: bytes.count, hash: h.hex))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(bytes))

        // Pieces of any size through a sink give the same record; a failing body leaves nothing.
        let g = try AtomicFile.writeHashed(to: dir.appendingPathComponent("b.bin").path) { sink in
            var i = 0
            while i < bytes.count { let n = min(777, bytes.count - i); try sink.write(Array(bytes[i..<(i + n)])); i += n }
        }
        XCTAssertEqual(g.hash, f.hash)
        XCTAssertEqual(g.bytes, f.bytes)
        struct Boom: Error {}
        XCTAssertThrowsError(try AtomicFile.writeHashed(to: dir.appendingPathComponent("c.bin").path) { sink in
            try sink.write([1, 2, 3])
            throw Boom()
        })
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["a.bin", "b.bin"])
    }
}
