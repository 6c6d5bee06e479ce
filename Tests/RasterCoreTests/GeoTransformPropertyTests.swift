import Foundation
import XCTest
@testable import RasterCore

/// Property tests on RasterCore values, over many seeded random cases.
final class RasterCorePropertyTests: XCTestCase {
    struct Rng: RandomNumberGenerator {
        var s: UInt64
        mutating func next() -> UInt64 { s &+= 0x9E37_79B9_7F4A_7C15; var z = s; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB; return z ^ (z >> 31) }
    }

    func testInvertUndoesApplyForNonSingularTransforms() {
        var rng = Rng(s: 42)
        for _ in 0..<2000 {
            let t = GeoTransform([Double.random(in: -1e6...1e6, using: &rng), Double.random(in: 0.1...1000, using: &rng),
                                  Double.random(in: -50...50, using: &rng), Double.random(in: -1e7...1e7, using: &rng),
                                  Double.random(in: -50...50, using: &rng), -Double.random(in: 0.1...1000, using: &rng)])
            let c = Double.random(in: -1e4...1e4, using: &rng), r = Double.random(in: -1e4...1e4, using: &rng)
            let p = t.apply(column: c, row: r)
            guard let back = t.invert(x: p.x, y: p.y) else { continue } // det can be ~0 only by rotation choice
            let scale = max(1, abs(c), abs(r)) * max(1, abs(t.originX) + abs(t.originY)) / max(1e-3, abs(t.pixelWidth * t.pixelHeight - t.rowRotation * t.columnRotation))
            XCTAssertEqual(back.column, c, accuracy: 1e-9 * scale)
            XCTAssertEqual(back.row, r, accuracy: 1e-9 * scale)
        }
    }

    func testApplyMapsCornersByTheGDALFormulaAndSingularIsNil() {
        let t = GeoTransform([100, 2, 0.5, 200, 0.25, -3])
        let p = t.apply(column: 4, row: 6)
        XCTAssertEqual(p.x, 100 + 4 * 2 + 6 * 0.5)
        XCTAssertEqual(p.y, 200 + 4 * 0.25 + 6 * -3)
        XCTAssertNil(GeoTransform([0, 1, 2, 0, 1, 2]).invert(x: 1, y: 1))
        let o = t.offset(column: 4, row: 6)
        XCTAssertEqual(o.originX, p.x)
        XCTAssertEqual(o.originY, p.y)
        XCTAssertEqual(Array(o.coefficients[1...2]), [2, 0.5])
    }

    func testGeoKeyDirectoryEncodeParseRoundTrip() {
        var rng = Rng(s: 7)
        for _ in 0..<500 {
            var used = Set<UInt16>()
            var entries: [(id: UInt16, value: GeoKeyDirectory.Value)] = []
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                let id = UInt16.random(in: 1024...4096, using: &rng)
                guard used.insert(id).inserted else { continue }
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: entries.append((id, .short(UInt16.random(in: 0...UInt16.max, using: &rng))))
                case 1: entries.append((id, .doubles((0..<Int.random(in: 1...3, using: &rng)).map { _ in Double.random(in: -1e7...1e7, using: &rng) })))
                default: entries.append((id, .ascii(String((0..<Int.random(in: 1...20, using: &rng)).map { _ in "abcXYZ _-0123".randomElement(using: &rng)! }))))
                }
            }
            let dir = GeoKeyDirectory(entries: entries)
            let t = dir.encodedTags
            XCTAssertEqual(Array(t.keys.prefix(4)), [1, 1, 0, UInt16(entries.count)])
            let parsed = GeoKeyDirectory(encoded: t.keys, doubles: t.doubles, ascii: t.ascii)
            let sorted = GeoKeyDirectory(entries: entries.sorted { $0.id < $1.id })
            XCTAssertEqual(parsed, sorted)
            XCTAssertEqual(parsed.encodedTags.keys, t.keys)
        }
    }

    func testGeoKeyParserSkipsOutOfRangeOffsets() {
        // count claims 3 keys: one inline, one past the doubles, one past the ascii; then a truncated entry.
        let keys: [UInt16] = [1, 1, 0, 4, 1024, 0, 1, 1, 2057, 34736, 1, 9, 1026, 34737, 50, 0, 3072, 0]
        let d = GeoKeyDirectory(encoded: keys, doubles: [1], ascii: "x|")
        XCTAssertEqual(d.entries.count, 1)
        XCTAssertEqual(d.value(1024), 1)
        XCTAssertEqual(GeoKeyDirectory.forEPSG(32618).epsg, 32618)
        XCTAssertEqual(GeoKeyDirectory.forEPSG(4326).epsg, 4326)
    }

    func testAccumulatorMergeEqualsSequential() {
        var rng = Rng(s: 99)
        for _ in 0..<200 {
            let values = (0..<Int.random(in: 0...400, using: &rng)).map { _ in Double.random(in: -1e4...1e4, using: &rng) }
            var seq = BandStatistics.Accumulator()
            for v in values { seq.add(v) }
            seq.addInvalid()
            var merged = BandStatistics.Accumulator()
            var i = 0
            while i < values.count {
                let n = Int.random(in: 0...60, using: &rng)
                var part = BandStatistics.Accumulator()
                for v in values[i..<min(values.count, i + n)] { part.add(v) }
                merged.merge(part)
                i += n
            }
            var inv = BandStatistics.Accumulator(); inv.addInvalid()
            merged.merge(inv)
            let a = seq.result, b = merged.result
            XCTAssertEqual(a.validCount, b.validCount)
            XCTAssertEqual(a.totalCount, b.totalCount)
            XCTAssertEqual(a.minimum, b.minimum)
            XCTAssertEqual(a.maximum, b.maximum)
            XCTAssertEqual(a.mean, b.mean, accuracy: 1e-9)
            XCTAssertEqual(a.standardDeviation, b.standardDeviation, accuracy: 1e-8)
            if !values.isEmpty {
                // Against the two-pass textbook formula.
                let mean = values.reduce(0, +) / Double(values.count)
                let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
                XCTAssertEqual(b.mean, mean, accuracy: 1e-9)
                XCTAssertEqual(b.standardDeviation, sd, accuracy: 1e-8)
            }
        }
    }

    /// The chunked buffer accumulator agrees with Welford's per-sample `add` on every length around the chunk and
    /// lane boundaries, with NaN, ±infinity and a nodata value scattered in, for Float and UInt16 samples.
    func testBufferAccumulatorEqualsPerSampleWelford() {
        var rng = Rng(s: 7)
        let lengths = [0, 1, 3, 4, 5, 4095, 4096, 4097, 8191, 12_289] + (0..<40).map { _ in Int.random(in: 0...20_000, using: &rng) }
        for n in lengths {
            let floats: [Float] = (0..<n).map { _ in
                switch Int.random(in: 0..<20, using: &rng) {
                case 0: return .nan
                case 1: return Bool.random(using: &rng) ? .infinity : -.infinity
                case 2: return -9999
                default: return Float.random(in: -1...1, using: &rng) + 1000   // an offset that punishes naive sum of squares
                }
            }
            var welford = BandStatistics.Accumulator()
            for v in floats { if v.isFinite && v != -9999 { welford.add(Double(v)) } else { welford.addInvalid() } }
            let fast = floats.withUnsafeBufferPointer { BandStatistics.Accumulator(samples: $0, nodata: -9999) }
            let a = welford.result, b = fast.result
            XCTAssertEqual(b.validCount, a.validCount, "n=\(n)")
            XCTAssertEqual(b.totalCount, n, "n=\(n)")
            XCTAssertEqual(b.minimum, a.minimum, "n=\(n)")
            XCTAssertEqual(b.maximum, a.maximum, "n=\(n)")
            XCTAssertEqual(b.mean, a.mean, accuracy: 1e-9, "n=\(n)")
            XCTAssertEqual(b.standardDeviation, a.standardDeviation, accuracy: 1e-9, "n=\(n)")
            // A NaN nodata excludes nothing beyond the non-finite samples.
            let nanNodata = floats.withUnsafeBufferPointer { BandStatistics.Accumulator(samples: $0, nodata: .nan) }
            XCTAssertEqual(nanNodata.count, floats.filter(\.isFinite).count, "n=\(n)")

            let ints: [UInt16] = (0..<n).map { _ in Int.random(in: 0..<10, using: &rng) == 0 ? 0 : UInt16.random(in: 1...65535, using: &rng) }
            var w16 = BandStatistics.Accumulator()
            for v in ints { if v != 0 { w16.add(Double(v)) } else { w16.addInvalid() } }
            let f16 = ints.withUnsafeBufferPointer { BandStatistics.Accumulator(samples: $0, nodata: 0) }
            XCTAssertEqual(f16.count, w16.count, "n=\(n)")
            XCTAssertEqual(f16.invalid, w16.invalid, "n=\(n)")
            XCTAssertEqual(f16.result.minimum, w16.result.minimum)
            XCTAssertEqual(f16.result.maximum, w16.result.maximum)
            XCTAssertEqual(f16.result.mean, w16.result.mean, accuracy: 1e-7 * max(1, abs(w16.result.mean)))
            XCTAssertEqual(f16.result.standardDeviation, w16.result.standardDeviation, accuracy: 1e-7 * max(1, w16.result.standardDeviation))
        }
    }

    /// Float samples take SIMD lanes (`floatChunk`); they give the figures of the four-lane scalar loop bit for bit,
    /// which Double samples of the same values still take: every length around the lane and chunk boundaries, NaN,
    /// ±infinity, ±0 and the nodata value scattered in, and a nodata that is a Float value (-9999), one that is not
    /// (0.1: a sample of Float(0.1) stays valid, as Double(Float(0.1)) ≠ 0.1) and NaN.
    func testFloatLanesEqualTheScalarLoopBitForBit() {
        var rng = Rng(s: 9)
        let lengths = [0, 1, 3, 4, 5, 7, 4095, 4096, 4097, 8195] + (0..<20).map { _ in Int.random(in: 0...12_000, using: &rng) }
        for n in lengths {
            let floats: [Float] = (0..<n).map { _ in
                switch Int.random(in: 0..<24, using: &rng) {
                case 0: return .nan
                case 1: return Bool.random(using: &rng) ? .infinity : -.infinity
                case 2: return -9999
                case 3: return Float(0.1)
                case 4: return Bool.random(using: &rng) ? 0 : -0.0
                default: return Float.random(in: -1...1, using: &rng) + 1000
                }
            }
            // Also with every positive value negated: the maximum is then a zero, whose sign is the first one seen.
            for (set, values) in [floats, floats.map { $0 > 0 ? -$0 : $0 }].enumerated() {
            let doubles = values.map(Double.init)
            for nodata in [-9999, 0.1, Double.nan] {
                let lanes = values.withUnsafeBufferPointer { BandStatistics.Accumulator(samples: $0, nodata: nodata) }
                let scalar = doubles.withUnsafeBufferPointer { BandStatistics.Accumulator(samples: $0, nodata: nodata) }
                let label = "set \(set) n=\(n) nodata \(nodata)"
                XCTAssertEqual(lanes.count, scalar.count, label)
                XCTAssertEqual(lanes.invalid, scalar.invalid, label)
                XCTAssertEqual(lanes.mean.bitPattern, scalar.mean.bitPattern, label)
                XCTAssertEqual(lanes.m2.bitPattern, scalar.m2.bitPattern, label)
                XCTAssertEqual(lanes.minimum.bitPattern, scalar.minimum.bitPattern, label)
                XCTAssertEqual(lanes.maximum.bitPattern, scalar.maximum.bitPattern, label)
            }
            }
        }
    }

    /// JSON string literals: the escapes RFC 8259 requires, and any string (control characters, quotes, backslashes,
    /// non-ASCII) reads back unchanged through Foundation's JSON parser.
    func testJSONQuotedRoundTripsThroughJSONSerialization() throws {
        XCTAssertEqual("a\"b\\c\n\u{1}é".jsonQuoted, #""a\"b\\c\n\u0001é""#)
        var rng = Rng(s: 5)
        let alphabet: [Unicode.Scalar] = (0..<0x20).map { Unicode.Scalar($0)! } + ["\"", "\\", "/", "a", "Z", "é", "安", "\u{1F30A}", "\u{7F}"]
        for _ in 0..<300 {
            var s = ""
            for _ in 0..<Int.random(in: 0...40, using: &rng) { s.unicodeScalars.append(alphabet.randomElement(using: &rng)!) }
            let json = "[" + s.jsonQuoted + "]"
            XCTAssertFalse(json.unicodeScalars.contains { $0.value < 0x20 }, "a raw control character is left in \(json)")
            let back = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String]
            XCTAssertEqual(back, [s])
        }
    }

    func testWindowIntersectionAndFit() {
        let a = Window(x: 0, y: 0, width: 10, height: 10)
        XCTAssertEqual(a.intersection(Window(x: 5, y: 7, width: 10, height: 10)), Window(x: 5, y: 7, width: 5, height: 3))
        XCTAssertNil(a.intersection(Window(x: 10, y: 0, width: 1, height: 1)))
        XCTAssertFalse(Window(x: 5, y: 0, width: 6, height: 1).fits(width: 10, height: 10))
        XCTAssertNil(ResourceLimits.byteCount(width: 1 << 40, height: 1 << 40, bands: 1, bytesPerSample: 1))
    }
}
