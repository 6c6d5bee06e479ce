import XCTest
import Foundation
import RasterCore
@testable import Analysis

final class AccuracyTests: XCTestCase {
    func testConfusionMatrixHandChecked() throws {
        // truth 1 1 1 2 2 2 0 ; predicted 1 1 2 2 2 1 1 (last pixel ignored: truth is nodata)
        let cm = try ConfusionMatrix(truth: [1, 1, 1, 2, 2, 2, 0], predicted: [1, 1, 2, 2, 2, 1, 1], classes: [1, 2])
        XCTAssertEqual(cm.counts, [[2, 1], [1, 2]])
        XCTAssertEqual(cm.total, 6)
        XCTAssertEqual(try XCTUnwrap(cm.overallAccuracy), 4.0 / 6.0, accuracy: 1e-12)
        // p_o = 2/3, p_e = (3·3 + 3·3)/36 = 1/2 → kappa = (2/3 − 1/2)/(1/2) = 1/3
        XCTAssertEqual(try XCTUnwrap(cm.kappa), 1.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(cm.perClass[0].precision), 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(cm.perClass[1].recall), 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(cm.iou(of: 1)), 2.0 / 4.0, accuracy: 1e-12)

        // Perfect agreement → OA 1, kappa 1; a class never predicted → precision nil.
        let p = try ConfusionMatrix(truth: [1, 2, 3, 3], predicted: [1, 2, 3, 3], classes: [1, 2, 3, 4])
        XCTAssertEqual(p.overallAccuracy, 1)
        XCTAssertEqual(try XCTUnwrap(p.kappa), 1, accuracy: 1e-12)
        XCTAssertNil(p.perClass[3].precision)
        XCTAssertNil(p.perClass[3].recall)

        // Asymmetric 3-class example (Congalton-style), computed by hand:
        // rows truth, cols predicted: [[5,1,0],[2,3,1],[0,1,7]] → N=20, diag 15, OA .75
        // row sums 6,6,8; col sums 7,5,8; p_e = (42+30+64)/400 = .34; kappa = (.75−.34)/.66
        var t: [UInt8] = [], q: [UInt8] = []
        let m = [[5, 1, 0], [2, 3, 1], [0, 1, 7]]
        for i in 0..<3 { for j in 0..<3 { for _ in 0..<m[i][j] { t.append(UInt8(i + 1)); q.append(UInt8(j + 1)) } } }
        let c3 = try ConfusionMatrix(truth: t, predicted: q, classes: [1, 2, 3])
        XCTAssertEqual(c3.counts, m)
        XCTAssertEqual(try XCTUnwrap(c3.kappa), (0.75 - 0.34) / 0.66, accuracy: 1e-12)
        // Codable for reports.
        let back = try JSONDecoder().decode(ConfusionMatrix.self, from: JSONEncoder().encode(c3))
        XCTAssertEqual(back, c3)
    }

    func testChangeMatrixHectaresArePixelCountsTimesPixelArea() throws {
        let geo = GeoReference(transform: GeoTransform(originX: 700000, pixelWidth: 10, originY: 2800000, pixelHeight: -10), crs: .epsg(32650))
        // 4×3 grid
        let before: [UInt8] = [1, 1, 4, 4,
                               5, 5, 5, 6,
                               3, 3, 0, 2]
        let after: [UInt8] = [1, 3, 4, 2,
                              5, 4, 4, 5,
                              3, 1, 3, 7]
        let cm = try ChangeMatrix(before: before, beforeGeo: geo, after: after, afterGeo: geo, width: 4, height: 3)
        XCTAssertEqual(cm.pixelHectares, 0.01, accuracy: 1e-15)   // 10 m × 10 m = 100 m² = 0.01 ha
        // Counted pairs: (1,1) (1,3) (4,4) (4,2) (5,5) (5,4) (5,4) (3,3) (3,1) ; cloud/nodata/shadow pairs skipped.
        XCTAssertEqual(cm.hectares(from: 5, to: 4), 2 * 0.01, accuracy: 1e-12)
        XCTAssertEqual(cm.hectares(from: 1, to: 3), 0.01, accuracy: 1e-12)
        XCTAssertEqual(cm.pixels.reduce(0) { $0 + $1.reduce(0, +) }, 9)
        XCTAssertEqual(cm.changedHectares, 5 * 0.01, accuracy: 1e-12)
        XCTAssertEqual(cm.hectares(from: 6, to: 5), 0)   // masked (cloud) never counts as change
    }

    func testGridMismatchIsRefusedWithWhatDiffers() {
        let a = GeoReference(transform: GeoTransform(originX: 0, pixelWidth: 10, originY: 100, pixelHeight: -10), crs: .epsg(32650))
        var b = a
        b.transform = GeoTransform(originX: 10, pixelWidth: 10, originY: 100, pixelHeight: -10)
        XCTAssertThrowsError(try ChangeMatrix(before: [1, 1], beforeGeo: a, after: [1, 1], afterGeo: b, width: 2, height: 1)) { e in
            guard case AnalysisError.gridMismatch(let d) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(d, ["originX 0.0 (before) vs 10.0 (after)"])
        }
        var c = a
        c.crs = .epsg(32651)
        XCTAssertThrowsError(try GridPairing.requireSameGrid(a, width: 2, height: 2, c, width: 3, height: 2)) { e in
            guard case AnalysisError.gridMismatch(let d) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(d.count, 2)
            XCTAssertTrue(d[0].hasPrefix("size 2×2"))
            XCTAssertTrue(d[1].contains("EPSG:32650") && d[1].contains("EPSG:32651"))
            XCTAssertTrue("\(e)".contains("not on the same grid"))
        }
        let geographic = GeoReference(transform: GeoTransform(originX: 0, pixelWidth: 0.001, originY: 0, pixelHeight: -0.001), crs: .epsg(4326))
        XCTAssertThrowsError(try PixelArea.hectares(geographic))
    }
}
