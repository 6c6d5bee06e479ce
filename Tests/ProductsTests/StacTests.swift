import Foundation
import Products
import RasterCore
import RasterIO
import TestSupport
import XCTest

final class StacTests: XCTestCase {
    let provenance = Provenance(version: "0.1.0-test", pipelineHash: "abc123", inputs: ["B04.tif", "B08.tif"])
    let grid = Oracles.anxiGrid()
    let scene = StacScene(datetime: Date(timeIntervalSince1970: 1_724_899_269), platform: "sentinel-2a", instruments: ["msi"],
                          cloudCover: 12.5, processingLevel: "L2A", sceneID: "S2A_50RPN_20240829")

    private func item(id: String = "T50RPN_r3c4", width: Int = 1098, height: Int = 1098) throws -> StacItem {
        var acc = BandStatistics.Accumulator()
        for v in [-0.2, 0.9, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4] { acc.add(v) }
        acc.addInvalid()
        let stats = acc.result
        let ndvi = StacBand(name: "ndvi", info: BandInfo(description: "ndvi", nodata: .nan, unit: "1"), dataType: .float32,
                            statistics: stats)
        return try StacItem.make(id: id, collection: "run-1", collectionHref: "../collection.json", scene: scene, geo: grid,
                                 width: width, height: height, assets: [
                                    StacProductAsset(key: "ndvi", href: "./ndvi.tif", mediaType: StacAsset.cogMediaType, roles: ["data"],
                                                     title: "NDVI", bands: [ndvi], expression: "(nir - red) / (nir + red)"),
                                    StacProductAsset(key: "ndvi_quicklook", href: "./ndvi.png", mediaType: StacAsset.pngMediaType,
                                                     roles: ["visual", "overview"]),
                                 ], provenance: provenance)
    }

    /// The STAC 1.1 structural check of an Item, on the decoded JSON (what a catalogue would read).
    func testItemHasTheSTAC11Fields() throws {
        let json = try item().json()
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(o["type"] as? String, "Feature")
        XCTAssertEqual(o["stac_version"] as? String, "1.1.0")
        let ext = try XCTUnwrap(o["stac_extensions"] as? [String])
        for name in ["projection", "raster", "eo", "processing"] {
            XCTAssertTrue(ext.contains { $0.hasPrefix("https://stac-extensions.github.io/\(name)/") && $0.hasSuffix("/schema.json") }, name)
        }
        XCTAssertEqual(o["id"] as? String, "T50RPN_r3c4")
        let geometry = try XCTUnwrap(o["geometry"] as? [String: Any])
        XCTAssertEqual(geometry["type"] as? String, "Polygon")
        let ring = try XCTUnwrap((geometry["coordinates"] as? [[[Double]]])?.first)
        XCTAssertEqual(ring.first, ring.last, "the ring must close")
        XCTAssertEqual((o["bbox"] as? [Double])?.count, 4)
        let p = try XCTUnwrap(o["properties"] as? [String: Any])
        XCTAssertEqual(p["datetime"] as? String, "2024-08-29T02:41:09Z")
        XCTAssertEqual(p["proj:code"] as? String, "EPSG:32650")
        XCTAssertEqual(p["proj:shape"] as? [Int], [1098, 1098])
        XCTAssertEqual(p["proj:transform"] as? [Double], [10, 0, 620_000, 0, -10, 2_780_000, 0, 0, 1])
        XCTAssertEqual(p["eo:cloud_cover"] as? Double, 12.5)
        XCTAssertEqual((p["processing:software"] as? [String: String])?["tilepipe"], "0.1.0-test")
        let links = try XCTUnwrap(o["links"] as? [[String: Any]])
        XCTAssertEqual(Set(links.compactMap { $0["rel"] as? String }), ["collection", "parent", "root"])
        XCTAssertTrue(links.allSatisfy { ($0["href"] as? String)?.hasPrefix("..") == true }, "hrefs must be relative")
        let assets = try XCTUnwrap(o["assets"] as? [String: [String: Any]])
        XCTAssertEqual(assets["ndvi"]?["type"] as? String, "image/tiff; application=geotiff; profile=cloud-optimized")
        XCTAssertEqual(assets["ndvi"]?["roles"] as? [String], ["data"])
        XCTAssertEqual(assets["ndvi_quicklook"]?["type"] as? String, "image/png")
        let rb = try XCTUnwrap((assets["ndvi"]?["raster:bands"] as? [[String: Any]])?.first)
        XCTAssertEqual(rb["nodata"] as? String, "nan")
        XCTAssertEqual(rb["data_type"] as? String, "float32")
        XCTAssertEqual((rb["statistics"] as? [String: Double])?["valid_percent"], 90)
        XCTAssertEqual(((assets["ndvi"]?["bands"] as? [[String: Any]])?.first)?["name"] as? String, "ndvi")
    }

    /// bbox contains the tile footprint in lon/lat. The footprint is densified independently (60 points per edge)
    /// and transformed by gdaltransform when installed (else by our PROJ wrapper), near 118.2°E 25.1°N.
    func testBBoxContainsFootprint() throws {
        let it = try item()
        let bbox = it.bbox
        XCTAssertEqual(bbox[0], 118.2, accuracy: 0.05); XCTAssertEqual(bbox[1], 25.0, accuracy: 0.1)
        XCTAssertLessThan(bbox[2] - bbox[0], 0.15); XCTAssertLessThan(bbox[3] - bbox[1], 0.15)
        var pts: [(Double, Double)] = []
        let size = 1098.0 * 10
        for i in 0...60 {
            let f = Double(i) / 60 * size
            pts += [(620_000 + f, 2_780_000), (620_000 + f, 2_780_000 - size), (620_000, 2_780_000 - f), (620_000 + size, 2_780_000 - f)]
        }
        var lonlat: [(Double, Double)] = []
        if TestData.hasTool("gdaltransform") {
            let input = pts.map { "\($0.0) \($0.1)" }.joined(separator: "\n") + "\n"
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("pts-\(UUID().uuidString).txt")
            try input.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            // gdaltransform prints lon lat (traditional GIS order) and a z column.
            let r = try TestData.run("sh", ["-c", "gdaltransform -s_srs EPSG:32650 -t_srs EPSG:4326 < '\(file.path)'"])
            XCTAssertEqual(r.status, 0, r.err)
            lonlat = r.out.split(separator: "\n").map { l in let v = l.split(separator: " ").compactMap { Double($0) }; return (v[0], v[1]) }
        } else {
            let t = try CRSTransform.toWGS84(from: "EPSG:32650")
            lonlat = try pts.map { try t.transform(x: $0.0, y: $0.1) }.map { ($0.x, $0.y) }
        }
        XCTAssertEqual(lonlat.count, pts.count)
        for (lon, lat) in lonlat {
            XCTAssertTrue(lon >= bbox[0] - 1e-9 && lon <= bbox[2] + 1e-9 && lat >= bbox[1] - 1e-9 && lat <= bbox[3] + 1e-9,
                          "(\(lon), \(lat)) outside bbox \(bbox)")
        }
        // Tight: the bbox is the footprint's own extent (within a metre-scale tolerance), not padded.
        XCTAssertEqual(lonlat.map(\.0).min()!, bbox[0], accuracy: 1e-6)
        XCTAssertEqual(lonlat.map(\.1).max()!, bbox[3], accuracy: 1e-6)
    }

    /// Ring orientation is counter-clockwise (RFC 7946 exterior ring).
    func testGeometryIsCounterClockwise() throws {
        guard case .array(let rings)? = try item().geometry["coordinates"], case .array(let ring)? = rings.first else {
            return XCTFail("no ring")
        }
        let pts = ring.compactMap { p -> (Double, Double)? in
            guard case .array(let v) = p, let x = v[0].doubleValue, let y = v[1].doubleValue else { return nil }
            return (x, y)
        }
        var area = 0.0
        for i in 0..<(pts.count - 1) { area += pts[i].0 * pts[i + 1].1 - pts[i + 1].0 * pts[i].1 }
        XCTAssertGreaterThan(area, 0)
    }

    /// The Collection spans its Items (bbox union, time interval), summarises them, and links them relatively;
    /// encoding twice gives the same bytes; the Item decodes back to itself.
    func testCollectionAndDeterminism() throws {
        let a = try item(id: "a")
        var bGrid = grid
        bGrid.transform = grid.transform.offset(column: 1098, row: 0)
        let later = StacScene(datetime: Date(timeIntervalSince1970: 1_725_000_000), platform: "sentinel-2b", instruments: ["msi"], cloudCover: 40)
        let b = try StacItem.make(id: "b", collection: "run-1", collectionHref: "../collection.json", scene: later, geo: bGrid,
                                  width: 1098, height: 1098, assets: [], provenance: provenance)
        let c = try StacCollection.make(id: "run-1", description: "test run", items: [(b, "./b/item.json"), (a, "./a/item.json")])
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try c.json().utf8)) as? [String: Any])
        XCTAssertEqual(o["type"] as? String, "Collection")
        XCTAssertEqual(o["stac_version"] as? String, "1.1.0")
        let ext = o["extent"] as? [String: Any]
        let box = try XCTUnwrap(((ext?["spatial"] as? [String: Any])?["bbox"] as? [[Double]])?.first)
        let union = [min(a.bbox[0], b.bbox[0]), min(a.bbox[1], b.bbox[1]), max(a.bbox[2], b.bbox[2]), max(a.bbox[3], b.bbox[3])]
        XCTAssertEqual(box.count, 4)
        for (x, y) in zip(box, union) { XCTAssertEqual(x, y, accuracy: 1e-12) }
        XCTAssertGreaterThan(b.bbox[2], a.bbox[2] + 0.1, "the second tile lies ~11 km east")
        let interval = ((ext?["temporal"] as? [String: Any])?["interval"] as? [[String]])?.first
        XCTAssertEqual(interval, ["2024-08-29T02:41:09Z", "2024-08-30T06:40:00Z"])
        let summaries = try XCTUnwrap(o["summaries"] as? [String: Any])
        XCTAssertEqual(summaries["platform"] as? [String], ["sentinel-2a", "sentinel-2b"])
        XCTAssertEqual((summaries["eo:cloud_cover"] as? [String: Double])?["maximum"], 40)
        let links = try XCTUnwrap(o["links"] as? [[String: Any]])
        XCTAssertEqual(links.filter { $0["rel"] as? String == "item" }.compactMap { $0["href"] as? String }, ["./a/item.json", "./b/item.json"])
        XCTAssertEqual(try a.json(), try item(id: "a").json())
        let decoded = try JSONDecoder().decode(StacItem.self, from: Data(try a.json().utf8))
        XCTAssertEqual(decoded.assets["ndvi"]?.href, "./ndvi.tif")
        XCTAssertEqual(decoded.bbox, a.bbox)
    }

    func testItemWithoutCRSIsRefused() {
        XCTAssertThrowsError(try StacItem.make(id: "x", collection: nil, collectionHref: nil, scene: scene,
                                               geo: GeoReference(transform: .identity, crs: nil), width: 10, height: 10,
                                               assets: [], provenance: provenance)) { XCTAssertTrue("\($0)".contains("CRS"), "\($0)") }
    }
}
