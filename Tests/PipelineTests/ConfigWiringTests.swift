import Foundation
import TestSupport
import XCTest

/// Documented keys act: one `tilepipe run` with non-default values for keys that had no test of their effect,
/// compared with the same run on defaults. Each assertion fails if the key were parsed and ignored.
final class ConfigWiringTests: XCTestCase {
    var workspace: ToolWorkspace!
    var dir: URL { workspace.directory }

    override func setUpWithError() throws { workspace = try ToolWorkspace(label: "wiring") }
    override func tearDownWithError() throws { workspace?.remove() }

    @discardableResult
    func tilepipe(_ args: [String]) throws -> ToolWorkspace.Outcome { try workspace.run(args) }

    func json(_ path: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    func layout(_ tif: String) throws -> [String: Any] {
        let r = try tilepipe(["info", tif, "--json", "--no-stats"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return try XCTUnwrap(doc["layout"] as? [String: Any])
    }

    /// Height of a PNG from its IHDR chunk.
    func pngHeight(_ path: String) throws -> Int {
        let d = try Data(contentsOf: URL(fileURLWithPath: path))
        return d[20..<24].reduce(0) { $0 << 8 | Int($1) }
    }

    func testDocumentedKeysChangeTheRun() throws {
        XCTAssertEqual(try tilepipe(["simulate", "--output", "in", "--grid", "1x2", "--size", "64"]).status, 0)
        let base = """
            version: 1
            inputs: [{path: in}]
            indices: [ndvi, ndwi]
            outputs:
              directory: plain
            """
        try base.write(to: dir.appendingPathComponent("plain.yaml"), atomically: true, encoding: .utf8)
        let tuned = """
            version: 1
            inputs: [{path: in, pattern: "*r0c0*"}]
            indices: [ndvi, ndwi]
            outputs:
              directory: tuned
              cog: {compression: zstd, tile_size: 32}
              quicklooks: {indices: [ndwi], max_size: 16}
              stac: {collection_id: wiring-x, license: CC-BY-4.0}
            report: {title: Wiring Title, formats: [md, json]}
            execution: {max_in_flight: 1}
            logging: {format: json, level: info}
            """
        try tuned.write(to: dir.appendingPathComponent("tuned.yaml"), atomically: true, encoding: .utf8)
        let p = try tilepipe(["run", "plain.yaml", "--progress", "never"])
        XCTAssertEqual(p.status, 0, p.stderr)
        let t = try tilepipe(["run", "tuned.yaml", "--progress", "never"])
        XCTAssertEqual(t.status, 0, t.stderr)
        let fm = FileManager.default
        func tiles(_ run: String) -> [String] { ((try? fm.contentsOfDirectory(atPath: dir.appendingPathComponent("\(run)/tiles").path)) ?? []).sorted() }

        // inputs[].pattern
        XCTAssertEqual(tiles("plain").count, 2)
        XCTAssertEqual(tiles("tuned"), ["HXY1_20250301_r0c0"])
        let id = "HXY1_20250301_r0c0"
        // outputs.cog.compression, .tile_size
        let plainLayout = try layout(dir.appendingPathComponent("plain/tiles/\(id)/\(id)_ndvi.tif").path)
        let tunedLayout = try layout(dir.appendingPathComponent("tuned/tiles/\(id)/\(id)_ndvi.tif").path)
        XCTAssertEqual(plainLayout["compression"] as? String, "DEFLATE")
        XCTAssertEqual(tunedLayout["compression"] as? String, "ZSTD")
        XCTAssertEqual(plainLayout["blockWidth"] as? Int, 512)
        XCTAssertEqual(tunedLayout["blockWidth"] as? Int, 32)
        // outputs.quicklooks.indices, .max_size
        let plainPNGs = (try fm.contentsOfDirectory(atPath: dir.appendingPathComponent("plain/tiles/\(id)").path)).filter { $0.hasSuffix(".png") }
        let tunedPNGs = (try fm.contentsOfDirectory(atPath: dir.appendingPathComponent("tuned/tiles/\(id)").path)).filter { $0.hasSuffix(".png") }
        XCTAssertTrue(plainPNGs.contains("\(id)_ndvi.png"), "\(plainPNGs)")
        XCTAssertEqual(tunedPNGs, ["\(id)_ndwi.png"])
        // max_size bounds the map (64 px → 16 px); title, legend and scale bar are drawn around it.
        XCTAssertLessThan(try pngHeight(dir.appendingPathComponent("tuned/tiles/\(id)/\(id)_ndwi.png").path),
                          try pngHeight(dir.appendingPathComponent("plain/tiles/\(id)/\(id)_ndvi.png").path) - 40)
        // outputs.stac.collection_id, .license
        let collection = try json(dir.appendingPathComponent("tuned/stac/collection.json").path)
        XCTAssertEqual(collection["id"] as? String, "wiring-x")
        XCTAssertEqual(collection["license"] as? String, "CC-BY-4.0")
        XCTAssertNotEqual(try json(dir.appendingPathComponent("plain/stac/collection.json").path)["id"] as? String, "wiring-x")
        // report.title, .formats
        let md = try String(contentsOf: dir.appendingPathComponent("tuned/report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("Wiring Title"), String(md.prefix(300)))
        XCTAssertFalse(fm.fileExists(atPath: dir.appendingPathComponent("tuned/report.html").path))
        XCTAssertFalse(try String(contentsOf: dir.appendingPathComponent("plain/report.md"), encoding: .utf8).contains("Wiring Title"))
        // logging.format, .level; execution.max_in_flight
        let lines = t.stderr.split(separator: "\n").filter { $0.hasPrefix("{") }
        XCTAssertGreaterThan(lines.count, 1, t.stderr)
        for line in lines {
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8)), "not JSON: \(line)")
        }
        XCTAssertTrue(lines.contains { $0.contains("\"tile done\"") }, "level info logs each tile: \(t.stderr)")
        XCTAssertFalse(p.stderr.contains("{\"ts\""), "the default log is text: \(p.stderr)")
        XCTAssertTrue(lines.contains { $0.contains("\"max_in_flight\":\"1\"") || $0.contains("\"max_in_flight\":1") }, t.stderr)
    }
}
