import Foundation
import GroundStation
import TestSupport
import XCTest

/// Hostile scene manifests: each is refused with a `ManifestError` naming the file, never a crash.
/// The empty file replays the input Fuzz/FuzzManifest found (a 4 KiB leak per zero-byte file inside
/// `FileManager.contents(atPath:)`), now refused before reading.
final class HostileManifestTests: XCTestCase {
    private var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("hostile-manifest") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func assertRefused(_ name: String, _ bytes: [UInt8], cause: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SceneManifest.read(path: path), file: file, line: line) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains(path), "error does not name the file: \(text)", file: file, line: line)
            XCTAssertTrue(cause.isEmpty || text.lowercased().contains(cause.lowercased()), "error lacks '\(cause)': \(text)", file: file, line: line)
        }
    }

    func testEmptyManifestIsRefusedBeforeReading() throws {
        try assertRefused("scene.json", [], cause: "empty file")
    }

    func testTruncatedAndNonObjectJSON() throws {
        try assertRefused("truncated.json", Array(#"{"satellite": "TGY-1", "bands": ["#.utf8), cause: "JSON")
        try assertRefused("array.json", Array("[1, 2, 3]".utf8), cause: "")
        try assertRefused("binary.json", [0x7B, 0xFF, 0xFE, 0x00, 0x01], cause: "JSON")
    }

    func testMTLWithoutItsGroups() throws {
        try assertRefused("x_MTL.txt", Array("GROUP = L1_METADATA_FILE\n  SPACECRAFT_ID = \"LANDSAT_8\"\n".utf8), cause: "")
    }
}
