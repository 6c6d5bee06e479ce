import Foundation
import Logging
import Pipeline
import XCTest

final class ObservabilityTests: XCTestCase {
    final class Lines: @unchecked Sendable {
        let lock = NSLock()
        var items: [String] = []
        func add(_ s: String) { lock.withLock { items.append(s) } }
    }

    func testJSONLogHandlerWritesOneParsableObjectPerLine() throws {
        let lines = Lines()
        var logger = Logger(label: "tilepipe") { JSONLogHandler(label: $0) { lines.add($0) } }
        logger[metadataKey: "shard"] = "1/3"
        logger.error("tile failed", metadata: ["tile_id": "a\"b\nc", "stage": "ingest"])
        XCTAssertEqual(lines.items.count, 1)
        let line = try XCTUnwrap(lines.items.first)
        XCTAssertTrue(line.hasSuffix("}\n"))
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1, "a newline in a value must be escaped")
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        XCTAssertEqual(obj["level"], "error")
        XCTAssertEqual(obj["msg"], "tile failed")
        XCTAssertEqual(obj["tile_id"], "a\"b\nc")
        XCTAssertEqual(obj["shard"], "1/3")
        XCTAssertNotNil(ISO8601DateFormatter().date(from: String(obj["ts"]!.prefix(19)) + "Z"))
    }

    func testPlainProgressLinesCountTiles() {
        let lines = Lines()
        let p = ProgressReporter(total: 4, mode: .auto, interval: 0) { lines.add($0) }   // tests run without a TTY
        p.skip(1)
        p.tileFinished(ok: true, pixels: 1_000_000)
        p.tileFinished(ok: false, pixels: 0)
        p.tileFinished(ok: true, pixels: 1_000_000)
        p.finish()
        XCTAssertTrue(p.line.hasPrefix("3/4 done (1 skipped), 1 failed"), p.line)
        XCTAssertTrue(lines.items.last?.contains("3/4 done") ?? false)
        XCTAssertFalse(lines.items.contains { $0.contains("\u{1B}") }, "no terminal codes without a TTY")
        let silent = Lines()
        let q = ProgressReporter(total: 1, mode: .never) { silent.add($0) }
        q.tileFinished(ok: true, pixels: 1)
        q.finish()
        XCTAssertTrue(silent.items.isEmpty)
    }

    func testBarModeRedrawsOneLine() {
        let lines = Lines()
        let p = ProgressReporter(total: 2, mode: .always) { lines.add($0) }
        p.tileFinished(ok: true, pixels: 10)
        p.tileFinished(ok: true, pixels: 10)
        p.finish()
        XCTAssertTrue(lines.items.allSatisfy { $0.hasPrefix("\r") })
        XCTAssertTrue(lines.items.last?.contains("[########################] 2/2 done") ?? false, lines.items.last ?? "")
    }
}
