import Foundation
import Pipeline
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// One corrupt tile among 8: every output that counts tiles says the same, and a resumed run reports the tiles
/// it left unchanged.
final class RunCountsTests: XCTestCase {
    struct Counts: Equatable { var done: Int; var skipped: Int; var failed: Int }

    /// The counts each file states.
    static func counts(_ out: URL) throws -> [String: Counts] {
        var all: [String: Counts] = [:]
        let run = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("run.json"))) as? [String: Any] ?? [:]
        all["run.json"] = Counts(done: run["done"] as? Int ?? -1, skipped: run["skipped"] as? Int ?? -1, failed: run["failed"] as? Int ?? -1)
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("report.json"))) as? [String: Any] ?? [:]
        let s = doc["summary"] as? [String: Any] ?? [:]
        all["report.json"] = Counts(done: s["tilesDone"] as? Int ?? -1, skipped: s["tilesSkipped"] as? Int ?? -1, failed: s["tilesFailed"] as? Int ?? -1)
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        if let line = md.split(separator: "\n").first(where: { $0.hasPrefix("Tiles: ") }) {
            let n = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            if n.count == 3 { all["report.md"] = Counts(done: n[0], skipped: n[1], failed: n[2]) }
        }
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        func card(_ label: String) -> Int {
            guard let r = html.range(of: "</b>\(label)") else { return -1 }
            let before = html[..<r.lowerBound]
            return Int(before[(before.range(of: "<b>", options: .backwards)?.upperBound ?? before.endIndex)...]) ?? -1
        }
        all["report.html"] = Counts(done: card("tiles processed"), skipped: card("unchanged (resumed)"), failed: card("failed"))
        let csv = try String(contentsOf: out.appendingPathComponent("failures.csv"), encoding: .utf8)
        all["failures.csv"] = Counts(done: all["run.json"]!.done, skipped: all["run.json"]!.skipped,
                                     failed: csv.split(separator: "\n").count - 1)
        return all
    }

    func testOneCorruptTileAmongEightIsOneFailureEverywhereAndAResumeReportsUnchangedTiles() throws {
        let root = try TestData.temporaryDirectory("run-counts")
        defer { try? FileManager.default.removeItem(at: root) }
        let tiles = root.appendingPathComponent("tiles")
        _ = try TileFixtures.writeTiles(count: 7, into: tiles, size: 32)
        // A TIFF header and then garbage: discovery lists it, the reader refuses it.
        var bytes: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00]
        bytes += [UInt8](repeating: 0xAB, count: 512)
        try Data(bytes).write(to: tiles.appendingPathComponent("t07_20250101.tif"))
        let cfg = root.appendingPathComponent("p.yaml")
        let out = root.appendingPathComponent("out")
        try TileFixtures.minimalYAML(input: tiles.path, output: out.path).write(to: cfg, atomically: true, encoding: .utf8)
        let config = try PipelineConfig.load(path: cfg.path)

        let first = try PipelineRunner.run(config: config, options: RunOptions(jobs: 2, toolVersion: "test"), logger: PipelineRunner.silentLogger)
        XCTAssertEqual(first.failed, 1, first.text)
        let expected = Counts(done: 7, skipped: 0, failed: 1)
        for (file, c) in try Self.counts(out) { XCTAssertEqual(c, expected, file) }

        // Resumed: the 7 good tiles are unchanged, the corrupt one is tried again and fails again.
        let second = try PipelineRunner.run(config: config, options: RunOptions(jobs: 2, toolVersion: "test"), logger: PipelineRunner.silentLogger)
        XCTAssertEqual(second.skipped, 7, second.text)
        let resumed = Counts(done: 0, skipped: 7, failed: 1)
        for (file, c) in try Self.counts(out) { XCTAssertEqual(c, resumed, file) }
    }
}
