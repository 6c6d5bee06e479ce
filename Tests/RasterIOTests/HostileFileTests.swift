import XCTest
import RasterCore
@testable import RasterIO
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Hostile inputs: each gives a typed `RasterIOError` that names the file, never a crash, never an
/// allocation above the cap, and libtiff prints nothing on stderr (its handlers are per handle).
final class HostileFileTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("hostile") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// Runs `body` with fd 2 redirected to a file; returns what was written to stderr.
    private func capturingStderr(_ body: () throws -> Void) rethrows -> String {
        let capture = dir.appendingPathComponent("stderr.txt").path
        fflush(nil)
        let saved = dup(2)
        let fd = open(capture, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        dup2(fd, 2)
        close(fd)
        defer {
            fflush(nil)
            dup2(saved, 2)
            close(saved)
        }
        try body()
        fflush(nil)
        return (try? String(contentsOfFile: capture, encoding: .utf8)) ?? ""
    }

    /// Opening and reading `path` fails with a RasterIOError naming it, silently.
    private func assertRejected(_ path: String, limits: ResourceLimits = .default, kinds: Set<String>,
                                file: StaticString = #filePath, line: UInt = #line) {
        var caught: Error?
        let err = capturingStderr {
            do {
                let r = try GeoTIFFReader(path: path, limits: limits)
                _ = try r.read()
            } catch { caught = error }
        }
        guard let e = caught as? RasterIOError else {
            return XCTFail("\(path): expected RasterIOError, got \(String(describing: caught))", file: file, line: line)
        }
        XCTAssertEqual(e.path, path, file: file, line: line)
        XCTAssertTrue(e.description.contains(path), file: file, line: line)
        XCTAssertTrue(kinds.contains(e.kind), "\(e.kind): \(e.reason)", file: file, line: line)
        XCTAssertEqual(err, "", "libtiff wrote to stderr for \(path)", file: file, line: line)
        // The format-independent entry point gives a typed error too.
        XCTAssertThrowsError(try RasterFile.read(path: path, limits: limits), file: file, line: line) {
            XCTAssertEqual(($0 as? RasterIOError)?.path, path, file: file, line: line)
        }
    }

    private func validTIFF() throws -> String {
        let r = SyntheticRasters.make(UInt16.self, width: 300, height: 200, bands: 2)
        let p = dir.appendingPathComponent("valid.tif").path
        try GeoTIFFWriter.write(r, to: p, options: .init(compression: .deflate, tileSize: 64))
        return p
    }

    func testZeroByteFile() throws {
        let p = dir.appendingPathComponent("empty.tif").path
        FileManager.default.createFile(atPath: p, contents: Data())
        assertRejected(p, kinds: ["corrupt"])
    }

    func testTextNamedTif() throws {
        let p = dir.appendingPathComponent("notes.tif").path
        try "this is not an image, just some text that happens to be long enough\n".write(toFile: p, atomically: true, encoding: .utf8)
        assertRejected(p, kinds: ["corrupt"])
    }

    func testTruncatedFiles() throws {
        let valid = try validTIFF()
        let data = try Data(contentsOf: URL(fileURLWithPath: valid))
        for (i, n) in [6, 40, 300, data.count / 2, data.count - 10].enumerated() {
            let p = dir.appendingPathComponent("trunc\(i).tif").path
            try data.prefix(n).write(to: URL(fileURLWithPath: p))
            assertRejected(p, kinds: ["corrupt"])
        }
    }

    func testHugeDeclaredDimensionsAreRefusedBeforeAllocation() throws {
        // A tiny classic little-endian TIFF declaring 1,000,000 × 1,000,000 × 200 bands of 8 bits.
        var b = Data("II".utf8) + le16(42) + le32(8)
        let entries: [(UInt16, UInt16, UInt32, UInt32)] = [
            (256, 4, 1, 1_000_000), (257, 4, 1, 1_000_000), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
            (273, 4, 1, 0), (277, 3, 1, 200), (278, 4, 1, 1), (279, 4, 1, 0), (284, 3, 1, 1),
        ]
        b += le16(UInt16(entries.count))
        for (tag, type, count, value) in entries {
            b += le16(tag) + le16(type) + le32(count)
            b += type == 3 ? le16(UInt16(value)) + le16(0) : le32(value)
        }
        b += le32(0)
        let p = dir.appendingPathComponent("huge.tif").path
        try b.write(to: URL(fileURLWithPath: p))
        assertRejected(p, kinds: ["limit", "corrupt"])
    }

    func testCapRefusesAValidFileLargerThanTheLimit() throws {
        let valid = try validTIFF()
        // 300×200×2×2 = 240 000 bytes; a 100 kB cap must refuse it before decoding.
        assertRejected(valid, limits: ResourceLimits(maxDecodedBytes: 100_000), kinds: ["limit"])
        // A window under the cap still reads.
        let r = try GeoTIFFReader(path: valid, limits: ResourceLimits(maxDecodedBytes: 1 << 20))
        XCTAssertEqual(try r.read(window: Window(x: 0, y: 0, width: 10, height: 10)).width, 10)
    }

    func testDirectoryFIFOAndMissingFile() throws {
        let d = dir.appendingPathComponent("x.tif").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: false)
        assertRejected(d, kinds: ["cannot-open"])
        let f = dir.appendingPathComponent("fifo.tif").path
        XCTAssertEqual(mkfifo(f, 0o644), 0)
        assertRejected(f, kinds: ["cannot-open"]) // must not block
        assertRejected(dir.appendingPathComponent("missing.tif").path, kinds: ["cannot-open"])
    }

    func testCorruptPNGAndPNGLimit() throws {
        let p = dir.appendingPathComponent("bad.png").path
        try (Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 7, count: 40)).write(to: URL(fileURLWithPath: p))
        XCTAssertThrowsError(try PNGImage.read(path: p)) { XCTAssertEqual(($0 as? RasterIOError)?.path, p) }
        let img = PNGImage.Image(width: 100, height: 100, channels: 3, pixels: [UInt8](repeating: 9, count: 30_000))
        let ok = dir.appendingPathComponent("ok.png").path
        try PNGImage.write(img, to: ok)
        XCTAssertThrowsError(try PNGImage.read(path: ok, limits: ResourceLimits(maxDecodedBytes: 10_000))) {
            XCTAssertEqual(($0 as? RasterIOError)?.kind, "limit")
        }
    }

    private func le16(_ v: UInt16) -> Data { withUnsafeBytes(of: v.littleEndian) { Data($0) } }
    private func le32(_ v: UInt32) -> Data { withUnsafeBytes(of: v.littleEndian) { Data($0) } }
}
