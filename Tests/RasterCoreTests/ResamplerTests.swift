import XCTest
@testable import RasterCore

/// `GridMapping` and `Resampler` on synthetic grids: exactness where the answer is known (affine lattices, linear
/// ramps, block means), nodata handling, windows equal to the whole, and the lattice's stated error bound.
final class ResamplerTests: XCTestCase {
    private func grid(_ w: Int, _ h: Int, x0: Double = 0, y0: Double = 0, res: Double = 1) -> RasterGrid {
        RasterGrid(width: w, height: h, geo: GeoReference(transform: GeoTransform(originX: x0, pixelWidth: res, originY: y0, pixelHeight: -res), crs: .epsg(32650)))
    }

    func testAffineLatticeIsExactAndTwoByTwo() {
        let src = grid(40, 30, x0: 1000, y0: 5000, res: 20), dst = grid(100, 70, x0: 1013, y0: 4987, res: 7)
        let m = GridMapping.build(source: src, target: dst, transform: nil)
        XCTAssertEqual(m.step, 100)
        for (u, v) in [(0.5, 0.5), (37.25, 12.5), (99.5, 69.5), (100, 70)] {
            let (x, y) = m.point(u: u, v: v)
            XCTAssertEqual(x, (13 + 7 * u) / 20, accuracy: 1e-12)
            XCTAssertEqual(y, (13 + 7 * v) / 20, accuracy: 1e-12)
        }
    }

    func testNearestOnTheSameGridIsTheIdentity() {
        let g = grid(13, 7)
        let v: [Float] = (0..<91).map { (i: Int) -> Float in Float(i) }
        XCTAssertEqual(Resampler.resample(v, mapping: GridMapping.build(source: g, target: g, transform: nil), method: .nearest), v)
    }

    /// Bilinear of a linear ramp is the ramp, wherever all four neighbours exist; nearest of a 2× upsample
    /// replicates each pixel 2×2 (the old integer replication, now a special case).
    func testBilinearReproducesARampAndNearestReplicates() {
        let src = grid(10, 8, res: 20), dst = grid(20, 16, res: 10)
        let ramp: [Float] = (0..<80).map { (i: Int) -> Float in Float(3 * (i % 10) + 5 * (i / 10)) }
        let m = GridMapping.build(source: src, target: dst, transform: nil)
        let b = Resampler.resample(ramp, mapping: m, method: .bilinear)
        for y in 1..<15 { for x in 1..<19 {
            // Target centre (x+0.5)/2 in source pixels → ramp at source coordinate minus half a pixel.
            let sx = (Double(x) + 0.5) / 2 - 0.5, sy = (Double(y) + 0.5) / 2 - 0.5
            XCTAssertEqual(Double(b[y * 20 + x]), 3 * sx + 5 * sy, accuracy: 1e-4)
        } }
        // Edges: only in-source neighbours, renormalised → the nearest row/column's value blend.
        XCTAssertEqual(b[0], ramp[0])
        let n = Resampler.resample(ramp, mapping: m, method: .nearest)
        for y in 0..<16 { for x in 0..<20 { XCTAssertEqual(n[y * 20 + x], ramp[(y / 2) * 10 + x / 2]) } }
    }

    func testNodataIsLeftOutAndUncoveredIsNaN() {
        let src = grid(4, 4, res: 2), dst = grid(10, 10, x0: -1, y0: 1, res: 1)   // one target pixel ring outside
        var v = [Float](repeating: 1, count: 16)
        v[5] = .nan
        let m = GridMapping.build(source: src, target: dst, transform: nil)
        let b = Resampler.resample(v, mapping: m, method: .bilinear)
        XCTAssertTrue(b[0].isNaN, "outside the source")
        XCTAssertTrue(b[11].isFinite)
        XCTAssertEqual(b.filter { $0.isFinite }.count, 64)
        XCTAssertTrue(b.allSatisfy { $0.isNaN || $0 == 1 }, "a NaN neighbour is left out, the weights renormalised")
        let a = Resampler.resample(v, mapping: GridMapping.build(source: src, target: grid(2, 2, res: 4), transform: nil), method: .average)
        XCTAssertEqual(a, [1, 1, 1, 1])
    }

    func testAverageIsTheBlockMean() {
        let src = grid(6, 4, res: 10), dst = grid(2, 2, res: 30)     // 3×2 blocks… rows 0-2 and 3 (clipped)
        let v: [Float] = (0..<24).map { (i: Int) -> Float in Float(i) }
        let a = Resampler.resample(v, mapping: GridMapping.build(source: src, target: dst, transform: nil), method: .average)
        XCTAssertEqual(a[0], Float(0 + 1 + 2 + 6 + 7 + 8 + 12 + 13 + 14) / 9)
        XCTAssertEqual(a[3], Float(21 + 22 + 23) / 3, "the footprint clipped to the source")
        // Half-pixel footprint overlap is weighted by area.
        let half = Resampler.resample([0, 10], mapping: GridMapping.build(source: grid(2, 1, res: 2), target: grid(1, 1, x0: 1, res: 2), transform: nil), method: .average)
        XCTAssertEqual(half, [5])
    }

    /// A window of the target, read from the source window the mapping names, equals that part of the whole.
    func testWindowsEqualTheWhole() {
        let src = grid(50, 40, res: 3), dst = grid(70, 60, x0: 4, y0: -5, res: 2)
        let v: [Float] = (0..<2000).map { (i: Int) -> Float in Float((i * 7919) % 1000) }
        let m = GridMapping.build(source: src, target: dst, transform: { xs, ys in for i in xs.indices { xs[i] += 0.001 * ys[i] } })
        for method in ResampleMethod.allCases {
            let whole = Resampler.resample(v, mapping: m, method: method)
            let w = Window(x: 11, y: 7, width: 30, height: 20)
            let sw = m.sourceWindow(for: w, margin: 1)!
            var part = [Float]()
            for r in sw.y..<(sw.y + sw.height) { part += v[(r * 50 + sw.x)..<(r * 50 + sw.x + sw.width)] }
            let out = part.withUnsafeBufferPointer { Resampler.resample(.init(planes: [$0], window: sw), mapping: m, method: method, target: w)[0] }
            for y in 0..<w.height { for x in 0..<w.width {
                let a = out[y * w.width + x], b = whole[(y + w.y) * 70 + x + w.x]
                XCTAssertTrue(a == b || (a.isNaN && b.isNaN), "\(method) (\(x),\(y)): \(a) vs \(b)")
            } }
        }
    }

    /// A curved transform: the lattice step shrinks until the measured error is within the tolerance, and the
    /// interpolated coordinates stay within twice that of the exact ones at arbitrary points.
    func testLatticeMeetsItsErrorBound() {
        let src = grid(500, 500), dst = grid(500, 500)
        let curve: GridMapping.PointTransform = { xs, ys in
            for i in xs.indices { let x = xs[i], y = ys[i]; xs[i] = x + 2e-4 * (x * x - y * y) / 2; ys[i] = y + 2e-4 * x * y / 3 }
        }
        let m = GridMapping.build(source: src, target: dst, transform: curve, tolerance: 0.01)
        XCTAssertLessThan(m.step, 64, "the curvature forces a finer lattice")
        XCTAssertLessThanOrEqual(m.maxError, 0.01)
        var rng = SplitMix64(seed: 7)
        var worst = 0.0
        for _ in 0..<2000 {
            let u = Double(rng.next() % 50_000) / 100, v = Double(rng.next() % 50_000) / 100
            var xs = [u], ys = [-v]
            curve(&xs, &ys)
            let (ix, iy) = m.point(u: u, v: v)
            worst = max(worst, ((ix - xs[0]) * (ix - xs[0]) + (iy + ys[0]) * (iy + ys[0])).squareRoot())
        }
        XCTAssertLessThanOrEqual(worst, 0.02, "step \(m.step), measured \(m.maxError)")
    }

    /// Coordinates far outside the source (a transform gone wild near a projection's edge) give NaN, never a trap
    /// in an Int conversion; the overlap check finds no source window.
    func testFarAwayCoordinatesAreUncovered() {
        let g = grid(8, 8)
        let wild: GridMapping.PointTransform = { xs, ys in for i in xs.indices { xs[i] = 1e25 * (xs[i] + 1); ys[i] = -1e25 } }
        let m = GridMapping.build(source: g, target: g, transform: wild)
        XCTAssertNil(m.sourceWindow(for: .full(width: 8, height: 8), margin: 0))
        for method in ResampleMethod.allCases {
            XCTAssertTrue(Resampler.resample([Float](repeating: 1, count: 64), mapping: m, method: method).allSatisfy(\.isNaN), "\(method)")
        }
    }
}
