import Foundation
import Pipeline
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `tilepipe` as a child process, kills it with SIGKILL at several moments, resumes, and compares
/// with an uninterrupted run. Also checks the exit codes of design.md §5.
final class KillResumeTests: XCTestCase {
    var workspace: ToolWorkspace!
    var root: URL { workspace.directory }

    override func setUpWithError() throws { workspace = try ToolWorkspace(label: "pipeline-kill") }
    override func tearDownWithError() throws { workspace?.remove() }

    /// Starts `tilepipe args`, kills it with SIGKILL after `killAfterTiles` "tile done" log lines (nil: never).
    /// Returns (exit status or nil if killed, tiles seen done).
    @discardableResult
    func runTilepipe(_ args: [String], killAfterTiles: Int? = nil) throws -> (status: Int32?, stderr: String) {
        let child = try TilepipeChild(binary: workspace.binary, args: args, cwd: root)
        if let k = killAfterTiles, child.waitFor({ text in
            k == 0 ? text.contains("\"msg\":\"run started\"") : text.components(separatedBy: "\"msg\":\"tile done\"").count - 1 >= k
        }) {
            kill(child.process.processIdentifier, SIGKILL)
        }
        return child.finish()
    }

    func writeConfig(output: String) throws -> String {
        let path = root.appendingPathComponent("\(output).yaml").path
        try TileFixtures.minimalYAML(input: "tiles", output: output, indices: "[ndvi, ndwi, nbr]")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testKillNineAtSeveralMomentsThenResumeGivesIdenticalOutputs() throws {
        try TileFixtures.writeTiles(count: 16, into: root.appendingPathComponent("tiles"), size: 160)
        let clean = try writeConfig(output: "clean")
        XCTAssertEqual(try runTilepipe([ "run", clean, "--progress", "never", "--log-format", "json"]).status, 0)
        let expected = TileFixtures.outputFiles(root.appendingPathComponent("clean"))
        // Per tile: 3 index COGs, the land-use COG, NDVI and land-use quicklooks with world files, and a STAC item
        // (dated by the `_20250101` token of the file names), and 4 GIS sidecars (the class map's .aux.xml and .qml,
        // each quicklook's CRS .aux.xml); per run: areas/changes/disasters/failures/regions CSV and the STAC collection.
        XCTAssertEqual(expected.count, 16 * 13 + 6)

        let resumed = try writeConfig(output: "resumed")
        var killedCount = 0
        // Kill right after start, then after a few more tiles each time.
        for k in [0, 2, 3, 4] {
            let r = try runTilepipe(["run", resumed, "--progress", "never", "--log-format", "json", "--jobs", "1", "--max-in-flight", "2"],
                                    killAfterTiles: k)
            if r.status == nil { killedCount += 1 }
        }
        XCTAssertGreaterThanOrEqual(killedCount, 3, "the run finished before it could be killed 3 times")
        let final = try runTilepipe(["run", resumed, "--progress", "never", "--log-format", "json"])
        XCTAssertEqual(final.status, 0, final.stderr)
        let out = root.appendingPathComponent("resumed")
        XCTAssertEqual(TileFixtures.temporaries(out), [])
        let got = TileFixtures.outputFiles(out)
        XCTAssertEqual(Set(got.keys), Set(expected.keys))
        for (k, v) in expected { XCTAssertEqual(got[k], v, "\(k) differs from the uninterrupted run") }
        XCTAssertEqual(try TileFixtures.reportFigures(out), try TileFixtures.reportFigures(root.appendingPathComponent("clean")))
        let catalog = try RunCatalog(directory: out.path)
        XCTAssertEqual(try catalog.integrityCheck(), "ok")
        let rows = try catalog.allTiles()
        XCTAssertEqual(rows.count, 16)
        XCTAssertTrue(rows.allSatisfy { $0.status == .done })
        for o in try catalog.allOutputs() { XCTAssertEqual(Fingerprint.file(out.appendingPathComponent(o.path).path), o.hash) }
        // Same statistics as the clean run.
        let cleanRows = try RunCatalog(directory: root.appendingPathComponent("clean").path).allTiles()
        XCTAssertEqual(rows.map { $0.result?.indices }, cleanRows.map { $0.result?.indices })
    }

    func testExitCodes() throws {
        try TileFixtures.writeTiles(count: 3, into: root.appendingPathComponent("tiles"))
        let good = try writeConfig(output: "out")
        // Bad config: 2, with file:line:column.
        let bad = root.appendingPathComponent("bad.yaml").path
        try (TileFixtures.minimalYAML(input: "tiles", output: "out") + "\nstagez: 1\n").write(toFile: bad, atomically: true, encoding: .utf8)
        let r1 = try runTilepipe(["run", bad])
        XCTAssertEqual(r1.status, 2)
        XCTAssertTrue(r1.stderr.contains("bad.yaml:8:1:"), r1.stderr)
        XCTAssertEqual(try runTilepipe(["validate", bad]).status, 2)
        XCTAssertEqual(try runTilepipe(["validate", good]).status, 0)
        // Usage errors: 64.
        XCTAssertEqual(try runTilepipe(["run", good, "--jobs", "0"]).status, 64)
        XCTAssertEqual(try runTilepipe(["run", good, "--shard", "3/3"]).status, 64)
        XCTAssertEqual(try runTilepipe(["run", good, "--no-such-flag"]).status, 64)
        // Unreadable input folder: 2.
        XCTAssertEqual(try runTilepipe(["run", good, "--input", "missing-folder"]).status, 2)
        // Dry run writes nothing.
        XCTAssertEqual(try runTilepipe(["run", good, "--dry-run"]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("out/catalog.sqlite").path))
        // A bad tile: 1, the others done, the bad one listed.
        try Data("not a tiff".utf8).write(to: root.appendingPathComponent("tiles/zz_20250101.tif"))
        let r2 = try runTilepipe(["run", good, "--progress", "never"])
        XCTAssertEqual(r2.status, 1)
        XCTAssertTrue(r2.stderr.contains("3 done") && r2.stderr.contains("zz_20250101.tif"), r2.stderr)
    }
}
