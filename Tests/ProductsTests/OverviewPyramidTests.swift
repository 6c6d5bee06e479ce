import Products
import RasterCore
import XCTest

final class OverviewPyramidTests: XCTestCase {
    /// 3×3 Float with −9999 nodata: each output pixel is the mean of its valid inputs (hand-computed), nodata only
    /// when the whole block is nodata, and odd edges use the 1- or 2-pixel partial blocks.
    /// `reduce` gives bit for bit what the textbook rule gives: per 2×2 block the valid samples in row-major order,
    /// their sum from 0 divided by their count (average), the first (nearest), or the most frequent, ties to the
    /// smallest (mode); the nodata fill where none is valid. Odd sizes, NaN and a numeric nodata, every method.
    func testReduceEqualsTheReferenceRule() {
        var rng = SplitMix64(seed: 11)
        func reference<S: RasterSample>(_ src: Raster<S>, _ method: OverviewPyramid.Resampling) -> [S] {
            let info = src.bands[0], w = (src.width + 1) / 2, h = (src.height + 1) / 2
            var out = [S]()
            for r in 0..<h {
                for c in 0..<w {
                    var valid: [Double] = []
                    for y in (2 * r)..<min(2 * r + 2, src.height) {
                        for x in (2 * c)..<min(2 * c + 2, src.width) {
                            let v = src[0, x, y].doubleValue
                            if v.isFinite && !info.isNodata(v) { valid.append(v) }
                        }
                    }
                    guard !valid.isEmpty else { out.append(S(clampingDouble: info.nodata ?? 0)); continue }
                    switch method {
                    case .average: out.append(S(clampingDouble: valid.reduce(0, +) / Double(valid.count)))
                    case .nearest: out.append(S(clampingDouble: valid[0]))
                    case .mode:
                        let best = valid.map { v in (v, valid.filter { $0 == v }.count) }
                            .min { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }!
                        out.append(S(clampingDouble: best.0))
                    }
                }
            }
            return out
        }
        // (22, 6): rows of 11 whole blocks, two runs of the four-lane average and three blocks one by one.
        for (width, height) in [(1, 1), (2, 2), (3, 5), (17, 9), (22, 6), (64, 33)] {
            for nodata in [Float.nan, -9999] {
                let samples = (0..<(width * height)).map { _ -> Float in
                    switch rng.next() % 10 {
                    case 0: return .nan
                    case 1: return -9999
                    case 2: return .infinity
                    case 3: return rng.next() % 2 == 0 ? -.infinity : -0.0
                    default: return Float(rng.nextUnit() * 2 - 1) / 3
                    }
                }
                let src = Raster<Float>(width: width, height: height, samples: samples, bands: [BandInfo(nodata: Double(nodata))])
                for method in [OverviewPyramid.Resampling.average, .nearest, .mode] {
                    let got = OverviewPyramid.reduce(src, resampling: method).samples
                    XCTAssertEqual(got.map(\.bitPattern), reference(src, method).map(\.bitPattern), "\(width)x\(height) \(method) nodata \(nodata)")
                }
            }
            let codes = (0..<(width * height)).map { _ in UInt8(rng.next() % 4) }   // 0 = nodata, frequent ties
            let classes = Raster<UInt8>(width: width, height: height, samples: codes, bands: [BandInfo(nodata: 0)])
            XCTAssertEqual(OverviewPyramid.reduce(classes, resampling: .mode).samples, reference(classes, .mode), "\(width)x\(height) classes")
        }
    }

    func testAverageSkipsNodataAndHandlesOddEdges() {
        let nd: Float = -9999
        let src = Raster<Float>(width: 3, height: 3, samples: [1, 3, 5,
                                                             nd, nd, 7,
                                                             nd, nd, 9],
                                bands: [BandInfo(nodata: -9999)])
        let out = OverviewPyramid.reduce(src, resampling: .average)
        XCTAssertEqual(out.width, 2); XCTAssertEqual(out.height, 2)
        XCTAssertEqual(out.samples, [2, 6, nd, 9])   // (1+3)/2, (5+7)/2, all nodata, 9
    }

    /// NaN nodata: a block with one valid value takes that value (no darkening towards 0 at edges).
    func testAverageWithNaNNodata() {
        let src = Raster<Float>(width: 2, height: 2, samples: [.nan, .nan, .nan, 0.8], bands: [BandInfo(nodata: .nan)])
        XCTAssertEqual(OverviewPyramid.reduce(src, resampling: .average).samples, [0.8])
        let all = Raster<Float>(width: 2, height: 2, samples: [.nan, .nan, .nan, .nan], bands: [BandInfo(nodata: .nan)])
        XCTAssertTrue(OverviewPyramid.reduce(all, resampling: .average).samples[0].isNaN)
    }

    /// Mode: the most frequent code; ties go to the smallest code; nodata (0) is ignored; never a mean.
    func testModeNeverAveragesCodes() {
        let src = Raster<UInt8>(width: 4, height: 2, samples: [1, 8, 5, 5,
                                                              8, 1, 0, 3],
                                bands: [BandInfo(nodata: 0)])
        let out = OverviewPyramid.reduce(src, resampling: .mode)
        XCTAssertEqual(out.samples, [1, 5])   // {1,8,8,1}: tie → 1 (a mean would give 4 or 5); {5,5,3}: 5
        let nearest = OverviewPyramid.reduce(src, resampling: .nearest)
        XCTAssertEqual(nearest.samples, [1, 5])
    }

    /// Levels stop once a level fits one block, each halving (rounding up), transforms scaled by 2ⁿ.
    func testLevelsAndTransforms() {
        let geo = GeoReference(transform: GeoTransform(originX: 100, pixelWidth: 10, originY: 500, pixelHeight: -10), crs: .epsg(32650))
        let r = Raster<Float>(width: 2049, height: 700, bandCount: 1, geo: geo)
        let levels = OverviewPyramid.levels(of: r, resampling: .average, tileSize: 512)
        XCTAssertEqual(levels.map { [$0.width, $0.height] }, [[1025, 350], [513, 175], [257, 88]])
        XCTAssertEqual(levels.last?.geo?.transform.coefficients, [100, 80, 0, 500, 0, -80])
        XCTAssertEqual(OverviewPyramid.levels(of: Raster<Float>(width: 512, height: 512, bandCount: 1), resampling: .average).count, 0)
    }
}
