import Foundation
import Pipeline
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// `regions:` on the SampleTiles flood pair: per-region, per-date class hectares and index means in the report,
/// checked against the rasters the run wrote.
final class RegionsTests: XCTestCase {
    func testRegionFiguresEqualThePixelsTheyCover() throws {
        let flood = TestData.packageRoot.appendingPathComponent("SampleTiles/flood")
        guard FileManager.default.fileExists(atPath: flood.path) else { throw Skip.because("SampleTiles/ absent") }
        let root = try TestData.temporaryDirectory("pipeline-regions")
        defer { try? FileManager.default.removeItem(at: root) }
        // Tile r0c0 spans x 619976…621000, y 2776560…2777584 (4 m pixels, EPSG:32650); r0c1 continues east.
        // "whole" = exactly tile r0c0; "straddle" = the east half of r0c0 and the west half of r0c1 (128 columns each).
        func ring(_ x0: Double, _ x1: Double) -> String {
            "[[[\(x0),2776560],[\(x1),2776560],[\(x1),2777584],[\(x0),2777584],[\(x0),2776560]]]"
        }
        let geojson = """
            {"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"name":"whole"},"geometry":{"type":"Polygon","coordinates":\(ring(619976, 621000))}},
            {"type":"Feature","properties":{"name":"straddle"},"geometry":{"type":"Polygon","coordinates":\(ring(620488, 621512))}}]}
            """
        let regions = root.appendingPathComponent("regions.geojson")
        try geojson.write(to: regions, atomically: true, encoding: .utf8)
        let out = root.appendingPathComponent("out")
        var c = try SampleTilesRun.config(output: out)
        c.inputs[0].path = flood.path
        c.regions = regions.path
        let s = try PipelineRunner.run(config: c, options: RunOptions(jobs: 2, toolVersion: "test"), logger: PipelineRunner.silentLogger)
        XCTAssertEqual(s.exitCode, 0, s.text)

        let report = try SampleTilesRun.reportJSON(out)["report"] as? [String: Any] ?? [:]
        let entries = report["regions"] as? [[String: Any]] ?? []
        XCTAssertEqual(entries.compactMap { $0["name"] as? String }.sorted(),
                       ["straddle · 2025-06-02", "straddle · 2025-06-18", "whole · 2025-06-02", "whole · 2025-06-18"])
        func entry(_ name: String) throws -> [String: Any] { try XCTUnwrap(entries.first { $0["name"] as? String == name }) }
        let pixelHa = 16.0 / 10_000
        for date in ["20250602", "20250618"] {
            let day = "\(date.prefix(4))-\(date.dropFirst(4).prefix(2))-\(date.suffix(2))"
            // "whole": the class hectares of tile r0c0, read back from its class map.
            let whole = try entry("whole · \(day)")["classHectares"] as? [String: Double] ?? [:]
            let counts = try SampleTilesRun.classCounts(out.appendingPathComponent("tiles/TGY1_\(date)_r0c0/TGY1_\(date)_r0c0_landuse.tif").path)
            XCTAssertEqual(Set(whole.keys), Set(counts.keys.map(String.init)))
            for (code, n) in counts { XCTAssertEqual(whole[String(code)] ?? -1, Double(n) * pixelHa, accuracy: 1e-9, "class \(code)") }
            // "straddle": 128 columns of each tile; area and NDVI mean from the NDVI rasters.
            let straddle = try entry("straddle · \(day)")
            let ha = (straddle["classHectares"] as? [String: Double] ?? [:]).values.reduce(0, +)
            XCTAssertEqual(ha, 2 * 128 * 256 * pixelHa, accuracy: 1e-9)
            var sum = 0.0, n = 0
            for (tile, cols) in [("r0c0", 128..<256), ("r0c1", 0..<128)] {
                let ndvi = try GeoTIFFReader(path: out.appendingPathComponent("tiles/TGY1_\(date)_\(tile)/TGY1_\(date)_\(tile)_ndvi.tif").path).readFloatBand(0)
                for y in 0..<256 { for x in cols where ndvi[y * 256 + x].isFinite { sum += Double(ndvi[y * 256 + x]); n += 1 } }
            }
            let mean = try XCTUnwrap((straddle["indexMeans"] as? [String: Double])?["ndvi"])
            XCTAssertEqual(mean, sum / Double(n), accuracy: 1e-5)
        }
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<td>straddle</td><td>2025-06-18</td>"))

        // Affected hectares per region: "whole" is tile r0c0, so its flooded hectares are the flooded pixels (code 3)
        // of r0c0's flood map; the pre-event date has none.
        let floodMap = try SampleTilesRun.classCounts(out.appendingPathComponent("pairs/flood/TGY1_r0c0_2025-06-02_2025-06-18.tif").path)
        let floodedHa = Double(floodMap[3] ?? 0) * pixelHa
        XCTAssertGreaterThan(floodedHa, 0, "the flood reaches tile r0c0")
        let wholeAfter = try entry("whole · 2025-06-18")["affectedHectares"] as? [String: Double] ?? [:]
        XCTAssertEqual(wholeAfter["flood"] ?? -1, floodedHa, accuracy: 1e-6)
        XCTAssertNil((try entry("whole · 2025-06-02")["affectedHectares"] as? [String: Double])?["flood"])

        // regions.csv: one row per region and date; its columns sum to report.json's figures.
        let csv = try String(contentsOf: out.appendingPathComponent("regions.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        XCTAssertEqual(Array(header.prefix(2)), ["region", "date"])
        XCTAssertEqual(lines.count - 1, entries.count)
        let floodCol = try XCTUnwrap(header.firstIndex(of: "affected_ha_flood"))
        let csvFlood = lines.dropFirst().reduce(0.0) { $0 + (Double($1[floodCol]) ?? 0) }
        let jsonFlood = entries.reduce(0.0) { $0 + (($1["affectedHectares"] as? [String: Double])?["flood"] ?? 0) }
        XCTAssertEqual(csvFlood, jsonFlood, accuracy: 0.005 * Double(entries.count))
        XCTAssertEqual(lines.first { $0[0] == "whole" && $0[1] == "2025-06-18" }?[floodCol], String(format: "%.2f", floodedHa))
        let classNames = Dictionary(((report["classes"] as? [[String: Any]]) ?? []).map { (String($0["code"] as? Int ?? -1), $0["name"] as? String ?? "") },
                                    uniquingKeysWith: { a, _ in a })
        for (i, name) in header.enumerated() where name.hasPrefix("ha_") {
            let csvSum = lines.dropFirst().reduce(0.0) { $0 + (Double($1[i]) ?? 0) }
            let jsonSum = entries.reduce(0.0) { acc, e in
                let classes = e["classHectares"] as? [String: Double] ?? [:]
                return acc + classes.filter { code, _ in classNames[code] == String(name.dropFirst(3)) }.values.reduce(0, +)
            }
            XCTAssertEqual(csvSum, jsonSum, accuracy: 0.005 * Double(entries.count), name)
        }
        // The regions are places with a lon/lat box (EPSG:32650 around 118.2°E 25.1°N).
        let places = report["places"] as? [[String: Any]] ?? []
        let whole = try XCTUnwrap(places.first { $0["name"] as? String == "whole" && $0["kind"] as? String == "region" })
        let box = try XCTUnwrap(whole["bbox"] as? [Double])
        XCTAssertEqual(box[0], 118.2, accuracy: 0.1); XCTAssertEqual(box[1], 25.1, accuracy: 0.1)
    }
}
