import Foundation
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// Full disk: the output folder is a 1 MiB tmpfs (root only; skipped with a message otherwise). The run must
/// fail clearly (ENOSPC named), leave no partial file under a final name and no temporaries, keep the catalog
/// consistent, and — once the tmpfs is enlarged — a rerun must complete and match a clean run byte for byte.
final class HostileFullDiskTests: XCTestCase {
    private var root: URL!
    private var mounted: String?

    override func tearDownWithError() throws {
        if let mounted { _ = try? HostileBatchTests.run("umount '\(mounted)'", cwd: URL(fileURLWithPath: "/")) }
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    func testFullDiskThenResumeAfterSpaceIsFreed() throws {
        guard let binary = TileFixtures.tilepipeBinary else { throw Skip.because("tilepipe binary absent: run `swift build` first") }
        guard getuid() == 0 else { throw Skip.because("full-disk test needs root to mount a tmpfs") }
        root = try TestData.temporaryDirectory("hostile-fulldisk")
        let disk = root.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        let m = try HostileBatchTests.run("mount -t tmpfs -o size=1m tmpfs '\(disk.path)'", cwd: root, timeout: 30)
        guard m.status == 0 else { throw Skip.because("mount -t tmpfs not permitted here: \(m.stderr)") }
        mounted = disk.path

        // Six 128×128 tiles × 3 indices of Float32 COG: about 1.5 MiB of output, more than the tmpfs holds.
        let tiles = root.appendingPathComponent("tiles")
        try TileFixtures.writeTiles(count: 6, into: tiles, size: 128)
        func config(_ name: String, output: URL) throws -> String {
            let path = root.appendingPathComponent(name).path
            try TileFixtures.minimalYAML(input: tiles.path, output: output.path, indices: "[ndvi, ndwi, nbr]")
                .write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let cleanOut = root.appendingPathComponent("clean")
        let clean = try HostileBatchTests.run("'\(binary)' run '\(try config("clean.yaml", output: cleanOut))' --progress never", cwd: root)
        XCTAssertEqual(clean.status, 0, clean.stderr)
        let expected = TileFixtures.outputFiles(cleanOut)
        let expectedTiles = expected.keys.filter { $0.hasPrefix("tiles/") }.count
        XCTAssertGreaterThanOrEqual(expectedTiles, 18, "at least 6 tiles × 3 index COGs")
        XCTAssertGreaterThan(expected.values.map(\.count).reduce(0, +), 1 << 20, "outputs must overflow the 1 MiB tmpfs")

        let fullOut = disk.appendingPathComponent("out")
        let cfg = try config("full.yaml", output: fullOut)
        let full = try HostileBatchTests.run("'\(binary)' run '\(cfg)' --progress never", cwd: root)
        XCTAssertFalse(full.timedOut || full.signalled, full.stderr)
        XCTAssertTrue(full.status == 1 || full.status == 2, "a full disk is a failure (1: some tiles, 2: could not run), got \(full.status)")
        // The COG writer names ENOSPC ("No space left on device"); SQLite says "database or disk is full".
        XCTAssertTrue(full.stderr.contains("No space left on device") || full.stderr.contains("disk is full"),
                      "the error must say the disk is full: \(full.stderr.suffix(1500))")
        XCTAssertFalse(full.stderr.contains("Write error at scanline") && !full.stderr.contains("No space left on device"),
                       "a failed COG write must name ENOSPC, not only libtiff's 'Write error'")

        // No partial file under a final name: every output present is complete (identical to the clean run's).
        let partial = TileFixtures.outputFiles(fullOut)
        for (rel, data) in partial where rel.hasPrefix("tiles/") {
            XCTAssertEqual(data, expected[rel], "\(rel) exists but differs from the clean run (partial write?)")
        }
        XCTAssertEqual(TileFixtures.temporaries(fullOut), [], "temporaries left on the full disk")
        XCTAssertLessThan(partial.filter { $0.key.hasPrefix("tiles/") }.count, expectedTiles, "the tmpfs cannot hold every output")

        // Free space (enlarge the tmpfs) and rerun: the run completes and matches the clean run byte for byte.
        let grow = try HostileBatchTests.run("mount -o remount,size=64m '\(disk.path)'", cwd: root, timeout: 30)
        XCTAssertEqual(grow.status, 0, grow.stderr)
        let again = try HostileBatchTests.run("'\(binary)' run '\(cfg)' --progress never", cwd: root)
        XCTAssertEqual(again.status, 0, again.stderr)
        let resumed = TileFixtures.outputFiles(fullOut)
        XCTAssertEqual(Set(resumed.keys), Set(expected.keys))
        for (rel, data) in expected { XCTAssertEqual(resumed[rel], data, rel) }
        XCTAssertEqual(TileFixtures.temporaries(fullOut), [])
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: fullOut.appendingPathComponent("run.json"))) as? [String: Any])
        XCTAssertEqual(summary["failed"] as? Int, 0)
        XCTAssertEqual((summary["done"] as? Int ?? 0) + (summary["skipped"] as? Int ?? 0), 6)
    }
}
