import Foundation
import Pipeline
import RasterCore
import RasterIO
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 16: output confinement, one writer per folder, clean interrupts, safe report formats — each through the
/// built `tilepipe` in a child process, as an operator (or an attacker) would use it.
final class HardeningTests: XCTestCase {
    var workspace: ToolWorkspace!
    var root: URL { workspace.directory }
    var binary: String { workspace.binary }

    override func setUpWithError() throws { workspace = try ToolWorkspace(label: "hardening") }
    override func tearDownWithError() throws { workspace?.remove() }

    func tilepipe(_ args: [String]) throws -> (status: Int32?, stderr: String) {
        try TilepipeChild.run(binary: binary, args, cwd: root)
    }

    func writeConfig(_ name: String, input: String = "tiles", output: String, indices: String = "[ndvi, ndwi, nbr]",
                     extra: String = "") throws -> String {
        let path = root.appendingPathComponent("\(name).yaml").path
        try (TileFixtures.minimalYAML(input: input, output: output, indices: indices) + "\n" + extra)
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Every entry under `dir` (links not followed): relative path → bytes (files), `->target` (links), `dir`.
    static func tree(_ dir: URL) -> [String: String] {
        var out: [String: String] = [:]
        for rel in (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String]) ?? [] {
            let full = dir.appendingPathComponent(rel).path
            var st = stat()
            guard lstat(full, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFREG: out[rel] = (FileManager.default.contents(atPath: full) ?? Data()).base64EncodedString()
            case S_IFLNK: out[rel] = "->" + ((try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? "?")
            case S_IFDIR: out[rel] = "dir"
            default: out[rel] = "other"
            }
        }
        return out
    }

    // MARK: 1. Confinement

    /// SampleTiles' flood scenes, one of them with `scene_id: ../../ESCAPED` (and no tile suffix).
    func sceneFolderWithEscapingId() throws -> URL {
        let src = TestData.packageRoot.appendingPathComponent("SampleTiles/flood/TGY1_20250602")
        guard FileManager.default.fileExists(atPath: src.path) else { throw Skip.because("SampleTiles/ absent") }
        let dst = root.appendingPathComponent("work/in/TGY1_20250602")
        try FileManager.default.createDirectory(at: dst.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: src, to: dst)
        let manifest = dst.appendingPathComponent("r0c0/scene.json")
        var doc = try JSONSerialization.jsonObject(with: Data(contentsOf: manifest)) as! [String: Any]
        doc["scene_id"] = "../../ESCAPED"
        doc["tile"] = nil
        try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted]).write(to: manifest)
        return dst
    }

    func testSceneIdWithDotDotWritesNothingOutsideTheOutputFolder() throws {
        _ = try sceneFolderWithEscapingId()
        let work = root.appendingPathComponent("work")
        let config = root.appendingPathComponent("work/p.yaml")
        try """
        version: 1
        inputs:
          - path: in
        indices: [ndvi, ndwi]
        outputs:
          directory: a/b/out
        """.write(to: config, atomically: true, encoding: .utf8)
        let before = Self.tree(work)
        let r = try TilepipeChild.run(binary: binary, ["run", "p.yaml", "--progress", "never"], cwd: work)
        XCTAssertEqual(r.status, 1, r.stderr)
        // Nothing new outside a/b/out: no ESCAPED anywhere, the inputs untouched.
        let after = Self.tree(work).filter { !$0.key.hasPrefix("a/b/out/") && $0.key != "a/b/out" }
        XCTAssertEqual(Set(after.keys).subtracting(before.keys).sorted(), ["a", "a/b"])
        for (k, v) in before { XCTAssertEqual(after[k], v, "\(k) changed") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("ESCAPED").path))
        // The tile is a failure naming its manifest and the cause; the three others are done.
        XCTAssertTrue(r.stderr.contains("r0c0/") && r.stderr.contains("'../../ESCAPED'") && r.stderr.contains("contains '/'"), r.stderr)
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("a/b/out/run.json"))) as? [String: Any] ?? [:]
        XCTAssertEqual(run["done"] as? Int, 3, "\(run)")
        XCTAssertEqual(run["failed"] as? Int, 1, "\(run)")
        let outTiles = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("a/b/out/tiles").path)
        XCTAssertEqual(outTiles.count, 3, "\(outTiles)")
        XCTAssertFalse(outTiles.contains { $0.contains("ESCAPED") })
    }

    func testPlantedSymlinksInsideTheOutputFolderAreRefusedAndTheirTargetsUntouched() throws {
        try TileFixtures.writeTiles(count: 3, into: root.appendingPathComponent("tiles"))
        let config = try writeConfig("p", output: "out")
        let victim = root.appendingPathComponent("victim")
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        try Data("victim's own file\n".utf8).write(to: victim.appendingPathComponent("keep.txt"))
        let otherDB = root.appendingPathComponent("other.db")
        try Data("another application's database".utf8).write(to: otherDB)
        let out = root.appendingPathComponent("out")

        // (link inside out, its target relative to the link's folder)
        let cases: [(String, String)] = [("tiles", "../victim"), ("tiles/t01_20250101", "../../victim"), ("stac", "../victim"),
                                         ("catalog.sqlite", "../other.db")]
        for (link, target) in cases {
            try? FileManager.default.removeItem(at: out)
            XCTAssertEqual(try tilepipe(["run", config, "--progress", "never"]).status, 0)
            let victimBefore = Self.tree(victim), dbBefore = try Data(contentsOf: otherDB)
            let linkURL = out.appendingPathComponent(link)
            try? FileManager.default.removeItem(at: linkURL)   // `stac/` exists only with dated tiles: plant it anyway
            try FileManager.default.createSymbolicLink(atPath: linkURL.path, withDestinationPath: target)
            for args in [["run", config, "--progress", "never"], ["run", config, "--progress", "never", "--fresh"]] {
                let r = try tilepipe(args)
                XCTAssertEqual(r.status, 2, "\(link): \(r.stderr)")
                XCTAssertTrue(r.stderr.contains("out/\(link)") && r.stderr.contains("symbolic link"), "\(link): \(r.stderr)")
                XCTAssertEqual(Self.tree(victim), victimBefore, "\(link): the link's target folder changed")
                XCTAssertEqual(try Data(contentsOf: otherDB), dbBefore, "\(link): the other database changed")
            }
            let report = try tilepipe(["report", "out"])
            XCTAssertEqual(report.status, 2, "\(link): \(report.stderr)")
            XCTAssertEqual(Self.tree(victim), victimBefore, "\(link): report wrote through the link")
        }
    }

    /// A catalog row's stored path (quicklook, STAC item, output) names a file outside the run folder: `report`
    /// never embeds it, `merge` refuses and writes nothing outside its output.
    func testCatalogPathsAreConfinedOnReportAndMerge() throws {
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw Skip.because("python3 absent (edits the catalog with its sqlite3 module)")
        }
        try TileFixtures.writeTiles(count: 2, into: root.appendingPathComponent("tiles"))
        let config = try writeConfig("p", output: "out")
        XCTAssertEqual(try tilepipe(["run", config, "--progress", "never"]).status, 0)
        let secret = Data("SECRET-BYTES-\(UUID().uuidString)".utf8)
        try secret.write(to: root.appendingPathComponent("secret.png"))
        let script = """
        import sqlite3, sys
        db = sqlite3.connect(sys.argv[1])
        for id, js in db.execute("SELECT id, results_json FROM tiles").fetchall():
            js = js.replace('tiles/%s/%s_landuse.png' % (id, id), '../secret.png')
            db.execute("UPDATE tiles SET results_json = ? WHERE id = ?", (js, id))
        db.execute("UPDATE outputs SET path = '../../ESCAPED.tif' WHERE path LIKE '%t00_20250101_ndvi.tif'")
        db.commit()
        """
        let edit = try TestData.run(python, ["-c", script, root.appendingPathComponent("out/catalog.sqlite").path])
        XCTAssertEqual(edit.status, 0, edit.err)
        let rep = try tilepipe(["report", "out"])
        XCTAssertEqual(rep.status, 0, rep.stderr)
        let html = try String(contentsOf: root.appendingPathComponent("out/report.html"), encoding: .utf8)
        XCTAssertFalse(html.contains(secret.base64EncodedString()), "report.html embedded a file outside the run folder")
        let merge = try tilepipe(["merge", "out", "--output", "merged"])
        XCTAssertEqual(merge.status, 2, merge.stderr)
        XCTAssertTrue(merge.stderr.contains("ESCAPED.tif") && merge.stderr.contains("refused"), merge.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("ESCAPED.tif").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.deletingLastPathComponent().appendingPathComponent("ESCAPED.tif").path))
    }

    // MARK: 2. One writer per output folder

    func testASecondRunOnTheSameFolderExits2NamingTheFirst() throws {
        try TileFixtures.writeTiles(count: 12, into: root.appendingPathComponent("tiles"), size: 160)
        let clean = try writeConfig("clean", output: "clean")
        XCTAssertEqual(try tilepipe(["run", clean, "--progress", "never"]).status, 0)
        let shared = try writeConfig("shared", output: "shared")
        let first = try TilepipeChild(binary: binary, args: ["run", shared, "--progress", "never", "--log-format", "json", "--jobs", "1",
                                                             "--max-in-flight", "1"], cwd: root)
        XCTAssertTrue(first.waitFor { $0.contains("\"msg\":\"run started\"") }, first.stderr)
        let second = try tilepipe(["run", shared, "--progress", "never"])
        let report = try tilepipe(["report", "shared"])
        let firstResult = first.finish()
        XCTAssertEqual(firstResult.status, 0, firstResult.stderr)
        XCTAssertEqual(second.status, 2, second.stderr)
        XCTAssertTrue(second.stderr.contains("pid \(first.process.processIdentifier)") && second.stderr.contains("started 20"), second.stderr)
        XCTAssertEqual(report.status, 2, "report must not read a folder a run is writing: \(report.stderr)")
        // The first run's outputs are those of a clean run; nothing of the second is left.
        let expected = TileFixtures.outputFiles(root.appendingPathComponent("clean"))
        let got = TileFixtures.outputFiles(root.appendingPathComponent("shared"))
        XCTAssertEqual(Set(got.keys), Set(expected.keys))
        for (k, v) in expected { XCTAssertEqual(got[k], v, "\(k) differs from a clean run") }
        XCTAssertEqual(TileFixtures.temporaries(root.appendingPathComponent("shared")), [])
        // Once the first is gone the folder is free again (the kernel released the lock).
        XCTAssertEqual(try tilepipe(["run", shared, "--progress", "never"]).status, 0)
        XCTAssertEqual(try tilepipe(["run", shared, "--dry-run"]).status, 0)
    }

    // MARK: 5. Interrupts

    func testSigintMidRunExits130LeavesNoTemporariesAndTheRerunEqualsACleanRun() throws {
        try TileFixtures.writeTiles(count: 12, into: root.appendingPathComponent("tiles"), size: 160)
        let clean = try writeConfig("clean", output: "clean")
        XCTAssertEqual(try tilepipe(["run", clean, "--progress", "never"]).status, 0)
        let cfg = try writeConfig("resumed", output: "resumed")
        for (sig, code) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let child = try TilepipeChild(binary: binary, args: ["run", cfg, "--progress", "never", "--log-format", "json", "--jobs", "1",
                                                                 "--max-in-flight", "2"], cwd: root)
            XCTAssertTrue(child.waitFor { $0.components(separatedBy: "\"msg\":\"tile done\"").count > 2 }, child.stderr)
            kill(child.process.processIdentifier, sig)
            let r = child.finish()
            XCTAssertEqual(r.status, code, r.stderr)
            let summary = r.stderr.split(separator: "\n").filter { $0.contains("interrupted by") }
            XCTAssertEqual(summary.count, 1, r.stderr)
            XCTAssertFalse(r.stderr.contains("\"msg\":\"run finished\""), "the run went on after the signal")
            XCTAssertEqual(TileFixtures.temporaries(root.appendingPathComponent("resumed")), [])
            if let python = ["/usr/bin/python3"].first(where: FileManager.default.isExecutableFile(atPath:)) {
                let q = try TestData.run(python, ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT status FROM runs ORDER BY id DESC LIMIT 1').fetchone()[0])",
                                                  root.appendingPathComponent("resumed/catalog.sqlite").path])
                XCTAssertEqual(q.out.trimmingCharacters(in: .whitespacesAndNewlines), "interrupted", q.err)
            }
        }
        let final = try tilepipe(["run", cfg, "--progress", "never"])
        XCTAssertEqual(final.status, 0, final.stderr)
        let expected = TileFixtures.outputFiles(root.appendingPathComponent("clean"))
        let got = TileFixtures.outputFiles(root.appendingPathComponent("resumed"))
        XCTAssertEqual(Set(got.keys), Set(expected.keys))
        for (k, v) in expected { XCTAssertEqual(got[k], v, "\(k) differs from the uninterrupted run") }
        XCTAssertEqual(try TileFixtures.reportFigures(root.appendingPathComponent("resumed")),
                       try TileFixtures.reportFigures(root.appendingPathComponent("clean")))
    }

    // MARK: 6. Safe formats

    /// RFC 4180 rows of cells (quoted cells unquoted).
    static func csvCells(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], cell = "", quoted = false
        var it = Array(text).makeIterator()
        var pending: Character?
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" { if let n = it.next() { if n == "\"" { cell.append("\"") } else { quoted = false; pending = n } } else { quoted = false } }
                else { cell.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { row.append(cell); cell = "" }
            else if c == "\n" { row.append(cell); rows.append(row); row = []; cell = "" }
            else { cell.append(c) }
        }
        if !cell.isEmpty || !row.isEmpty { row.append(cell); rows.append(row) }
        return rows
    }

    func testFailuresCSVNeutralisesFormulasAndMarkdownEscapesTheTitle() throws {
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw Skip.because("python3 absent (edits the catalog with its sqlite3 module)")
        }
        try TileFixtures.writeTiles(count: 1, into: root.appendingPathComponent("tiles"))
        try Data("not a tiff".utf8).write(to: root.appendingPathComponent("tiles/@bad.tif"))
        let config = try writeConfig("p", output: "out", extra: """
            report:
              title: "Harbour\\n# Injected heading\\n<script>alert(1)</script> [x](javascript:alert(1))"
            """)
        let r = try tilepipe(["run", config, "--progress", "never"])
        XCTAssertEqual(r.status, 1, r.stderr)
        // Cells from data that start with a formula character (a path and causes as a hostile input could make them).
        let edit = try TestData.run(python, ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("UPDATE tiles SET path = ?, cause = ?, failed_stage = ?, kind = ? WHERE status = 'failed'",
                       ("=cmd|' /C calc'!A0", "+SUM(1)", "-2+3", "@x"))
            db.commit()
            """, root.appendingPathComponent("out/catalog.sqlite").path])
        XCTAssertEqual(edit.status, 0, edit.err)
        XCTAssertEqual(try tilepipe(["report", "out"]).status, 0)
        let csv = try String(contentsOf: root.appendingPathComponent("out/failures.csv"), encoding: .utf8)
        let cells = Self.csvCells(csv).dropFirst().flatMap { $0 }
        XCTAssertEqual(cells.count, 4, csv)
        for c in cells { XCTAssertFalse(["=", "+", "-", "@", "\t", "\r"].contains(c.first.map(String.init) ?? ""), "cell '\(c)' in \(csv)") }
        XCTAssertTrue(csv.contains("'=cmd|' /C calc'!A0"), csv)
        let md = try String(contentsOf: root.appendingPathComponent("out/report.md"), encoding: .utf8)
        XCTAssertEqual(md.split(separator: "\n").filter { $0.hasPrefix("# ") }.count, 1, md)
        XCTAssertFalse(md.split(separator: "\n").contains { $0.hasPrefix("# Injected") }, md)
        XCTAssertFalse(md.contains("<script>"), md)
        XCTAssertFalse(md.contains("](javascript:"), md)
    }

    func testEveryStderrLineIsOneJSONObjectWithTypedValues() throws {
        try TileFixtures.writeTiles(count: 2, into: root.appendingPathComponent("tiles"))
        try Data("not a tiff".utf8).write(to: root.appendingPathComponent("tiles/zz.tif"))
        let config = try writeConfig("p", output: "out")
        var lines: [String] = []
        let r = try tilepipe(["run", config, "--log-format", "json", "--progress", "always"])
        XCTAssertEqual(r.status, 1, r.stderr)
        lines += r.stderr.split(separator: "\n").map(String.init)
        // Errors before the run starts, and a refused second writer, are JSON too.
        let bad = try tilepipe(["run", config, "--log-format", "json", "--input", "missing-folder"])
        XCTAssertEqual(bad.status, 2)
        lines += bad.stderr.split(separator: "\n").map(String.init)
        let usage = try tilepipe(["run", config, "--log-format", "json", "--jobs", "0"])
        XCTAssertEqual(usage.status, 64, usage.stderr)
        lines += usage.stderr.split(separator: "\n").map(String.init)
        let badConfig = root.appendingPathComponent("bad.yaml").path
        try (TileFixtures.minimalYAML(input: "tiles", output: "out") + "\nstagez: 1\nindices2: 3\n").write(toFile: badConfig, atomically: true, encoding: .utf8)
        let invalid = try tilepipe(["run", badConfig, "--log-format", "json"])
        XCTAssertEqual(invalid.status, 2)
        XCTAssertTrue(invalid.stderr.contains("bad.yaml:"), invalid.stderr)
        lines += invalid.stderr.split(separator: "\n").map(String.init)
        var started: [String: Any]?
        for line in lines {
            let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            XCTAssertNotNil(obj, "not one JSON object: \(line)")
            if obj?["msg"] as? String == "run started" { started = obj }
        }
        XCTAssertTrue(lines.count >= 6, r.stderr)
        let s = try XCTUnwrap(started, r.stderr)
        XCTAssertTrue(s["tiles"] is NSNumber && !(s["tiles"] is String), "\(s)")
        XCTAssertEqual((s["tiles"] as? NSNumber)?.intValue, 2)
        XCTAssertTrue(s["config_hash"] is String)
        XCTAssertTrue(r.stderr.contains("\"msg\":\"run summary\""), r.stderr)
    }
}

/// Issue 16 item 4: the catalog is checked, not trusted; reports describe exactly the inputs that exist.
final class CatalogIntegrityTests: XCTestCase {
    var workspace: ToolWorkspace!
    var root: URL { workspace.directory }
    var binary: String { workspace.binary }
    var python: String!

    override func setUpWithError() throws {
        guard let p = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw Skip.because("python3 absent (edits the catalog with its sqlite3 module)")
        }
        python = p
        workspace = try ToolWorkspace(label: "catalog-integrity")
    }
    override func tearDownWithError() throws { workspace?.remove() }

    func tilepipe(_ args: [String]) throws -> (status: Int32?, stderr: String) { try TilepipeChild.run(binary: binary, args, cwd: root) }

    func config(_ name: String, input: String = "tiles") throws -> String {
        let path = root.appendingPathComponent("\(name).yaml").path
        try TileFixtures.minimalYAML(input: input, output: name).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func sql(_ db: String, _ statement: String) throws -> String {
        let r = try TestData.run(python, ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            rows = db.execute(sys.argv[2]).fetchall()
            db.commit()
            print("\\n".join("|".join(str(c) for c in row) for row in rows))
            """, root.appendingPathComponent(db).path, statement])
        XCTAssertEqual(r.status, 0, r.err)
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func reportTiles(_ dir: String) throws -> [String: String] {
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("\(dir)/report.json"))) as? [String: Any]
        let tiles = (doc?["report"] as? [String: Any])?["tiles"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: tiles.map { ($0["id"] as? String ?? "?", $0["status"] as? String ?? "?") })
    }

    func runJSON(_ dir: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("\(dir)/run.json"))) as? [String: Any] ?? [:]
    }

    func testAGarbledRowIsRecomputedByRunAndRefusedByReport() throws {
        try TileFixtures.writeTiles(count: 3, into: root.appendingPathComponent("tiles"))
        XCTAssertEqual(try tilepipe(["run", try config("clean"), "--progress", "never"]).status, 0)
        let out = try config("out")
        XCTAssertEqual(try tilepipe(["run", out, "--progress", "never"]).status, 0)
        _ = try sql("out/catalog.sqlite", "UPDATE tiles SET results_json = '{\"garbled' WHERE id = 't01_20250101'")
        let report = try tilepipe(["report", "out"])
        XCTAssertEqual(report.status, 2, report.stderr)
        XCTAssertTrue(report.stderr.contains("t01_20250101") && report.stderr.contains("--fresh"), report.stderr)
        let rerun = try tilepipe(["run", out, "--progress", "never"])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertEqual(try runJSON("out")["done"] as? Int, 1, rerun.stderr)
        XCTAssertEqual(try TileFixtures.reportFigures(root.appendingPathComponent("out")),
                       try TileFixtures.reportFigures(root.appendingPathComponent("clean")))
        XCTAssertEqual(try tilepipe(["report", "out"]).status, 0)
    }

    func testADeletedInputAndATileThatStartsFailingLeaveNoTrace() throws {
        let paths = try TileFixtures.writeTiles(count: 3, into: root.appendingPathComponent("tiles"))
        let out = try config("out")
        XCTAssertEqual(try tilepipe(["run", out, "--progress", "never"]).status, 0)
        XCTAssertEqual(try reportTiles("out").count, 3)
        try FileManager.default.removeItem(atPath: paths[0])                   // t00 deleted
        try Data("not a tiff any more".utf8).write(to: URL(fileURLWithPath: paths[1]))   // t01 now corrupt
        let r = try tilepipe(["run", out, "--progress", "never"])
        XCTAssertEqual(r.status, 1, r.stderr)
        // t02 is unchanged since the first run: the report lists it as resumed ("skipped"), not recomputed.
        XCTAssertEqual(try reportTiles("out"), ["t01_20250101": "failed", "t02_20250101": "skipped"])
        let folders = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("out/tiles").path)
        XCTAssertEqual(folders, ["t02_20250101"], "products of a deleted input or a failing tile are left")
        XCTAssertEqual(try sql("out/catalog.sqlite", "SELECT count(*) FROM outputs WHERE tile_id != 't02_20250101'"), "0")
        let run = try runJSON("out")
        XCTAssertEqual(run["total"] as? Int, 2, "\(run)")
    }

    func testTwoInputsWithOneIdAreBothReportedAndNeverFlip() throws {
        try TileFixtures.writeTiles(count: 1, into: root.appendingPathComponent("tiles/a"), names: ["x"])
        try FileManager.default.createDirectory(at: root.appendingPathComponent("tiles/b"), withIntermediateDirectories: true)
        try Data("not a tiff".utf8).write(to: root.appendingPathComponent("tiles/b/x.tif"))
        let out = try config("out")
        for _ in 0..<2 {
            let r = try tilepipe(["run", out, "--progress", "never"])
            XCTAssertEqual(r.status, 1, r.stderr)
            let rows = try sql("out/catalog.sqlite", "SELECT id, status FROM tiles ORDER BY id").split(separator: "\n").map(String.init)
            XCTAssertEqual(rows.count, 2, "\(rows)")
            XCTAssertEqual(Set(rows.map { $0.split(separator: "|").last.map(String.init) ?? "" }), ["done", "failed"], "\(rows)")
            XCTAssertEqual(try reportTiles("out").count, 2)
        }
    }

    func testAReplacedTruthFileChangesTheTilesFingerprint() throws {
        try TileFixtures.writeTiles(count: 2, into: root.appendingPathComponent("tiles"))
        let out = try config("out")
        XCTAssertEqual(try tilepipe(["run", out, "--progress", "never"]).status, 0)
        XCTAssertEqual(try tilepipe(["run", out, "--progress", "never"]).status, 0)
        XCTAssertEqual(try runJSON("out")["skipped"] as? Int, 2)
        func writeTruth(_ code: UInt8) throws {
            let r = Raster<UInt8>(width: 64, height: 64, samples: [UInt8](repeating: code, count: 64 * 64), bands: [BandInfo(description: "truth")])
            try GeoTIFFWriter.write(r, to: root.appendingPathComponent("tiles/truth-landcover.tif").path)
        }
        try writeTruth(1)
        XCTAssertEqual(try tilepipe(["run", out, "--progress", "never"]).status, 0)
        XCTAssertEqual(try runJSON("out")["skipped"] as? Int, 0, "a new truth file did not make the tiles stale")
        try writeTruth(2)
        XCTAssertEqual(try tilepipe(["run", out, "--progress", "never"]).status, 0)
        XCTAssertEqual(try runJSON("out")["skipped"] as? Int, 0, "a replaced truth file did not make the tiles stale")
        XCTAssertEqual(try tilepipe(["run", out, "--progress", "never"]).status, 0)
        XCTAssertEqual(try runJSON("out")["skipped"] as? Int, 2)
    }
}

/// Typed values in `--log-format json` records.
final class JSONLogValueTests: XCTestCase {
    func testValuesKeepTheirTypes() throws {
        let line = JSONLogValue.line(level: "info", message: "m\n\"q\"", fields: [
            "tiles": JSONLogValue.render(.string("16"), key: "tiles"),
            "ratio": JSONLogValue.render(.string("-0.25"), key: "ratio"),
            "count": JSONLogValue.render(.stringConvertible(7), key: "count"),
            "flag": JSONLogValue.render(.stringConvertible(true), key: "flag"),
            "tile_id": JSONLogValue.render(.string("12"), key: "tile_id"),
            "config_hash": JSONLogValue.render(.string("1234"), key: "config_hash"),
            "code": JSONLogValue.render(.string("007"), key: "code"),
            "nan": JSONLogValue.render(.stringConvertible(Double.nan), key: "nan"),
            "list": JSONLogValue.render(.array([.string("1"), .string("a")]), key: "list"),
        ])
        XCTAssertTrue(line.hasSuffix("}\n"))
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1)
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(o["msg"] as? String, "m\n\"q\"")
        XCTAssertEqual((o["tiles"] as? NSNumber)?.intValue, 16)
        XCTAssertEqual((o["ratio"] as? NSNumber)?.doubleValue, -0.25)
        XCTAssertEqual((o["count"] as? NSNumber)?.intValue, 7)
        XCTAssertEqual(o["flag"] as? Bool, true)
        XCTAssertEqual(o["tile_id"] as? String, "12")
        XCTAssertEqual(o["config_hash"] as? String, "1234")
        XCTAssertEqual(o["code"] as? String, "007")
        XCTAssertEqual(o["nan"] as? String, "nan")
        XCTAssertEqual((o["list"] as? [Any])?.count, 2)
    }
}
