import RasterCore
import XCTest
import Kernels

final class IntegerKernelTests: XCTestCase {
    /// UInt16 extremes never overflow: every pair of {0, 1, 2, 32767, 32768, 65534, 65535} gives the
    /// Double-precision NDVI of the same values (the wrap-around bug would give e.g. NDVI(0, 65535) = 1/65535).
    func testUInt16ExtremesNeverOverflow() {
        let extremes: [UInt16] = [0, 1, 2, 1000, 32767, 32768, 65534, 65535]
        var red: [UInt16] = [], nir: [UInt16] = []
        for r in extremes { for n in extremes { red.append(r); nir.append(n) } }
        var out = [Float](repeating: 0, count: red.count)
        red.withUnsafeBufferPointer { r in nir.withUnsafeBufferPointer { n in out.withUnsafeMutableBufferPointer { o in
            ndvi(red: r, nir: n, nodata: nil, into: o)
        } } }
        for i in 0..<red.count {
            let r = Double(red[i]), n = Double(nir[i])
            if r + n == 0 { XCTAssertTrue(out[i].isNaN, "0/0 must be NaN"); continue }
            XCTAssertEqual(Double(out[i]), (n - r) / (n + r), accuracy: 1e-6, "red \(red[i]) nir \(nir[i])")
            XCTAssertTrue(out[i] >= -1 && out[i] <= 1)
        }
        XCTAssertEqual(out[extremes.firstIndex(of: 0)! * extremes.count + extremes.firstIndex(of: 65535)!], 1)
        XCTAssertEqual(out[extremes.firstIndex(of: 65535)! * extremes.count + extremes.firstIndex(of: 0)!], -1)
    }

    func testInt16ExtremesAndNodata() {
        let red: [Int16] = [-32768, 32767, -1000, 1486, 0, 5]
        let nir: [Int16] = [32767, -32768, 2000, 2154, 0, -1000]
        var out = [Float](repeating: 0, count: red.count)
        red.withUnsafeBufferPointer { r in nir.withUnsafeBufferPointer { n in out.withUnsafeMutableBufferPointer { o in
            ndvi(red: r, nir: n, nodata: -1000, into: o)
        } } }
        // (32767 − (−32768)) / (32767 + (−32768)) = 65535 / −1, computed in Float.
        XCTAssertEqual(out[0], -65535)
        XCTAssertEqual(out[1], 65535)
        XCTAssertTrue(out[2].isNaN, "nodata red")
        XCTAssertEqual(Double(out[3]), 668.0 / 3640.0, accuracy: 1e-7)   // NASA sample pixel [240,240]
        XCTAssertTrue(out[4].isNaN, "zero denominator")
        XCTAssertTrue(out[5].isNaN, "nodata nir")
    }

    /// Scale and offset are applied in Float before the ratio: with offset −0.1 (Sentinel-2 PB 04.00
    /// style), DN (red 2000, nir 4000) × 1e-4 − 0.1 gives (0.3 − 0.1) / (0.3 + 0.1) = 0.5, not 1/3.
    func testScaleAndOffsetAreApplied() {
        let red: [UInt16] = [2000, 0], nir: [UInt16] = [4000, 3000]
        var out = [Float](repeating: 0, count: 2)
        red.withUnsafeBufferPointer { r in nir.withUnsafeBufferPointer { n in out.withUnsafeMutableBufferPointer { o in
            ndvi(red: r, nir: n, nodata: 0, scale: 1e-4, offset: -0.1, into: o)
        } } }
        XCTAssertEqual(out[0], 0.5, accuracy: 1e-6)
        XCTAssertTrue(out[1].isNaN, "DN 0 stays nodata")
    }

    /// The integer path agrees with the Float catalogue kernel on random data.
    func testIntegerPathMatchesFloatKernel() throws {
        var rng = SplitMix64(seed: 3)
        let n = 20_000
        let red = (0..<n).map { _ in UInt16.random(in: 0...UInt16.max, using: &rng) }
        let nir = (0..<n).map { _ in UInt16.random(in: 0...UInt16.max, using: &rng) }
        var out = [Float](repeating: 0, count: n)
        red.withUnsafeBufferPointer { r in nir.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { o in
            ndvi(red: r, nir: b, nodata: 7, into: o)
        } } }
        let f = try computeIndices([IndexCatalog.lookup("ndvi")!],
                                   bands: ["red": red.map { $0 == 7 ? .nan : Float($0) }, "nir": nir.map { $0 == 7 ? .nan : Float($0) }],
                                   count: n)["NDVI"]!
        for i in 0..<n { XCTAssertTrue(out[i] == f[i] || (out[i].isNaN && f[i].isNaN), "pixel \(i)") }
    }
}
