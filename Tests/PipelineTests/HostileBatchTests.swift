import Foundation
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// Batch-level hostile inputs: `tilepipe run` as a child process (timeout, SIGKILL on hang) over a folder
/// mixing good tiles with hostile ones. Each bad file: no crash or hang, one stderr error line naming the
/// file and the cause, listed in run.json with its kind, no output for it; the good tiles are done; exit 1;
/// every input byte-identical afterwards.
final class HostileBatchTests: XCTestCase {
    private var root: URL!
    private var binary: String!

    override func setUpWithError() throws {
        guard let b = TileFixtures.tilepipeBinary else { throw Skip.because("tilepipe binary absent: run `swift build` first") }
        binary = b
        root = try TestData.temporaryDirectory("hostile-batch")
    }
    override func tearDownWithError() throws { if let root { try? FileManager.default.removeItem(at: root) } }

    struct Child { var status: Int32; var signalled: Bool; var timedOut: Bool; var stderr: String }

    /// Runs `command` (through bash, so `ulimit` can wrap it) with stderr to a file; SIGKILL after `timeout`.
    static func run(_ command: String, cwd: URL, timeout: TimeInterval = 300) throws -> Child {
        let errURL = cwd.appendingPathComponent("stderr-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", command]
        p.currentDirectoryURL = cwd
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: errURL)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while p.isRunning {
            if Date() > deadline { kill(p.processIdentifier, SIGKILL); timedOut = true; break }
            usleep(50_000)
        }
        p.waitUntilExit()
        return Child(status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal, timedOut: timedOut,
                     stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }

    /// Every regular file under `dir`: relative path → bytes.
    static func snapshot(_ dir: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        for rel in (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String]) ?? [] {
            let full = dir.appendingPathComponent(rel).path
            var st = stat()
            guard lstat(full, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            out[rel] = FileManager.default.contents(atPath: full)
        }
        return out
    }

    private func write(_ name: String, _ bytes: [UInt8], in dir: URL) throws {
        try Data(bytes).write(to: dir.appendingPathComponent(name))
    }

    private func runSummary(_ out: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: out.appendingPathComponent("run.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testMixedBatchGoesOnAndListsEveryBadFile() throws {
        let tiles = root.appendingPathComponent("tiles")
        try TileFixtures.writeTiles(count: 2, into: tiles, size: 32, names: ["good_a", "good_b"])
        let text = Array("not a tiff\n".utf8)
        var bad: [String: String] = [:]   // file name -> a word the cause must contain
        try write("zero.tif", [], in: tiles); bad["zero.tif"] = "empty"
        try write("text.tif", text, in: tiles); bad["text.tif"] = "TIFF"
        try write("truncated.tif", Array(TIFFBuilder(width: 8, height: 8).build().prefix(20)), in: tiles); bad["truncated.tif"] = "TIFF"
        var huge = TIFFBuilder(width: 8, height: 8)
        huge.tags[TIFFBuilder.Tag.imageWidth] = .long([200_000]); huge.tags[TIFFBuilder.Tag.imageLength] = .long([200_000])
        try write("huge.tif", huge.build(), in: tiles); bad["huge.tif"] = "limit"
        var codec = TIFFBuilder(width: 8, height: 8)
        codec.tags[TIFFBuilder.Tag.compression] = .short([12345])
        try write("codec.tif", codec.build(), in: tiles); bad["codec.tif"] = "compression"
        var nan = TIFFBuilder(width: 8, height: 8)
        nan.tags[TIFFBuilder.Tag.modelPixelScale] = .double([30, 30, 0])
        nan.tags[TIFFBuilder.Tag.modelTiepoint] = .double([0, 0, 0, .nan, 0, 0])
        try write("nan-tie.tif", nan.build(), in: tiles); bad["nan-tie.tif"] = "non-finite"
        // Three bands where the band map (blue..swir22 = 1..6) declares six: contradicts the declared sensor.
        try write("three-bands.tif", TIFFBuilder(width: 8, height: 8, samplesPerPixel: 3).build(), in: tiles); bad["three-bands.tif"] = "band"
        try write("with space.tif", text, in: tiles); bad["with space.tif"] = "TIFF"
        try write("-dash.tif", text, in: tiles); bad["-dash.tif"] = "TIFF"
        try write("安溪-ünï.tif", text, in: tiles); bad["安溪-ünï.tif"] = "TIFF"
        XCTAssertEqual(mkfifo(tiles.appendingPathComponent("fifo.tif").path, 0o644), 0); bad["fifo.tif"] = "FIFO"
        try FileManager.default.createSymbolicLink(atPath: tiles.appendingPathComponent("devzero.tif").path, withDestinationPath: "/dev/zero")
        bad["devzero.tif"] = "device"
        try FileManager.default.createSymbolicLink(atPath: tiles.appendingPathComponent("loop1.tif").path, withDestinationPath: "loop2.tif")
        try FileManager.default.createSymbolicLink(atPath: tiles.appendingPathComponent("loop2.tif").path, withDestinationPath: "loop1.tif")
        bad["loop1.tif"] = "loop"; bad["loop2.tif"] = "loop"
        // A folder named like a tile holds a good tile: discovery recurses into it, never reads it as a file.
        try TileFixtures.writeTiles(count: 1, into: tiles.appendingPathComponent("folder.tif"), size: 32, names: ["inner"])

        let inputsBefore = Self.snapshot(tiles)
        let cfg = root.appendingPathComponent("p.yaml")
        try TileFixtures.minimalYAML(input: tiles.path, output: root.appendingPathComponent("out").path).write(to: cfg, atomically: true, encoding: .utf8)
        let r = try Self.run("'\(binary!)' run '\(cfg.path)' --progress never", cwd: root)
        XCTAssertFalse(r.timedOut, "tilepipe run hung: \(r.stderr)")
        XCTAssertFalse(r.signalled, "tilepipe run died by signal \(r.status)")
        XCTAssertEqual(r.status, 1, r.stderr)

        let summary = try runSummary(root.appendingPathComponent("out"))
        let failures = try XCTUnwrap(summary["failures"] as? [[String: Any]])
        XCTAssertEqual(summary["done"] as? Int, 3, "good_a, good_b and folder.tif/inner")
        XCTAssertEqual(summary["failed"] as? Int, bad.count)
        let errorLines = r.stderr.split(separator: "\n").filter { $0.contains(": error:") }
        for (name, cause) in bad {
            let path = tiles.appendingPathComponent(name).path
            let f = failures.first { ($0["path"] as? String) == path }
            XCTAssertNotNil(f, "\(name) not listed in run.json failures")
            if let f {
                let c = (f["cause"] as? String ?? "").lowercased()
                XCTAssertTrue(c.contains(cause.lowercased()), "\(name): cause '\(c)' lacks '\(cause)'")
                XCTAssertTrue(["corrupt", "io", "config"].contains(f["kind"] as? String ?? ""), "\(name): kind \(f["kind"] ?? "-")")
            }
            let lines = errorLines.filter { $0.contains("path=\(path) ") || $0.hasSuffix("path=\(path)") }
            XCTAssertEqual(lines.count, 1, "\(name): expected one error line naming it, got \(lines)")
            let id = tileId(name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("out/tiles/\(id)").path), "\(name): output written")
        }
        for id in ["good_a", "good_b", "inner"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("out/tiles/\(id)/\(id)_ndvi.tif").path), id)
        }
        XCTAssertEqual(Self.snapshot(tiles), inputsBefore, "inputs modified")
    }

    private func tileId(_ name: String) -> String { (name as NSString).deletingPathExtension }

    func testNewlineAndCaseCollidingNames() throws {
        let tiles = root.appendingPathComponent("tiles")
        try TileFixtures.writeTiles(count: 2, into: tiles, size: 32, names: ["Tile", "tile"])
        try Data("not a tiff".utf8).write(to: tiles.appendingPathComponent("two\nlines.tif"))
        let cfg = root.appendingPathComponent("p.yaml")
        try TileFixtures.minimalYAML(input: tiles.path, output: root.appendingPathComponent("out").path).write(to: cfg, atomically: true, encoding: .utf8)
        let r = try Self.run("'\(binary!)' run '\(cfg.path)' --progress never", cwd: root)
        XCTAssertFalse(r.timedOut || r.signalled, r.stderr)
        XCTAssertEqual(r.status, 1, r.stderr)
        // The error stays on one line: the newline in the name is escaped.
        let lines = r.stderr.split(separator: "\n").filter { $0.contains(": error:") && $0.contains("two\\nlines.tif") }
        XCTAssertEqual(lines.count, 1, r.stderr)
        XCTAssertFalse(r.stderr.split(separator: "\n").contains { $0.hasPrefix("lines.tif") }, "a log line was split by the file name")
        // Case-colliding names are two tiles with two output folders (never one overwriting the other).
        for id in ["Tile", "tile"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("out/tiles/\(id)/\(id)_ndvi.tif").path), id)
        }
        let summary = try runSummary(root.appendingPathComponent("out"))
        XCTAssertEqual(summary["done"] as? Int, 2)
        XCTAssertEqual(summary["failed"] as? Int, 1)
    }

    func testNonUTF8FileNameIsReportedNotCrashed() throws {
        let tiles = root.appendingPathComponent("tiles")
        try TileFixtures.writeTiles(count: 1, into: tiles, size: 32, names: ["good"])
        let r0 = try Self.run("printf 'not a tiff' > \"$(printf 'bad-\\377.tif')\"", cwd: tiles)
        XCTAssertEqual(r0.status, 0, r0.stderr)
        let cfg = root.appendingPathComponent("p.yaml")
        try TileFixtures.minimalYAML(input: tiles.path, output: root.appendingPathComponent("out").path).write(to: cfg, atomically: true, encoding: .utf8)
        let r = try Self.run("'\(binary!)' run '\(cfg.path)' --progress never", cwd: root)
        XCTAssertFalse(r.timedOut || r.signalled, r.stderr)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("out/tiles/good/good_ndvi.tif").path))
        let summary = try runSummary(root.appendingPathComponent("out"))
        XCTAssertEqual(summary["failed"] as? Int, 1, "the non-UTF-8 file must be listed as failed")
        XCTAssertEqual(r.stderr.split(separator: "\n").filter { $0.contains(": error:") && $0.contains("bad-") }.count, 1, r.stderr)
    }

    func testManyTinyFilesUnderAnOpenFileLimit() throws {
        // 20,000 tiny bad files (TILEPIPE_HOSTILE_MANY to change) and one good tile, with `ulimit -n 256`.
        let count = Int(ProcessInfo.processInfo.environment["TILEPIPE_HOSTILE_MANY"] ?? "") ?? 20_000
        let tiles = root.appendingPathComponent("tiles")
        try TileFixtures.writeTiles(count: 1, into: tiles, size: 32, names: ["good"])
        let junk = Data("x".utf8)
        for i in 0..<count {
            FileManager.default.createFile(atPath: tiles.appendingPathComponent(String(format: "junk%05d.tif", i)).path, contents: junk)
        }
        let cfg = root.appendingPathComponent("p.yaml")
        try TileFixtures.minimalYAML(input: tiles.path, output: root.appendingPathComponent("out").path).write(to: cfg, atomically: true, encoding: .utf8)
        let r = try Self.run("ulimit -n 256 && exec '\(binary!)' run '\(cfg.path)' --progress never --log-format json", cwd: root, timeout: 1200)
        XCTAssertFalse(r.timedOut, "tilepipe run did not finish \(count) files in 20 minutes")
        XCTAssertFalse(r.signalled)
        XCTAssertEqual(r.status, 1, String(r.stderr.suffix(2000)))
        XCTAssertFalse(r.stderr.contains("Too many open files"), "file descriptors leaked")
        let summary = try runSummary(root.appendingPathComponent("out"))
        XCTAssertEqual(summary["done"] as? Int, 1)
        XCTAssertEqual(summary["failed"] as? Int, count)
        let failures = try XCTUnwrap(summary["failures"] as? [[String: Any]])
        XCTAssertTrue(failures.allSatisfy { ($0["kind"] as? String) == "corrupt" }, "every junk file is corrupt, not an I/O failure")
    }
}
