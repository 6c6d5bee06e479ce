import XCTest
import RasterCore
import RasterIO
import Analysis

/// The after date of a pair brought onto the before date's grid, or refused naming both files.
final class GridPairingTests: XCTestCase {
    /// A 40 × 30 grid of 10 m pixels in UTM 50N.
    let before = GridPairing.DateGrid(geo: GeoReference(transform: GeoTransform(originX: 600_000, pixelWidth: 10, originY: 2_780_000, pixelHeight: -10),
                                                        crs: CRS(epsg: 32650)), width: 40, height: 30, file: "before.tif")

    /// A plane that is a linear function of easting and northing (in UTM 50N) at each pixel centre of `grid`.
    static func linearField(on grid: GridPairing.DateGrid) throws -> [Float] {
        var xs: [Double] = [], ys: [Double] = []
        for r in 0..<grid.height { for c in 0..<grid.width {
            let p = grid.geo!.transform.apply(column: Double(c) + 0.5, row: Double(r) + 0.5)
            xs.append(p.x); ys.append(p.y)
        } }
        if grid.geo!.crs!.epsg != 32650 {
            try CRSTransform(from: grid.geo!.crs!.projDefinition!, to: CRS(epsg: 32650).projDefinition!).transform(xs: &xs, ys: &ys)
        }
        return zip(xs, ys).map { Float(($0 - 600_000) * 0.001 + ($1 - 2_780_000) * 0.002) }
    }

    func testSameGridIsTakenAsItIs() throws {
        let a = try GridPairing.alignment(before: before, after: before)
        XCTAssertFalse(a.resamples)
        XCTAssertEqual(a.codes([1, 2, 3], fill: 0), [1, 2, 3])
    }

    /// Same CRS, shifted by 2.4 pixels east and 0.5 south: bilinear reproduces a linear field where covered.
    func testShiftedGridIsResampledBilinearly() throws {
        let after = GridPairing.DateGrid(geo: GeoReference(transform: GeoTransform(originX: 600_024, pixelWidth: 10, originY: 2_779_995, pixelHeight: -10),
                                                           crs: CRS(epsg: 32650)), width: 40, height: 30, file: "after.tif")
        let a = try GridPairing.alignment(before: before, after: after)
        XCTAssertTrue(a.resamples)
        let v = a.values(try Self.linearField(on: after)), truth = try Self.linearField(on: before)
        XCTAssertEqual(v.count, 40 * 30)
        // Columns 0–1 lie west of the after grid: not covered.
        XCTAssertTrue(v[0].isNaN && v[1].isNaN)
        var checked = 0
        for r in 2..<29 { for c in 3..<39 { XCTAssertEqual(v[r * 40 + c], truth[r * 40 + c], accuracy: 1e-3); checked += 1 } }
        XCTAssertGreaterThan(checked, 900)
        // Codes by nearest, with the fill where the after grid has no pixel.
        let codes = a.codes((0..<(40 * 30)).map { UInt8($0 % 40) }, fill: 99)
        XCTAssertEqual(Array(codes[0..<5]), [99, 99, 0, 1, 2])
    }

    /// Another CRS (UTM 51N) over the same place: PROJ relates the two; a linear field comes back within tolerance.
    func testOtherCRSIsReprojected() throws {
        let g = try GridWarp.reprojected(RasterGrid(width: 40, height: 30, geo: before.geo!), file: "after.tif", to: CRS(epsg: 32651), resolution: 10)
        let after = GridPairing.DateGrid(geo: g.geo, width: g.width, height: g.height, file: "after.tif")
        let a = try GridPairing.alignment(before: before, after: after)
        XCTAssertTrue(a.resamples)
        let v = a.values(try Self.linearField(on: after)), truth = try Self.linearField(on: before)
        var checked = 0
        for i in v.indices where v[i].isFinite { XCTAssertEqual(v[i], truth[i], accuracy: 0.01); checked += 1 }
        XCTAssertGreaterThan(checked, 40 * 30 * 8 / 10, "most of the before grid is covered")
    }

    func testDatesThatDoNotOverlapOrLackACRSAreRefusedNamingBothFiles() {
        let far = GridPairing.DateGrid(geo: GeoReference(transform: GeoTransform(originX: 700_000, pixelWidth: 10, originY: 2_780_000, pixelHeight: -10),
                                                         crs: CRS(epsg: 32650)), width: 40, height: 30, file: "after.tif")
        let noCRS = GridPairing.DateGrid(geo: GeoReference(transform: GeoTransform(originX: 600_020, pixelWidth: 10, originY: 2_780_000, pixelHeight: -10),
                                                           crs: nil), width: 40, height: 30, file: "after.tif")
        let noGeo = GridPairing.DateGrid(geo: nil, width: 40, height: 30, file: "after.tif")
        for (after, words) in [(far, "do not overlap"), (noCRS, "no CRS"), (noGeo, "no georeference")] {
            XCTAssertThrowsError(try GridPairing.alignment(before: before, after: after)) { e in
                let text = "\(e)"
                XCTAssertTrue(text.contains("before.tif") && text.contains("after.tif") && text.contains(words), text)
            }
        }
    }
}
