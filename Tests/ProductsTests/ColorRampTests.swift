import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Products
import RasterCore
import RasterIO
import TestSupport
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

final class ColorRampFormatTests: XCTestCase {
    /// GDAL colour-map text round-trips through our ramp, and GDAL's own gdaldem applies our exported map
    /// with the colours our ramp gives (checked at the stops).
    func testGDALColorMapRoundTrip() throws {
        let text = ColorRamp.water.gdalColorMap
        XCTAssertTrue(text.hasPrefix("-1 140 81 10 255\n"), text)
        XCTAssertTrue(text.hasSuffix("nv 0 0 0 0\n"))
        let back = try ColorRamp.parseGDALColorMap(text, name: "water")
        XCTAssertEqual(back.stops.map(\.value), ColorRamp.water.stops.map(\.value))
        XCTAssertEqual(back.stops.map(\.color), ColorRamp.water.stops.map(\.color))
        XCTAssertThrowsError(try ColorRamp.parseGDALColorMap("# c\n50% 1 2 3\n", name: "m")) {
            XCTAssertTrue("\($0)".contains("line 2"), "\($0)")
        }
        guard TestData.hasTool("gdaldem") else { throw Skip.because("gdaldem (gdal-bin) absent") }
        let dir = try TestData.temporaryDirectory("products-ramp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let values: [Float] = [-1, -0.3, 0, 0.2, 0.5, 1, 0.35, -0.65]
        let src = Raster<Float>(width: values.count, height: 1, samples: values, bands: [BandInfo(nodata: -9999)])
        let input = dir.appendingPathComponent("in.tif").path, map = dir.appendingPathComponent("map.txt").path
        let output = dir.appendingPathComponent("out.tif").path
        try GeoTIFFWriter.write(src, to: input)
        try text.write(toFile: map, atomically: true, encoding: .utf8)
        let r = try TestData.run("gdaldem", ["color-relief", "-q", "-alpha", input, map, output])
        XCTAssertEqual(r.status, 0, r.err)
        let rgba = try GeoTIFFReader(path: output).read(UInt8.self)
        for (i, v) in values.enumerated() {
            let ours = try XCTUnwrap(ColorRamp.water.color(Double(v)))
            let theirs = [rgba[0, i, 0], rgba[1, i, 0], rgba[2, i, 0], rgba[3, i, 0]].map(Int.init)
            for (a, b) in zip([ours.r, ours.g, ours.b, ours.a].map(Int.init), theirs) {
                XCTAssertEqual(a, b, accuracy: 1, "value \(v): ours \(ours), gdaldem \(theirs)")
            }
        }
    }

    /// The SVG legend names every class and is well-formed XML.
    func testLegendSVG() throws {
        let svg = ColorRamp.landUse.legendSVG()
        for c in ColorRamp.landUse.classNames { XCTAssertTrue(svg.contains(">\(c.name)<"), c.name) }
        XCTAssertNoThrow(try XMLDocument(xmlString: svg))
        let ndvi = ColorRamp.ndvi.legendSVG(width: 200)
        XCTAssertTrue(ndvi.contains("linearGradient") && ndvi.contains(">0.5<"), ndvi)
        XCTAssertNoThrow(try XMLDocument(xmlString: ndvi))
    }
}
