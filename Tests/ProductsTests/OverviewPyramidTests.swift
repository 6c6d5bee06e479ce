import Products
import RasterCore
import XCTest

final class OverviewPyramidTests: XCTestCase {
    /// 3×3 Float with −9999 nodata: each output pixel is the mean of its valid inputs (hand-computed), nodata only
    /// when the whole block is nodata, and odd edges use the 1- or 2-pixel partial blocks.
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
