import Foundation
import RasterIO
@testable import Serve
import XCTest

/// The renderer's coordinate lattice against PROJ per pixel: over tiles of zooms 8–18 near SampleTiles (EPSG:32650)
/// every interpolated pixel centre is within the lattice's measured error of PROJ's, and that error is far below a
/// source pixel (so the lattice is what the renderer uses).
final class PixelLatticeTests: XCTestCase {
    func testLatticeAgreesWithPROJPerPixelWithinItsMeasuredError() throws {
        let t = try CRSTransform(from: "EPSG:3857", to: "EPSG:32650")
        for z in [8, 10, 12, 14, 16, 18] {
            let tile = try XCTUnwrap(WebMercatorTile.containing(lon: 117.9, lat: 24.9, z: z))
            let b = tile.bounds(size: 256), res = tile.resolution(size: 256)
            let lattice = PixelLattice(minX: b.minX, maxY: b.maxY, res: res, size: 256, transform: t)
            var xs: [Double] = [], ys: [Double] = []
            for j in 0..<256 { for i in 0..<256 { xs.append(b.minX + (Double(i) + 0.5) * res); ys.append(b.maxY - (Double(j) + 0.5) * res) } }
            try t.transform(xs: &xs, ys: &ys)
            var worst = 0.0
            for k in xs.indices { worst = max(worst, hypot(xs[k] - lattice.xs[k], ys[k] - lattice.ys[k])) }
            // Measured at the edge and cell middles, where bilinear is worst: the true worst is within a margin of it.
            XCTAssertLessThanOrEqual(worst, 1.25 * lattice.maxError + 1e-9, "z\(z): worst \(worst) m, measured \(lattice.maxError) m")
            XCTAssertGreaterThanOrEqual(worst, 0.5 * lattice.maxError, "z\(z): worst \(worst) m, measured \(lattice.maxError) m")
            // The tile's pixel in metres (about res × cos(lat)); the lattice error is a tiny fraction of it.
            XCTAssertLessThan(lattice.maxError, 0.002 * res, "z\(z): \(lattice.maxError) m for \(res) m pixels")
        }
    }
}
