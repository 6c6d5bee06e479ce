import Foundation
import RasterIO
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `OutputTree` and `AtomicFile` under a registered output folder: names checked, links never followed, the
/// refusal names the link, the link's target is untouched.
final class OutputTreeTests: XCTestCase {
    var root: URL!
    override func setUpWithError() throws { root = try TestData.temporaryDirectory("output-tree") }
    override func tearDownWithError() throws { if let root { try? FileManager.default.removeItem(at: root) } }

    func testSafeNames() {
        for ok in ["t00_20250101", "LC09 scene", "тайл", "-dash", "a..b"] { XCTAssertNil(OutputTree.safeNameProblem(ok), ok) }
        for bad in ["", ".", "..", "../../ESCAPED", "a/b", "nul\u{0}x", "two\nlines", "tab\there", "del\u{7f}", String(repeating: "x", count: 201)] {
            XCTAssertNotNil(OutputTree.safeNameProblem(bad), bad)
        }
    }

    func testWritesUnderARegisteredFolderNeverFollowLinks() throws {
        let out = root.appendingPathComponent("out"), victim = root.appendingPathComponent("victim")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: victim.appendingPathComponent("file.txt"))
        let registration = OutputTree.confine(out.path)
        defer { registration.release() }

        // A normal write creates its folders and lands under its name.
        try AtomicFile.write(text: "ok", to: out.appendingPathComponent("tiles/a/a.txt").path)
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("tiles/a/a.txt"), encoding: .utf8), "ok")

        // A linked folder, a linked final name, a `..` component: refused, naming the place; the target unchanged.
        try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("tiles/b").path, withDestinationPath: "../../victim")
        try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("run.json").path, withDestinationPath: "../victim/file.txt")
        for (rel, named) in [("tiles/b/b.txt", "tiles/b"), ("tiles/b/new/c.txt", "tiles/b"), ("run.json", "run.json"),
                             ("tiles/../../victim/x.txt", "..")] {
            XCTAssertThrowsError(try AtomicFile.write(text: "evil", to: out.appendingPathComponent(rel).path), rel) { e in
                XCTAssertTrue("\(e)".contains(named), "\(rel): \(e)")
            }
            if rel != "run.json" {
                XCTAssertThrowsError(try OutputTree.createDirectory(atPath: out.appendingPathComponent(rel).deletingLastPathComponent().path + "/d"), rel)
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: victim.path), ["file.txt"])
        XCTAssertEqual(try String(contentsOf: victim.appendingPathComponent("file.txt"), encoding: .utf8), "keep")
        XCTAssertEqual(OutputTree.links(under: out.path).count, 2)
        // No temporaries are left by the refused writes.
        let names = FileManager.default.enumerator(atPath: out.path)?.allObjects as? [String] ?? []
        XCTAssertFalse(names.contains { AtomicFile.isTemporaryName(($0 as NSString).lastPathComponent) }, "\(names)")
    }

    func testCheckedPathRefusesEscapesLinksAndSpecialFiles() throws {
        let out = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out.appendingPathComponent("tiles"), withIntermediateDirectories: true)
        try Data("png".utf8).write(to: out.appendingPathComponent("tiles/q.png"))
        try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("tiles/l.png").path, withDestinationPath: "/etc/passwd")
        XCTAssertEqual(mkfifo(out.appendingPathComponent("tiles/f.png").path, 0o644), 0)
        XCTAssertEqual(try OutputTree.checkedPath("tiles/q.png", in: out.path), out.appendingPathComponent("tiles/q.png").path)
        for bad in ["../secret.png", "/etc/passwd", "tiles/../../x", "tiles/l.png", "tiles/f.png", "tiles//q.png"] {
            XCTAssertThrowsError(try OutputTree.checkedPath(bad, in: out.path), bad)
        }
    }

    func testPathsOutsideRegisteredFoldersAreWrittenAsGiven() throws {
        let file = root.appendingPathComponent("plain/x.txt")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        XCTAssertFalse(OutputTree.isConfined(file.path))
        try AtomicFile.write(text: "x", to: file.path)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "x")
    }
}
