import Foundation
import Products
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// Products made from a real file: the MTBS dNBR of the 2015 Wenas-area fire (Landsat 8, Int16 dNBR × 1000,
/// user-defined Albers CRS without an EPSG code, 507 × 457 at 30 m).
final class SharedDataProductTests: XCTestCase {
    func testMTBSdNBRBecomesCOGQuicklookAndItem() throws {
        guard let data = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        guard FileManager.default.fileExists(atPath: TextRenderer.defaultFontPath) else { throw Skip.because("fonts-dejavu-core absent") }
        let src = data.appendingPathComponent("landsat8-fire-prepost-mtbs_rc-sfa-wenas-meta/ca3851412213120150722_20150711_20150812_dnbr.tif").path
        guard FileManager.default.fileExists(atPath: src) else { throw Skip.because("MTBS dNBR absent") }
        let dir: URL
        if let keep = ProcessInfo.processInfo.environment["TILEPIPE_TEST_OUTPUT"] {
            dir = URL(fileURLWithPath: keep)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } else {
            dir = try TestData.temporaryDirectory("products-mtbs")
            addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        }
        var raster = try GeoTIFFReader(path: src).read(Int16.self)
        raster.bands[0].nodata = -32768          // MTBS fill value (the file declares none)
        raster.bands[0].scale = 0.001
        raster.bands[0].description = "dnbr"
        let cog = dir.appendingPathComponent("dnbr.tif").path
        let stats = try CloudOptimizedGeoTIFF.write(raster, to: cog, kind: .continuous,
                                                    provenance: Provenance(version: "test", inputs: [URL(fileURLWithPath: src).lastPathComponent]))
        XCTAssertTrue(CloudOptimizedGeoTIFF.validate(path: cog).isValid)
        if Oracles.cogValidator != nil { XCTAssertTrue(try Oracles.gdalValidate(cog).valid) }
        XCTAssertLessThan(stats[0].validPercent, 100)
        XCTAssertGreaterThan(stats[0].maximum, 660, "a burn scar has high-severity dNBR (> 0.66 × 1000)")

        let title = Quicklook.Title(satellite: "Landsat 8", date: "2015-07-11/2015-08-12", tile: "CA3851412213120150722", product: "dNBR")
        let q = try Quicklook.write(AnyRaster(raster), ramp: .dnbr, title: title, to: dir.appendingPathComponent("dnbr.png").path)
        // High severity (purple) is present in the map; fill pixels are drawn as the masked hatch.
        let hatch: Set<String> = ["#969696", "#d6d6d6"]
        var purple = 0, clear = 0
        for y in 0..<q.mapRect.height { for x in 0..<q.mapRect.width {
            let p = q.canvas.pixel(q.mapRect.x + x, q.mapRect.y + y)
            if p.hex == "#a41fd6" { purple += 1 }
            if hatch.contains(p.hex) { clear += 1 }
        } }
        XCTAssertGreaterThan(purple, 100)
        XCTAssertGreaterThan(clear, 0)
        XCTAssertGreaterThan(q.maskedPixels, 0)
        if TestData.hasTool("pngcheck") { XCTAssertEqual(try TestData.run("pngcheck", [dir.appendingPathComponent("dnbr.png").path]).status, 0) }

        let item = try StacItem.make(id: "mtbs-wenas", collection: nil, collectionHref: nil,
                                     scene: StacScene(datetime: Date(timeIntervalSince1970: 1_439_337_600), platform: "landsat-8"),
                                     geo: try XCTUnwrap(raster.geo), width: raster.width, height: raster.height,
                                     assets: [StacProductAsset(key: "dnbr", href: "./dnbr.tif", mediaType: StacAsset.cogMediaType, roles: ["data"],
                                                               bands: [StacBand(name: "dnbr", info: raster.bands[0], dataType: .int16, statistics: stats[0])])],
                                     provenance: Provenance(version: "test"))
        // The MTBS id encodes the ignition point: 38.51°N 122.13°W (CA3851412213120150722).
        XCTAssertTrue(item.bbox[0] < -122.13 + 0.3 && item.bbox[2] > -122.13 - 0.3, "\(item.bbox)")
        XCTAssertTrue(item.bbox[1] < 38.51 + 0.3 && item.bbox[3] > 38.51 - 0.3, "\(item.bbox)")
        XCTAssertEqual(item.properties["proj:code"], .null)
        try item.write(to: dir.appendingPathComponent("item.json").path)
    }
}
