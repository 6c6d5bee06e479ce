import Foundation
import XCTest
import TestSupport

/// TestSupport's `Skip` logs each skip where `make test` counts them (the xUnit report of `swift test --parallel`
/// counts a skipped test as passed).
final class SkipLogTests: XCTestCase {
    func testSkipsAreLoggedWithTheirPlaceAndReasonAndHoldingConditionsAreNot() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("skiplog-\(UUID().uuidString).txt").path
        let saved = ProcessInfo.processInfo.environment["TILEPIPE_SKIP_LOG"]
        setenv("TILEPIPE_SKIP_LOG", log, 1)
        defer {
            if let saved { setenv("TILEPIPE_SKIP_LOG", saved, 1) } else { unsetenv("TILEPIPE_SKIP_LOG") }
            try? FileManager.default.removeItem(atPath: log)
        }
        let skip = Skip.because("gdal-bin absent\nsecond line"); let line = #line
        XCTAssertEqual(skip.message, "gdal-bin absent\nsecond line")
        XCTAssertNoThrow(try Skip.unless(true, "never logged"))
        XCTAssertThrowsError(try Skip.unless(false, "SampleTiles absent")) { XCTAssertTrue($0 is XCTSkip) }
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, "one line per skip, none for a condition that holds")
        XCTAssertEqual(lines.first, "\(#filePath):\(line): gdal-bin absent second line")
        XCTAssertTrue(lines.last?.hasSuffix(": SampleTiles absent") ?? false)
    }
}
