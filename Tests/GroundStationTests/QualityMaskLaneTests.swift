import RasterCore
import XCTest
@testable import GroundStation

/// `QualityMask.mark` and `keep`, the per-sample loops of every tile load done several samples at a time, equal the
/// one-sample rule on every length (whole groups and a remainder) and every kind of value: quiet, signalling and
/// negative NaNs (only NaN marks), infinities and signed zeros (which do not), and codes on both sides of the test.
final class QualityMaskLaneTests: XCTestCase {
    private static let specials: [Float] = [.nan, -.nan, .signalingNaN, Float(bitPattern: 0x7FC0_0001), Float(bitPattern: 0xFF80_0001),
                                            .infinity, -.infinity, 0, -0.0, 1, -1, .leastNonzeroMagnitude, .greatestFiniteMagnitude]

    func testMarkEqualsTheOneSampleRule() {
        var rng = SplitMix64(seed: 3)
        for count in [0, 1, 3, 4, 5, 7, 8, 9, 16, 33, 1000] {
            let values = (0..<count).map { _ in Self.specials[Int(rng.next() % UInt64(Self.specials.count))] }
            let before = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next() % 7) }
            var quality = before
            values.withUnsafeBufferPointer { v in
                quality.withUnsafeMutableBufferPointer { QualityMask.mark(9, where: v.baseAddress!, isNaN: $0.baseAddress!, count: count) }
            }
            XCTAssertEqual(quality, zip(values, before).map { $0.isNaN ? 9 : $1 }, "count \(count)")
        }
    }

    func testKeepEqualsTheOneSampleRuleBitForBit() {
        var rng = SplitMix64(seed: 4)
        for count in [0, 1, 3, 7, 8, 9, 15, 16, 17, 1000] {
            let before = (0..<count).map { _ in Self.specials[Int(rng.next() % UInt64(Self.specials.count))] }
            let quality = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next() % 3) }
            var values = before
            quality.withUnsafeBufferPointer { q in
                values.withUnsafeMutableBufferPointer { QualityMask.keep($0.baseAddress!, where: q.baseAddress!, is: 0, count: count) }
            }
            let want = zip(before, quality).map { $1 == 0 ? $0 : Float.nan }
            XCTAssertEqual(values.map(\.bitPattern), want.map(\.bitPattern), "count \(count)")
        }
    }
}
