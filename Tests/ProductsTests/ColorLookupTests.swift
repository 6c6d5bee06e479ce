import Products
import RasterCore
import XCTest

/// `ColorLookup`, the sampled ramp quicklooks colour their maps with, against `ColorRamp.color`.
final class ColorLookupTests: XCTestCase {
    private func channelDistance(_ a: RGBA, _ b: RGBA) -> Int {
        max(abs(Int(a.r) - Int(b.r)), abs(Int(a.g) - Int(b.g)), abs(Int(a.b) - Int(b.b)), abs(Int(a.a) - Int(b.a)))
    }

    /// Every built-in linear ramp, on its own domain and stretched over a narrow range, stays within one level of
    /// the exact colour on a dense sweep that runs past both ends, and is exact at and beyond the ends.
    func testLinearLookupIsWithinOneLevelAndExactAtTheEnds() {
        for ramp in ColorRamp.builtIn where ramp.interpolation == .linear {
            for range in [nil, 0.2...0.2099] as [ClosedRange<Double>?] {
                let exact = range.map { ramp.stretched(to: $0) } ?? ramp
                let (lo, hi) = range.map { ($0.lowerBound, $0.upperBound) } ?? (ramp.domain.lowerBound, ramp.domain.upperBound)
                let lookup = ColorLookup(ramp: ramp, range: range)
                var worst = 0
                for i in 0...100_000 {
                    let v = Float(lo - (hi - lo) * 0.1 + (hi - lo) * 1.2 * Double(i) / 100_000)
                    let want = exact.color(Double(v))!, got = lookup.color(v)!
                    worst = max(worst, channelDistance(want, got))
                }
                XCTAssertLessThanOrEqual(worst, 1, "\(ramp.name) over \(String(describing: range))")
                for v in [Float(lo), Float(lo) - 1, -.greatestFiniteMagnitude] {
                    XCTAssertEqual(lookup.color(v), exact.stops.first!.color, "\(ramp.name) low end at \(v)")
                }
                for v in [Float(hi).nextUp, Float(hi) + 1, .greatestFiniteMagnitude] {
                    XCTAssertEqual(lookup.color(v), exact.stops.last!.color, "\(ramp.name) high end at \(v)")
                }
            }
        }
    }

    /// With a coarse table the lookup is exactly the colour of the nearest sample: the index formula itself.
    func testCoarseLookupTakesTheNearestSample() {
        let ramp = ColorRamp.viridis   // 0…1
        let lookup = ColorLookup(ramp: ramp, samples: 8)
        for i in 0...1_000 {
            let v = Float(i) / 1_000
            let nearest = (Double(v) * 8).rounded(.toNearestOrAwayFromZero) / 8
            XCTAssertEqual(lookup.color(v), ramp.color(nearest), "v \(v): nearest sample \(nearest)")
        }
    }

    /// `paint` writes each value's `color` and, where that is nil, the masked colour for the value's position;
    /// `paint` and `maskedCount` count the masked values, for every ramp kind.
    func testPaintAndMaskedCountAgreeWithColor() {
        let values: [Float] = [.nan, .infinity, -.infinity, -3, -1, -0.5, 0, 0.3, 1, 2, 3, 7, 8, 9, 255, 256, 1.5, 0.1]
        let hatch = RGBA(1, 2, 3, 4)
        for ramp in ColorRamp.builtIn {
            let lookup = ColorLookup(ramp: ramp, range: ramp.interpolation == .linear ? -0.5...0.5 : nil)
            var rgba = [UInt8](repeating: 0, count: 4 * values.count)
            let painted = values.withUnsafeBufferPointer { v in
                rgba.withUnsafeMutableBufferPointer { lookup.paint(v, into: $0) { i in RGBA(UInt8(i), 2, 3, 4) } }
            }
            var masked = 0
            for (i, v) in values.enumerated() {
                let want = lookup.color(v) ?? RGBA(UInt8(i), hatch.g, hatch.b, hatch.a)
                if lookup.color(v) == nil { masked += 1 }
                XCTAssertEqual(RGBA(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]), want, "\(ramp.name) \(v)")
                XCTAssertEqual(lookup.color(v) == nil, ramp.color(Double(v)) == nil, "\(ramp.name) \(v): masked as the ramp masks it")
            }
            XCTAssertEqual(painted, masked, ramp.name)
            XCTAssertEqual(values.withUnsafeBufferPointer { lookup.maskedCount($0) }, masked, ramp.name)
            XCTAssertGreaterThan(masked, 0, ramp.name)
        }
    }

    /// `maskedCount` (eight lanes at a time for linear ramps, a table for class ramps) counts what `color` masks,
    /// for every length up to 41 (whole lanes and every remainder) and masked values at every position: NaN of
    /// either sign and payload, ±infinity, nodata and unknown codes, non-integral class values.
    func testMaskedCountMatchesColorAtEveryLengthAndPosition() {
        let odd: [Float] = [.nan, -.nan, Float(bitPattern: 0x7FA0_0001), .infinity, -.infinity, 0, 255, 256, 1.5, -1, 7, 3]
        var rng = SystemRandomNumberGenerator()
        for ramp in [ColorRamp.landUse] + ColorRamp.builtIn.filter({ $0.interpolation == .linear }) {
            let lookup = ColorLookup(ramp: ramp, range: ramp.interpolation == .linear ? -0.5...0.5 : nil)
            for length in 0...41 {
                for _ in 0..<8 {
                    let values: [Float] = (0..<length).map { _ in
                        Int.random(in: 0..<3, using: &rng) == 0 ? odd.randomElement(using: &rng)! : Float(Int.random(in: 0...9, using: &rng))
                    }
                    let expected = values.filter { lookup.color($0) == nil }.count
                    XCTAssertEqual(values.withUnsafeBufferPointer { lookup.maskedCount($0) }, expected, "\(ramp.name), \(values)")
                }
            }
        }
    }

    /// Class codes and thresholds keep their exact colours; NaN, infinities, nodata and unknown codes are masked.
    func testClassAndSteppedRampsAreExact() {
        let classes = ColorLookup(ramp: .landUse)
        for code in -2...300 {
            XCTAssertEqual(classes.color(Float(code)), ColorRamp.landUse.color(Double(code)), "code \(code)")
        }
        XCTAssertNil(classes.color(0), "nodata code")
        XCTAssertNil(classes.color(2.5), "not a code")
        let dnbr = ColorLookup(ramp: .dnbr)
        for t in ColorRamp.dnbr.stops.map({ Float($0.value) }) + [0.0999, 0.1, 0.2699, 0.27, 5] {
            for v in [t.nextDown, t, t.nextUp] {
                XCTAssertEqual(dnbr.color(v), ColorRamp.dnbr.color(Double(v)), "dNBR \(v)")
            }
        }
        for ramp in [ColorLookup(ramp: .ndvi), classes, dnbr] {
            XCTAssertNil(ramp.color(.nan)); XCTAssertNil(ramp.color(.infinity)); XCTAssertNil(ramp.color(-.infinity))
        }
    }
}
