import XCTest
import Foundation
import RasterCore
import RasterIO
@testable import Analysis

final class RegionTests: XCTestCase {
    let geo = GeoReference(transform: GeoTransform(originX: 720000, pixelWidth: 10, originY: 2780000, pixelHeight: -10), crs: .epsg(32650))

    func testFractionalCoverageAtEdges() throws {
        // Square from column 0.5 to 3.5 and row 0.5 to 3.5 in CRS units: corners 1/4, edges 1/2, centre 1.
        let sq: [[Double]] = [[720005, 2779995], [720035, 2779995], [720035, 2779965], [720005, 2779965], [720005, 2779995]]
        let regions = [Region(id: "p1", name: "parcel", polygons: [[sq]])]
        let cov = try RegionRasterizer.rasterize(regions, geo: geo, width: 5, height: 5, coordinates: .tileCRS)
        XCTAssertEqual(cov[0].coveredPixels, 9, accuracy: 1e-9)
        let byPixel = Dictionary(uniqueKeysWithValues: zip(cov[0].pixels, cov[0].fractions))
        XCTAssertEqual(byPixel[0], 0.25)          // (0,0) corner
        XCTAssertEqual(byPixel[1], 0.5)           // (1,0) top edge
        XCTAssertEqual(byPixel[6], 1)             // (1,1) interior
        XCTAssertEqual(byPixel[3 * 5 + 3], 0.25)  // (3,3) corner
        XCTAssertNil(byPixel[4])                  // (4,0) outside
        // A hole (even–odd) removes its pixels.
        let hole: [[Double]] = [[720010, 2779990], [720020, 2779990], [720020, 2779980], [720010, 2779980], [720010, 2779990]]
        let withHole = try RegionRasterizer.rasterize([Region(id: "h", name: "h", polygons: [[sq, hole]])], geo: geo, width: 5, height: 5, coordinates: .tileCRS)
        XCTAssertEqual(withHole[0].coveredPixels, 8, accuracy: 1e-9)
    }

    func testWGS84RegionsFromGeoJSONAndStatistics() throws {
        // A 200 m × 100 m parcel in UTM 50N given in lon/lat (RFC 7946) and a village polygon in the tile CRS.
        let proj = try CRSTransform.toWGS84(from: "EPSG:32650")
        var xs = [720100.0, 720300.0, 720300.0, 720100.0, 720100.0], ys = [2779900.0, 2779900.0, 2779800.0, 2779800.0, 2779900.0]
        try proj.transform(xs: &xs, ys: &ys)
        let ring = zip(xs, ys).map { "[\($0),\($1)]" }.joined(separator: ",")
        let doc = """
        {"type":"FeatureCollection","features":[
         {"type":"Feature","id":"T01","properties":{"name":"Longmen"},"geometry":{"type":"MultiPolygon","coordinates":[[[\(ring)]]]}}
        ]}
        """
        let regions = try RegionReader.parse(Data(doc.utf8), file: "regions.geojson")
        XCTAssertEqual(regions.map(\.id), ["T01"])
        XCTAssertEqual(regions[0].name, "Longmen")
        let w = 40, h = 30
        let cov = try RegionRasterizer.rasterize(regions, geo: geo, width: w, height: h)   // .auto detects lon/lat
        XCTAssertEqual(cov[0].coveredPixels, 200, accuracy: 2)     // 2 ha = 200 px of 100 m²
        // Class map: left half of the tile class 1, right half class 4; index = column number.
        var classes = [UInt8](repeating: 0, count: w * h), idx = [Float](repeating: .nan, count: w * h)
        for y in 0..<h { for x in 0..<w { classes[y * w + x] = x < 20 ? 1 : 4; idx[y * w + x] = Float(x) } }
        let stats = try RegionStatistics.compute(regions: regions, coverage: cov, classes: classes, indices: ["col": idx],
                                                 width: w, height: h, geo: geo)
        // Parcel spans columns 10..<30: half in class 1, half in class 4; the mean column is 19.5.
        XCTAssertEqual(stats[0].coveredHa, 2, accuracy: 0.02)
        XCTAssertEqual(try XCTUnwrap(stats[0].classHa["1"]), 1, accuracy: 0.02)
        XCTAssertEqual(try XCTUnwrap(stats[0].classHa["4"]), 1, accuracy: 0.02)
        XCTAssertEqual(try XCTUnwrap(stats[0].means["col"] ?? nil), 19.5, accuracy: 0.05)
        XCTAssertEqual(stats[0].validFraction, 1, accuracy: 1e-9)
        // Errors name the file.
        XCTAssertThrowsError(try RegionReader.parse(Data(#"{"type":"Point","coordinates":[0,0]}"#.utf8), file: "bad.geojson")) { e in
            XCTAssertTrue("\(e)".contains("bad.geojson"))
        }
        XCTAssertThrowsError(try RegionReader.read(path: "/nonexistent/regions.geojson")) { e in
            XCTAssertTrue("\(e)".contains("/nonexistent/regions.geojson"))
        }
    }
}

final class ClassRasterTests: XCTestCase {
    func testDisasterClassRasterWritesWithColourTableAndReadsBack() throws {
        let geo = GeoReference(transform: GeoTransform(originX: 720000, pixelWidth: 10, originY: 2780000, pixelHeight: -10), crs: .epsg(32650))
        let r = try BurnSeverityJob().run(nbrBefore: [0.6, 0.6, 0.6, 0.6], nbrAfter: [0.8, 0.55, 0.2, -0.2], width: 2, height: 2, geo: geo)
        XCTAssertEqual(r.classRaster, [2, 3, 5, 7])
        let raster = r.raster(geo: geo)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("an-class-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("burn.tif").path
        try GeoTIFFWriter.write(raster, to: path)
        let back = try GeoTIFFReader(path: path).read(UInt8.self)
        XCTAssertEqual(back.samples, [2, 3, 5, 7])
        XCTAssertEqual(back.bands[0].nodata, 0)
        XCTAssertEqual(back.bands[0].colorTable?.entries[7], RGBA(hex: "#a41fd6"))
        XCTAssertEqual(back.geo?.crs?.epsg, 32650)
    }
}
