import Foundation
import RasterCore
import TestSupport
import RasterIO
import XCTest

/// RasterIO's FreeType wrapper, exercised here because the quicklooks are its only user.
final class TextRendererTests: XCTestCase {
    private func font(_ size: Int = 28) throws -> TextRenderer {
        guard FileManager.default.fileExists(atPath: TextRenderer.defaultFontPath) else { throw Skip.because("fonts-dejavu-core absent") }
        return try TextRenderer(pixelSize: size)
    }

    /// Kerning from DejaVuSans' kern table makes "AV" narrower than "A" + "V" (swift-notes §9: 36 vs 38 px at 28 px).
    func testMeasureUsesKerning() throws {
        let f = try font()
        XCTAssertLessThan(try f.measure("AV"), try f.measure("A") + f.measure("V"))
        XCTAssertEqual(try f.measure(""), 0)
        XCTAssertGreaterThan(f.ascender, 20); XCTAssertGreaterThan(f.descender, 3)
    }

    /// Glyphs land between the pen position and the measured advance, above the baseline (no descenders in "HI").
    func testDrawStaysInsideTheMeasuredBox() throws {
        let f = try font()
        let w = 200, h = 60
        var px = [UInt8](repeating: 0, count: w * h * 4)
        let end = try f.draw("HI", into: &px, width: w, height: h, x: 10, baseline: 40, color: RGBA(255, 0, 0))
        XCTAssertEqual(end, 10 + (try f.measure("HI")))
        var inked = 0
        for y in 0..<h { for x in 0..<w where px[(y * w + x) * 4 + 3] > 0 {
            inked += 1
            XCTAssertTrue(x >= 10 && x < end && y <= 40 && y >= 40 - f.ascender, "ink at (\(x), \(y))")
            XCTAssertEqual(px[(y * w + x) * 4], 255)   // straight alpha: colour stays pure red
        } }
        XCTAssertGreaterThan(inked, 200)
    }

    /// A file that is not a font fails with FreeType's code and names the file.
    func testNotAFontIsAClearError() throws {
        _ = try font()
        let notFont = URL(fileURLWithPath: #filePath).path
        XCTAssertThrowsError(try TextRenderer(fontPath: notFont, pixelSize: 12)) {
            XCTAssertTrue("\($0)".contains(notFont) && "\($0)".contains("FT_Error 0x"), "\($0)")
        }
    }
}
