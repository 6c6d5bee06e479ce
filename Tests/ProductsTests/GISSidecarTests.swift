import Foundation
import Products
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// What GDAL and QGIS read beside the products: class names and colours of class maps, the CRS of quicklooks.
final class GISSidecarTests: XCTestCase {
    func testGdalinfoShowsTheClassNamesOfAClassMap() throws {
        let dir = try TestData.temporaryDirectory("gis-sidecars")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("landuse.tif").path
        try CloudOptimizedGeoTIFF.write(Oracles.classes(width: 300, height: 200), to: path, kind: .classes(.landUse),
                                        provenance: Provenance(version: "test"))
        let aux = try String(contentsOfFile: path + ".aux.xml", encoding: .utf8)
        let qml = try String(contentsOfFile: dir.appendingPathComponent("landuse.qml").path, encoding: .utf8)
        let classes = ColorRamp.landUse.classNames
        XCTAssertFalse(classes.isEmpty)
        // The QGIS style: one palette entry per class with its colour and label.
        XCTAssertEqual(qml.components(separatedBy: "<paletteEntry ").count - 1, classes.count)
        for c in classes {
            let e = ColorRamp.landUse.colorTable.entries[c.code]
            XCTAssertTrue(qml.contains("value=\"\(c.code)\" color=\"\(String(format: "#%02x%02x%02x", e.r, e.g, e.b))\""), "qml lacks class \(c.code)")
            XCTAssertTrue(aux.contains("<F>\(c.name.replacingOccurrences(of: "&", with: "&amp;"))</F>"), "RAT lacks \(c.name)")
        }
        guard TestData.hasTool("gdalinfo") else { throw Skip.because("gdalinfo not installed (apt-get install gdal-bin)") }
        let info = try TestData.run("gdalinfo", [path])
        XCTAssertEqual(info.status, 0, info.err)
        let categories = try XCTUnwrap(info.out.range(of: "Categories:"), "gdalinfo lists no categories:\n\(info.out)")
        let listed = info.out[categories.upperBound...]
        for c in classes { XCTAssertTrue(listed.contains("\(c.code): \(c.name)"), "gdalinfo lacks '\(c.code): \(c.name)'") }
        XCTAssertTrue(info.out.contains("GDALRasterAttributeTable"), "gdalinfo shows no attribute table")
        // GDAL's JSON output carries the same names as a thematic RAT with a name column.
        let json = try TestData.run("gdalinfo", ["-json", path])
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let band = try XCTUnwrap((doc["bands"] as? [[String: Any]])?.first)
        let rat = try XCTUnwrap(doc["rat"] as? [String: Any] ?? band["rat"] as? [String: Any], "no RAT in gdalinfo -json")
        let rows = (rat["row"] as? [[String: Any]]) ?? []
        XCTAssertEqual(rows.count, classes.count)
        XCTAssertEqual(rows.compactMap { ($0["f"] as? [Any])?[1] as? String }, classes.map(\.name))
    }

    func testQuicklookCarriesItsCRSAndAWorldFileThatPlacesTheMap() throws {
        let dir = try TestData.temporaryDirectory("gis-quicklook")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ndvi.png").path
        let src = Oracles.continuous(width: 600, height: 400)
        let q = try Quicklook.write(AnyRaster(src), ramp: .ndvi, title: .init(satellite: "S2", date: "2024-08-29", tile: "t", product: "NDVI"),
                                    to: path, options: .init(longestSide: 300))
        let aux = try String(contentsOfFile: path + ".aux.xml", encoding: .utf8)
        XCTAssertTrue(aux.contains("EPSG:32650"), aux)
        guard TestData.hasTool("gdalinfo") else { throw Skip.because("gdalinfo not installed (apt-get install gdal-bin)") }
        let info = try TestData.run("gdalinfo", ["-json", path])
        XCTAssertEqual(info.status, 0, info.err)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(info.out.utf8)) as? [String: Any])
        let wkt = ((doc["coordinateSystem"] as? [String: Any])?["wkt"] as? String) ?? ""
        XCTAssertTrue(wkt.contains("UTM zone 50N"), "GDAL sees no CRS on the quicklook: \(wkt)")
        // GDAL's geotransform puts the map's first pixel on the raster's origin and its last on the far corner.
        let gt = try XCTUnwrap(doc["geoTransform"] as? [Double])
        let t = GeoTransform(gt)
        let src0 = src.geo!.transform
        let corner = t.apply(column: Double(q.mapRect.x), row: Double(q.mapRect.y))
        XCTAssertEqual(corner.x, src0.originX, accuracy: 1e-6); XCTAssertEqual(corner.y, src0.originY, accuracy: 1e-6)
        let far = t.apply(column: Double(q.mapRect.x + q.mapRect.width), row: Double(q.mapRect.y + q.mapRect.height))
        let srcFar = src0.apply(column: Double(src.width), row: Double(src.height))
        XCTAssertEqual(far.x, srcFar.x, accuracy: 1e-6); XCTAssertEqual(far.y, srcFar.y, accuracy: 1e-6)
    }
}
