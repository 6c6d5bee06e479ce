import Foundation
import RasterCore
@testable import RasterIO
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

    /// Files of every size around the gathering buffer (empty, small, one buffer ± 1, several buffers and a tail),
    /// written in pieces of random sizes, hold exactly the bytes written, with the hash of those bytes; files of a
    /// buffer or more went to the device by direct I/O wherever the test folder's file system takes it.
    func testFilesAroundTheDirectChunkHoldTheirBytes() throws {
        let dir = try TestData.temporaryDirectory("atomic-direct")
        defer { try? FileManager.default.removeItem(at: dir) }
        let chunk = HashingFileSink.directChunk
        let direct = Self.takesDirectIO(dir.path)
        var rng = SplitMix64(seed: 17)
        for size in [0, 1, 4095, 4096, chunk - 1, chunk, chunk + 1, 3 * chunk + 777, 5 * chunk] {
            let bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let path = dir.appendingPathComponent("f\(size).bin").path
            var sink: HashingFileSink?
            let f = try AtomicFile.writeHashed(to: path) { s in
                sink = s
                var i = 0
                while i < size {
                    // Pieces from 1 byte to more than two buffers, so copies straddle every buffer boundary.
                    let n = min(Int(rng.next() % UInt64(size < chunk ? 5000 : 2 * chunk + 3)) + 1, size - i)
                    try s.write(Array(bytes[i..<(i + n)]))
                    i += n
                }
            }
            var h = XXH64()
            bytes.withUnsafeBytes { h.add($0) }
            XCTAssertEqual(f, WrittenFile(path: path, bytes: size, hash: h.hex), "size \(size)")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(bytes), "size \(size)")
            let viaDevice = try XCTUnwrap(sink).directBytes
            if size < chunk || !direct {
                XCTAssertEqual(viaDevice, 0, "size \(size)")
            } else {
                XCTAssertEqual(viaDevice, size, "size \(size): every byte should have gone by direct I/O")
            }
        }
        if !direct { print("note: \(dir.path) takes no O_DIRECT; files were written through the page cache") }
    }

    /// A full buffer is written behind the caller: `write` returns, with the next buffer being filled, while the
    /// device write of the first is still held back (a sink that wrote in line would wait for it inside `write`);
    /// once let go, the file holds every byte in order.
    func testFullBuffersAreWrittenBehindTheCaller() throws {
        let dir = try TestData.temporaryDirectory("atomic-behind")
        defer { try? FileManager.default.removeItem(at: dir) }
        guard Self.takesDirectIO(dir.path) else { throw Skip.because("\(dir.path) takes no O_DIRECT: nothing is written behind") }
        let chunk = HashingFileSink.directChunk
        var rng = SplitMix64(seed: 41)
        let bytes = (0..<(3 * chunk + 999)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let path = dir.appendingPathComponent("behind.bin").path
        final class Gate: @unchecked Sendable {
            let entered = DispatchSemaphore(value: 0), open = DispatchSemaphore(value: 0)
            let lock = NSLock()
            var offsets: [Int] = []
            var released = DispatchTimeoutResult.timedOut
        }
        let gate = Gate()
        let sink = try HashingFileSink(creating: path, reportedAs: path)
        sink.writeBehindHook = { offset in
            gate.lock.withLock { gate.offsets.append(offset) }
            if offset == 0 {
                gate.entered.signal()
                // Only the test thread opens the gate, after `write` returned: a sink writing in line would wait here
                // until the timeout.
                let r = gate.open.wait(timeout: .now() + 10)
                gate.lock.withLock { gate.released = r }
            }
            return nil
        }
        // The first buffer fills and goes behind; the caller goes on into the second while that write is held.
        try bytes.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<(2 * chunk - 1)])) }
        XCTAssertEqual(gate.entered.wait(timeout: .now() + 30), .success, "the first buffer was handed to the write-behind queue")
        gate.open.signal()
        try bytes.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[(2 * chunk - 1)...])) }
        try sink.flush()
        sink.close()
        XCTAssertEqual(gate.lock.withLock { gate.released }, .success, "write returned while the first buffer's write was held")
        XCTAssertEqual(gate.lock.withLock { gate.offsets }, [0, chunk, 2 * chunk])
        XCTAssertEqual(sink.directBytes, bytes.count)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(bytes))
    }

    /// A write behind that fails is reported by the sink's next call that waits for it (here `flush`, through
    /// `AtomicFile.writeHashed`): the error names the output, and no file or temporary is left.
    func testAFailedWriteBehindFailsTheFileAndLeavesNothing() throws {
        let dir = try TestData.temporaryDirectory("atomic-behind-fail")
        defer { try? FileManager.default.removeItem(at: dir) }
        guard Self.takesDirectIO(dir.path) else { throw Skip.because("\(dir.path) takes no O_DIRECT: nothing is written behind") }
        let chunk = HashingFileSink.directChunk
        let path = dir.appendingPathComponent("out.tif").path
        for failing in [0, chunk] {
            XCTAssertThrowsError(try AtomicFile.writeHashed(to: path) { sink in
                sink.writeBehindHook = { $0 == failing ? EIO : nil }
                try sink.write([UInt8](repeating: 7, count: 2 * chunk + 5))
            }, "buffer at \(failing)") { error in
                XCTAssertTrue("\(error)".contains("out.tif") && "\(error)".contains("write failed"), "\(error)")
            }
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "buffer at \(failing)")
        }
    }

    /// The sinks' buffers are kept between files: one given back is the next one taken, and a pool keeps at most
    /// its `kept` free buffers.
    func testSinkBuffersAreReusedUpToTheirLimit() {
        let pool = SinkBufferPool(kept: 2)
        let a = pool.take()
        pool.give(a)
        XCTAssertEqual(pool.take(), a, "the buffer given back is taken again")
        let more = [a, pool.take(), pool.take()]
        XCTAssertEqual(Set(more).count, 3)
        more.forEach(pool.give)
        XCTAssertEqual(pool.count, 2, "a third free buffer is freed, not kept")
        XCTAssertEqual(Int(bitPattern: pool.take()) % HashingFileSink.alignment, 0)
    }

    /// Whether a file in `folder` accepts an aligned write with O_DIRECT.
    private static func takesDirectIO(_ folder: String) -> Bool {
        let path = folder + "/probe"
        defer { unlink(path) }
        #if arch(arm64)
        let oDirect: Int32 = 0o200000   // O_DIRECT (Swift's Glibc does not export it)
        #else
        let oDirect: Int32 = 0o40000
        #endif
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | oDirect, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let b = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
        defer { b.deallocate() }
        b.initializeMemory(as: UInt8.self, repeating: 1, count: 4096)
        return Glibc.write(fd, b, 4096) == 4096
    }

    /// Where direct I/O is refused when the first buffer is full (as by a file system without it), the buffer and
    /// everything after it, in the same `write` and later ones, reach the file in order through the page cache.
    func testRefusedDirectIOKeepsTheOrderOfTheBytes() throws {
        let dir = try TestData.temporaryDirectory("atomic-refused")
        defer { try? FileManager.default.removeItem(at: dir) }
        let chunk = HashingFileSink.directChunk
        var rng = SplitMix64(seed: 29)
        for size in [chunk - 1, chunk, chunk + 1, 3 * chunk + 777] {
            let bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let path = dir.appendingPathComponent("r\(size).bin").path
            let sink = try HashingFileSink(creating: path, reportedAs: path, directIO: false)
            var i = 0
            while i < size {
                // Pieces that cross the buffer's end, so the refusal happens in the middle of a `write`.
                let n = min(Int(rng.next() % UInt64(chunk / 3)) + 1, size - i)
                try sink.write(Array(bytes[i..<(i + n)]))
                i += n
            }
            try sink.flush()
            sink.close()
            XCTAssertEqual(sink.directBytes, 0)
            XCTAssertEqual(sink.count, size)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(bytes), "size \(size)")
        }
    }
}
