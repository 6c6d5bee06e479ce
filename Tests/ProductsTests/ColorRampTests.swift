import Products
import RasterCore
import XCTest

final class ColorRampTests: XCTestCase {
    /// dNBR classes follow the USGS thresholds with the UN-SPIDER colours (domain.md §4.3 table).
    func testDNBRThresholdsAndPalette() throws {
        let r = try ColorRamp.named("dNBR")
        let expected: [(Double, String)] = [(-0.4, "#7a8737"), (-0.25, "#acbe4d"), (-0.101, "#acbe4d"), (-0.1, "#0ae042"),
                                            (0.099, "#0ae042"), (0.1, "#fff70b"), (0.269, "#fff70b"), (0.27, "#ffaf38"),
                                            (0.44, "#ff641b"), (0.659, "#ff641b"), (0.66, "#a41fd6"), (1.3, "#a41fd6")]
        for (v, hex) in expected { XCTAssertEqual(r.color(v)?.hex, hex, "dNBR \(v)") }
        XCTAssertNil(r.color(.nan))
    }

    /// Linear ramps hit their stops exactly and interpolate in between; out-of-range values clamp.
    func testNDVIInterpolation() {
        let r = ColorRamp.ndvi
        XCTAssertEqual(r.color(0.5)?.hex, "#78c679")
        XCTAssertEqual(r.color(5)?.hex, "#004529")
        XCTAssertEqual(r.color(-5)?.hex, "#ffffff")
        // halfway between 0.5 #78C679 and 0.65 #41AB5D: (120+65)/2=92.5→93, (198+171)/2=184.5→185, (121+93)/2=107
        let c = r.color(0.575)!
        XCTAssertEqual(Int(c.r), 93, accuracy: 1); XCTAssertEqual(Int(c.g), 185, accuracy: 1); XCTAssertEqual(Int(c.b), 107, accuracy: 1)
        XCTAssertEqual(r.color(-0.75), RGBA(255, 255, 249))   // t = 0.5 exactly between #FFFFFF and #FEFEF3
    }

    /// Land-use palette: codes 0…8, nodata transparent, names in code order, 256-entry colour table.
    func testLandUsePalette() {
        let r = ColorRamp.landUse
        XCTAssertNil(r.color(0))
        XCTAssertNil(r.color(9))
        XCTAssertEqual(r.classNames.map(\.code), Array(1...8))
        XCTAssertEqual(r.classNames.first?.name, "Water")
        let t = r.colorTable
        XCTAssertEqual(t.entries.count, 256)
        XCTAssertEqual(t.entries[0].a, 0)
        XCTAssertEqual(t.entries[5], RGBA(hex: "#1B6E33"))
        XCTAssertEqual(Set((1...8).map { t.entries[$0] }).count, 8, "class colours must be distinct")
    }

    func testUnknownRampNamesTheKnownOnes() {
        XCTAssertThrowsError(try ColorRamp.named("rainbow")) { XCTAssertTrue("\($0)".contains("landuse"), "\($0)") }
    }
}
