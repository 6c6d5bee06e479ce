import XCTest
import Foundation
import GroundStation
import Products
import Pipeline
import TestSupport

/// The reflectance sanity check on the windowed route: a tile whose verdict is certain fails before its last window.
final class WindowedSanityTests: XCTestCase {
    /// A 700×530 scene of digital numbers read as reflectance (no scale, no `calibration:`), 99 windows of 64²:
    /// both routes fail it as `calibration`, naming the file; the windowed route says it decided once the windows
    /// left could no longer change the verdict (after at least half the pixels, before all of them).
    func testDigitalNumbersFailBeforeTheLastWindow() throws {
        let root = try TestData.temporaryDirectory("windowed-sanity")
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let scene = input.appendingPathComponent("dn_20250101.tif").path
        try WindowedRunTests.writeScene(scene, width: 700, height: 530, tileSize: 64, scale: 1)
        for windowed in [false, true] {
            let out = root.appendingPathComponent(windowed ? "windowed" : "whole")
            let s = try WindowedRunTests.runLoose(input, into: out, yaml: root.appendingPathComponent("p-\(windowed).yaml"), indices: "[ndvi]",
                                                  outputs: ["cog: {tile_size: 64}"], windowed: windowed).summary
            XCTAssertEqual(s.failed, 1, "\(s.failures)")
            let f = try XCTUnwrap(s.failures.first)
            XCTAssertEqual(f.kind, .calibration, f.cause)
            XCTAssertTrue(f.cause.contains("dn_20250101.tif") && f.cause.contains("plausible reflectance range"), f.cause)
            let left = (try? FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("tiles").path)) ?? []
            XCTAssertEqual(left, [], "nothing partial is left")
            if windowed {
                let m = try XCTUnwrap(f.cause.firstMatch(of: /decided after (\d+) % of the tile's pixels/), f.cause)
                let pct = try XCTUnwrap(Int(m.1))
                XCTAssertTrue((50..<100).contains(pct), "decided after \(pct) %")
            } else {
                XCTAssertFalse(f.cause.contains("decided after"), f.cause)
            }
        }
    }

    /// The verdict is certain only when the samples left could not rescue the band.
    func testFailsWhateverNeedsMoreThanHalfOfAllPixelsOutside() {
        var t = ReflectanceSanity.Tally()
        t.add(["red": [Float](repeating: 3000, count: 60)])              // 60 of 100 pixels read, all outside
        XCTAssertTrue(t.failsWhatever(pixelsLeft: 40), "60 × 2 > 60 + 40")
        XCTAssertFalse(t.failsWhatever(pixelsLeft: 60), "60 × 2 = 60 + 60: 60 valid plausible pixels would tie it")
        t.add(["nir": [Float](repeating: 0.3, count: 60)])
        XCTAssertTrue(t.failsWhatever(pixelsLeft: 40), "one certain band is enough")
        var ok = ReflectanceSanity.Tally()
        ok.add(["red": [Float](repeating: 0.2, count: 60)])
        XCTAssertFalse(ok.failsWhatever(pixelsLeft: 0))
    }
}
