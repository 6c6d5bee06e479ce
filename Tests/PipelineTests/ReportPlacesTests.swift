import Foundation
import Pipeline
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// Reports group by place (issue #15 item 7): an input's `name:`, or the tiles of one area and campaign; no row adds
/// two places; alerts name their place and give a centroid; the disaster section maps the whole event.
final class ReportPlacesTests: XCTestCase {
    /// `inputs[].name` makes every tile of the input one place (ignoring the key would give tile-group places);
    /// unnamed tiles join when their footprints touch and they share a date; each place's hectares are its own tiles'.
    func testInputNameIsAPlaceAndTouchingTilesJoin() throws {
        let root = try TestData.temporaryDirectory("report-places-run")
        defer { try? FileManager.default.removeItem(at: root) }
        let size = 32
        let named = root.appendingPathComponent("named"), other = root.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: named, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        // 30 m tiles on one row of EPSG:32650: a00, a01 at columns 0–1 (named input); b05, b06 touch; c09 stands alone.
        for (dir, name, column) in [(named, "a00", 0), (named, "a01", 1), (other, "b05", 5), (other, "b06", 6), (other, "c09", 9)] {
            try TileFixtures.writeTile(dir.appendingPathComponent("\(name)_20250101.tif").path, size: size, seed: UInt64(column + 1), column: column)
        }
        let out = root.appendingPathComponent("out")
        let yaml = """
            version: 1
            inputs:
              - path: \(named.path)
                name: Longmen township
                bands: \(TileFixtures.bandMap)
              - path: \(other.path)
                bands: \(TileFixtures.bandMap)
            indices: [ndvi]
            outputs:
              directory: \(out.path)
            """
        let config = try PipelineConfig.parse(yaml: yaml)
        XCTAssertEqual(config.inputs.map(\.name), ["Longmen township", nil])
        let s = try PipelineRunner.run(config: config, options: RunOptions(jobs: 2, toolVersion: "test"), logger: PipelineRunner.silentLogger)
        XCTAssertEqual(s.exitCode, 0, s.text)

        let report = try SampleTilesRun.reportJSON(out)["report"] as? [String: Any] ?? [:]
        let places = report["places"] as? [[String: Any]] ?? []
        let byName = Dictionary(places.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(Set(byName.keys), ["Longmen township", "b05 +1", "c09"], "\(places)")
        XCTAssertEqual(byName["Longmen township"]?["kind"] as? String, "input")
        XCTAssertEqual(byName["Longmen township"]?["groups"] as? [String], ["a00", "a01"])
        XCTAssertEqual(byName["b05 +1"]?["groups"] as? [String], ["b05", "b06"])
        // The named input's box: its west edge is x = 500 000 m, UTM 50N's central meridian (117° E exactly).
        let box = try XCTUnwrap(byName["Longmen township"]?["bbox"] as? [Double])
        XCTAssertEqual(box[0], 117.0, accuracy: 1e-7)
        XCTAssertEqual(box[3], 25.3, accuracy: 0.05)
        XCTAssertGreaterThan(box[2], box[0])
        let tiles = report["tiles"] as? [[String: Any]] ?? []
        XCTAssertEqual(Set(tiles.filter { ($0["id"] as? String ?? "").hasPrefix("a") }.compactMap { $0["place"] as? String }), ["Longmen township"])

        // areas.csv: per place, the class hectares add up to that place's tiles only (32² px × 0.09 ha each).
        let csv = try String(contentsOf: out.appendingPathComponent("areas.csv"), encoding: .utf8)
        var total: [String: Double] = [:]
        for line in csv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            total[f[0], default: 0] += Double(f[4]) ?? 0
        }
        let tileHa = Double(size * size) * 900 / 10_000
        XCTAssertEqual(total["Longmen township"] ?? 0, 2 * tileHa, accuracy: 0.05)
        XCTAssertEqual(total["b05 +1"] ?? 0, 2 * tileHa, accuracy: 0.05)
        XCTAssertEqual(total["c09"] ?? 0, tileHa, accuracy: 0.05)
        XCTAssertEqual(total.count, 3, csv)
    }

    /// SampleTiles: the January fire pair and the June flood pair overlap on the ground but are two places; every
    /// land-use row, change matrix, NDVI line and alert belongs to one; affected.geojson features carry their place and
    /// add up to the alert's polygon hectares; the event map covers every tile of the event.
    func testSampleTilesReportsPerPlace() throws {
        let run = try SampleTilesRun.shared()
        let doc = try SampleTilesRun.reportJSON(run.directory)
        let report = doc["report"] as? [String: Any] ?? [:], summary = doc["summary"] as? [String: Any] ?? [:]
        let places = report["places"] as? [[String: Any]] ?? []
        XCTAssertEqual(places.compactMap { $0["name"] as? String }, ["HXY1", "TGY1"])
        for p in places { XCTAssertEqual((p["bbox"] as? [Double])?.count, 4, "\(p)") }
        let dates: [String: Set<String>] = ["HXY1": ["2025-01-08", "2025-01-24"], "TGY1": ["2025-06-02", "2025-06-18"]]
        let areas = summary["areas"] as? [[String: Any]] ?? []
        XCTAssertFalse(areas.isEmpty)
        for a in areas {
            let place = a["place"] as? String ?? "", date = a["date"] as? String ?? ""
            XCTAssertTrue(dates[place]?.contains(date) == true, "\(place) \(date): a row mixes places")
        }
        let series = summary["ndviSeries"] as? [[String: Any]] ?? []
        for p in series { XCTAssertTrue(dates[p["place"] as? String ?? ""]?.contains(p["date"] as? String ?? "") == true, "\(p)") }
        for c in report["changes"] as? [[String: Any]] ?? [] {
            XCTAssertTrue(dates[c["place"] as? String ?? ""]?.contains(c["toDate"] as? String ?? "") == true, "\(c)")
        }
        let csv = try String(contentsOf: run.directory.appendingPathComponent("areas.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("place,date,class_code,class,hectares,percent\n"))
        let html = try String(contentsOf: run.directory.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<h3>TGY1 · 2025-06-18</h3>") && html.contains("<h3>HXY1 · 2025-01-08</h3>"))

        // Alerts: place, centroid inside the place's box, polygon hectares equal to affected.geojson's features.
        let gj = try JSONSerialization.jsonObject(with: Data(contentsOf: run.directory.appendingPathComponent("affected.geojson"))) as? [String: Any] ?? [:]
        let props = (gj["features"] as? [[String: Any]] ?? []).compactMap { $0["properties"] as? [String: Any] }
        let boxes = Dictionary(places.map { ($0["name"] as? String ?? "", $0["bbox"] as? [Double] ?? []) }, uniquingKeysWith: { a, _ in a })
        let alerts = summary["alertDetails"] as? [[String: Any]] ?? []
        XCTAssertEqual(Set(alerts.map { "\($0["kind"] as? String ?? "") \($0["place"] as? String ?? "")" }), ["flood TGY1", "burn HXY1"])
        for a in alerts {
            let kind = a["kind"] as? String ?? "", place = a["place"] as? String ?? ""
            let c = try XCTUnwrap(a["centroid"] as? [Double]), b = try XCTUnwrap(boxes[place])
            XCTAssertTrue(c[0] >= b[0] && c[0] <= b[2] && c[1] >= b[1] && c[1] <= b[3], "\(kind) centroid \(c) outside \(b)")
            let features = props.filter { $0["job"] as? String == kind }
            XCTAssertFalse(features.isEmpty)
            XCTAssertTrue(features.allSatisfy { $0["place"] as? String == place }, "features name their place")
            let featureHa = features.reduce(0.0) { $0 + ($1["area_ha"] as? Double ?? 0) }
            XCTAssertEqual(a["polygonHectares"] as? Double ?? -1, featureHa, accuracy: 0.01 + 1e-4 * featureHa)
            let note = a["polygons"] as? String ?? ""
            if abs((a["hectares"] as? Double ?? 0) - featureHa) >= 0.01 {
                XCTAssertTrue(note.contains("in no polygon") && note.contains("min_area_m2"), "the difference is stated: \(note)")
            } else {
                XCTAssertTrue(note.hasPrefix("equals"), note)
            }
        }

        // The flood's event map: every tile of the event on one grid (4 tiles of 256 px → 512 px, no downsampling), so
        // its flooded-colour pixels are the flooded pixels of all four pair maps (less what the scale bar and north
        // arrow boxes cover) and more than any single tile holds.
        let disasters = report["disasters"] as? [[String: Any]] ?? []
        let flood = try XCTUnwrap(disasters.first { $0["kind"] as? String == "flood" })
        let rel = try XCTUnwrap(flood["quicklook"] as? String)
        XCTAssertTrue(rel.hasPrefix("events/"), rel)
        let png = try PNGImage.read(path: run.directory.appendingPathComponent(rel).path)
        let world = try XCTUnwrap(try WorldFile.read(besideImage: run.directory.appendingPathComponent(rel).path))
        var perTile: [Int] = []
        var minX = Double.infinity, maxY = -Double.infinity, maxX = -Double.infinity, minY = Double.infinity
        for f in SampleTilesRun.files(run.directory.appendingPathComponent("pairs/flood"), ext: "tif") {
            let path = run.directory.appendingPathComponent("pairs/flood/\(f)").path
            perTile.append(try SampleTilesRun.classCounts(path)[3] ?? 0)
            let d = try GeoTIFFReader(path: path).description
            let t = try XCTUnwrap(d.geo).transform
            minX = min(minX, t.originX); maxY = max(maxY, t.originY)
            maxX = max(maxX, t.originX + Double(d.width) * t.pixelWidth); minY = min(minY, t.originY + Double(d.height) * t.pixelHeight)
        }
        XCTAssertEqual(perTile.count, 4)
        XCTAssertEqual(world.originX, minX, accuracy: 1e-6); XCTAssertEqual(world.originY, maxY, accuracy: 1e-6)
        let far = world.apply(column: 512, row: 512)
        XCTAssertEqual(far.x, maxX, accuracy: 1e-6); XCTAssertEqual(far.y, minY, accuracy: 1e-6)
        let sev = try XCTUnwrap((flood["severities"] as? [[String: Any]])?.first)
        let hex = try XCTUnwrap(sev["color"] as? String).lowercased()
        var flooded = 0
        for y in 0..<512 { for x in 0..<512 {
            let i = (y * png.width + x) * png.channels
            if String(format: "#%02x%02x%02x", png.pixels8[i], png.pixels8[i + 1], png.pixels8[i + 2]) == hex { flooded += 1 }
        } }
        let total = perTile.reduce(0, +)
        XCTAssertLessThanOrEqual(flooded, total)
        XCTAssertGreaterThanOrEqual(Double(flooded), 0.9 * Double(total), "\(flooded) of \(total) flooded pixels on the event map")
        XCTAssertGreaterThan(flooded, perTile.max()!, "the event map shows more than the most affected tile")
        XCTAssertTrue(html.contains("alt=\"flood 2025-06-02 → 2025-06-18 map over every tile of the event\""))
    }
}
