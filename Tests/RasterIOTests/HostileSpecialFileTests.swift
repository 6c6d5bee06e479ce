import Foundation
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// Special files and odd names given to the reader and to `tilepipe info`: FIFOs (must not block),
/// links to devices, symlink loops, unreadable files, directories named `.tif`, and names with
/// spaces, unicode, newlines, a leading dash or non-UTF-8 bytes.
final class HostileSpecialFileTests: XCTestCase {
    private var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("hostile-special") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func validTIFF(_ name: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try Data(TIFFBuilder(width: 4, height: 4, pixels: (0..<16).map { UInt8($0) }).build()).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testFIFODoesNotBlock() throws {
        let path = dir.appendingPathComponent("pipe.tif").path
        XCTAssertEqual(mkfifo(path, 0o644), 0)
        // No writer ever opens the FIFO: an open() would block forever; the reader must stat first.
        try HostileHarness.assertRejected(path, kinds: ["cannot-open"], cause: "FIFO")
    }

    func testLinkToDevZero() throws {
        let path = dir.appendingPathComponent("zero.tif").path
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/zero")
        try HostileHarness.assertRejected(path, kinds: ["cannot-open"], cause: "character device")
    }

    func testSymlinkLoop() throws {
        let a = dir.appendingPathComponent("a.tif").path, b = dir.appendingPathComponent("b.tif").path
        try FileManager.default.createSymbolicLink(atPath: a, withDestinationPath: b)
        try FileManager.default.createSymbolicLink(atPath: b, withDestinationPath: a)
        try HostileHarness.assertRejected(a, kinds: ["cannot-open"], cause: "loop")
    }

    func testDirectoryNamedTif() throws {
        let path = dir.appendingPathComponent("folder.tif").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        try HostileHarness.assertRejected(path, kinds: ["cannot-open"], cause: "directory")
    }

    /// The reader refuses a missing file as cannot-open; the CLI exits 2 for it ("could not start", as the README
    /// states), where a file that exists but cannot be read exits 1.
    func testMissingFile() throws {
        let path = dir.appendingPathComponent("nope.tif").path
        XCTAssertThrowsError(try RasterFile.read(path: path)) { error in
            XCTAssertEqual((error as? RasterIOError)?.kind, "cannot-open")
            XCTAssertTrue("\(error)".lowercased().contains("no such file"), "\(error)")
        }
        guard let tp = HostileHarness.binary else { return }
        let r = try HostileHarness.runChild(tp, ["info", "--", path])
        XCTAssertFalse(r.timedOut || r.signalled, r.stderr)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(path), r.stderr)
    }

    func testUnreadableFile() throws {
        // Tests run as root, who reads anything: drop to `nobody` in the child with setpriv.
        guard getuid() == 0 else { throw Skip.because("unreadable-file check needs root to drop privileges with setpriv") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { throw Skip.because("setpriv not installed") }
        guard let tp = HostileHarness.binary else { throw Skip.because("tilepipe binary not built") }
        // The child runs as nobody: it needs to reach the binary and the folder.
        var st = stat()
        guard stat(tp, &st) == 0, st.st_mode & 0o001 != 0 else { throw Skip.because("tilepipe binary is not executable by nobody") }
        let probe = try HostileHarness.runChild("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", tp, "--help"])
        guard probe.status == 0 else { throw Skip.because("nobody cannot run \(tp) (a parent folder is closed): \(probe.stderr)") }
        chmod(dir.path, 0o755)
        let path = try validTIFF("secret.tif")
        XCTAssertEqual(chmod(path, 0o000), 0)
        let before = HostileHarness.snapshot(path)
        let r = try HostileHarness.runChild(tp, ["info", "--", path],
                                            prefix: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        XCTAssertFalse(r.timedOut || r.signalled)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(path), r.stderr)
        XCTAssertTrue(r.stderr.lowercased().contains("permission denied"), r.stderr)
        XCTAssertEqual(HostileHarness.snapshot(path), before)
    }

    func testOddNamesAreReadAndNamedInErrors() throws {
        for name in ["with space.tif", "ünïcødé-安溪.tif", "-leading-dash.tif", "UPPER.tif", "upper.tif"] {
            let good = try validTIFF(name)
            XCTAssertEqual(try RasterFile.read(path: good).floatBand(0), (0..<16).map(Float.init), name)
            let out = try HostileHarness.assertInfoSucceeds(good)
            if let out { XCTAssertTrue(out.contains("4"), out) }
            let bad = dir.appendingPathComponent("bad " + name).path
            try Data("not a tiff at all".utf8).write(to: URL(fileURLWithPath: bad))
            try HostileHarness.assertRejected(bad, kinds: ["corrupt"], cause: "not a TIFF")
        }
    }

    func testNewlineInNameKeepsTheErrorOnOneLine() throws {
        let bad = dir.appendingPathComponent("two\nlines.tif").path
        try Data("not a tiff at all".utf8).write(to: URL(fileURLWithPath: bad))
        do {
            _ = try RasterFile.read(path: bad)
            XCTFail("read a text file")
        } catch let e as RasterIOError {
            XCTAssertEqual(e.path, bad)
            XCTAssertFalse(e.description.contains("\n"), "the message must stay on one line: \(e.description)")
            XCTAssertTrue(e.description.contains("two\\nlines.tif"), e.description)
        }
        guard let tp = HostileHarness.binary else { return }
        let r = try HostileHarness.runChild(tp, ["info", "--", bad])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.errorLines.count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("two\\nlines.tif"), r.stderr)
    }

    func testNonUTF8NameDoesNotCrash() throws {
        // "bad-\xff.tif": a name Swift's String cannot hold. The CLI gets it through bash's printf.
        guard let tp = HostileHarness.binary else { throw Skip.because("tilepipe binary not built") }
        let name: [CChar] = Array("bad-".utf8CString.dropLast()) + [CChar(bitPattern: 0xFF)] + Array(".tif".utf8CString)
        let full = Array(dir.path.utf8CString.dropLast()) + [CChar(47)] + name
        let bytes = TIFFBuilder(width: 4, height: 4, pixels: (0..<16).map { UInt8($0) }).build()
        let fd = open(full, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }, bytes.count)
        close(fd)
        let r = try HostileHarness.runChild("/bin/bash", ["-c", "\"$0\" info -- \"$1\"/$(printf 'bad-\\377.tif')", tp, dir.path])
        XCTAssertFalse(r.timedOut || r.signalled, r.stderr)
        // Either it is read, or refused with one line naming the file (exit 1, or 2 when the name, which Swift's
        // String cannot hold, no longer names an existing file): never a crash.
        XCTAssertTrue(r.status == 0 || ([1, 2].contains(r.status) && r.errorLines.count == 1 && r.stderr.contains("bad-")), "\(r.status): \(r.stderr)")
    }
}
