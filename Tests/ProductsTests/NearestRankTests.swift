@testable import Products
import RasterCore
import XCTest

/// The quicklook stretch selects ranks instead of sorting: it must give exactly the values a stable sort gives
/// (quicklooks stay byte-identical), including which zero (−0 or +0) sits at a rank, and ignore NaN and ±infinity.
final class NearestRankTests: XCTestCase {
    /// The sort-based reference the selection replaced.
    private func sorted(_ values: [Float]) -> [Float] { values.filter(\.isFinite).sorted() }

    private func check(_ values: [Float], file: StaticString = #filePath, line: UInt = #line) {
        let ref = sorted(values)
        guard let s = NearestRank(values) else {
            XCTAssertTrue(ref.isEmpty, "nil only without finite values", file: file, line: line)
            return
        }
        XCTAssertEqual(s.count, ref.count, file: file, line: line)
        let ranks = ref.count <= 64 ? Array(ref.indices) : [0, 1, ref.count / 50, ref.count / 2, ref.count * 98 / 100, ref.count - 1]
        for pair in stride(from: 0, to: ranks.count, by: 2) {
            let want = Array(ranks[pair..<min(pair + 2, ranks.count)])
            let got = s.values(atRanks: want)
            for (r, g) in zip(want, got) {
                XCTAssertEqual(g.bitPattern, ref[r].bitPattern, "rank \(r) of \(ref.count)", file: file, line: line)
            }
        }
    }

    func testSelectionEqualsTheStableSort() {
        var rng = SplitMix64(seed: 7)
        func uniform() -> Float { Float(Double(rng.next() >> 11) / Double(1 << 53)) }
        // Continuous index-like values with NaN holes.
        check((0..<200_000).map { _ in uniform() < 0.1 ? .nan : uniform() * 2 - 1 })
        // Heavy ties, both zeros in every order, infinities.
        for _ in 0..<40 {
            let n = Int(rng.next() % 60) + 1
            check((0..<n).map { _ in [Float(0), -0.0, 1, -1, 0.5, .nan, .infinity, -.infinity, -0.25][Int(rng.next() % 9)] })
        }
        // Values spanning many binades and sub-normals.
        check((0..<5_000).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) })
        check([Float.leastNonzeroMagnitude, -Float.leastNonzeroMagnitude, 0, -0.0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude])
        check([.nan, .infinity])
        check([])
        check([-0.0])
    }

    func testPercentileRangeMatchesTheSortedRanks() {
        var rng = SplitMix64(seed: 3)
        let v: [Float] = (0..<100_000).map { i in i % 17 == 0 ? .nan : Float(Int(rng.next() % 2001) - 1000) / 1000 }
        let ref = sorted(v)
        func at(_ p: Double) -> Double { Double(ref[min(ref.count - 1, max(0, Int((p / 100 * Double(ref.count - 1)).rounded())))]) }
        XCTAssertEqual(Quicklook.percentileRange(v, low: 2, high: 98), at(2)...at(98))
        XCTAssertNil(Quicklook.percentileRange([1, 1, .nan], low: 2, high: 98), "all equal")
        XCTAssertNil(Quicklook.percentileRange([.nan], low: 2, high: 98), "no finite value")
    }

    /// The ramp's rounding without libm equals `rounded()` (half away from zero), ties included.
    func testRoundedByteEqualsRounded() {
        var rng = SplitMix64(seed: 5)
        var samples: [Double] = (0...510).map { Double($0) / 2 }   // every tie
        samples += [0.49999999999999994, 254.49999999999997, 0.5000000000000001, 1e-300]
        samples += (0..<100_000).map { _ in Double(rng.next() >> 11) / Double(1 << 53) * 255 }
        for v in samples { XCTAssertEqual(ColorRamp.roundedByte(v), UInt8(v.rounded()), "\(v)") }
    }

}
