import Foundation
import RasterCore
import RasterIO
import TestSupport
import XCTest
import Analysis
import Mustache
@testable import Products

/// Reports: every format says the same numbers, they equal pixel counts × pixel area, and the HTML page
/// is self-contained and renders in a real browser without errors or network requests.
final class ReportTests: XCTestCase {
    static let classes = [ClassInfo(code: 1, name: "water", color: "#2b83ba"), ClassInfo(code: 4, name: "cropland", color: "#fdae61"),
                          ClassInfo(code: 5, name: "tea/forest", color: "#1a9641")]

    /// A tile's result with `pixels` per class code (10 m pixels, 0.01 ha each) and NDVI `values`.
    static func result(date: String, pixels: [UInt8: Int], ndvi values: [Double]) -> TileResult {
        let geo = GeoReference(transform: GeoTransform(originX: 0, pixelWidth: 10, originY: 0, pixelHeight: -10), crs: nil)
        var r = TileResult(width: 50, height: 40, geo: geo)
        r.date = date
        r.satellite = "HXY-1"
        let map = pixels.keys.sorted().flatMap { [UInt8](repeating: $0, count: pixels[$0]!) }
        r.classes = ClassCounts(classMap: map, scheme: classes.map { ClassDefinition(code: UInt8($0.code), name: $0.name, color: $0.color) },
                                pixelHectares: r.pixelAreaM2 / 10_000)
        var ndvi = BandStatistics.Accumulator()
        values.forEach { ndvi.add($0) }
        r.indices["ndvi"] = ndvi
        return r
    }

    /// A run with two dates, a change matrix, a flood job, a failure and a quicklook; 10 m pixels (0.01 ha each).
    static func sampleReport(quicklook: String? = nil) -> RunReport {
        let tiles = [
            TileEntry(id: "t-b", status: .done, result: result(date: "2024-06-01", pixels: [1: 300, 4: 500, 5: 200], ndvi: [0.2, 0.4, 0.6]),
                      quicklook: quicklook, place: "Longmen"),
            TileEntry(id: "t-a", status: .skipped, result: result(date: "2024-06-01", pixels: [1: 100, 4: 0, 5: 900], ndvi: [0.1, 0.3]),
                      place: "Longmen"),
            TileEntry(id: "t-c", status: .done, result: result(date: "2024-07-01", pixels: [1: 1250, 4: 150, 5: 600], ndvi: [0.1, 0.3]),
                      place: "Longmen"),
        ]
        let change = ChangeEntry(fromDate: "2024-06-01", toDate: "2024-07-01", tiles: ["t-b"], classes: [1, 4, 5],
                                 pixels: [[400, 0, 0], [450, 50, 0], [400, 100, 600]], pixelAreaM2: 100, place: "Longmen")
        let flood = DisasterEntry(name: "Longmen flood", kind: "flood", before: "2024-06-01", after: "2024-07-01", tiles: ["t-b"],
                                  severities: [.init(name: "new water", color: "#2b83ba", pixels: 850),
                                               .init(name: "permanent water", color: "#08306b", pixels: 400)],
                                  pixelAreaM2: 100, alert: "warning", rule: "new water ≥ 5 ha (8.5 ha)", quicklook: quicklook,
                                  place: "Longmen", centroid: [118.2, 25.1], polygonHectares: 12.5, polygonCount: 3)
        return RunReport(run: RunInfo(id: "run-1", toolVersion: "0.1.0", pipeline: "pipeline.yaml", pipelineHash: "abc123",
                                      started: "2024-07-02T00:00:00Z", finished: "2024-07-02T00:01:00Z", inputs: ["SampleTiles/"],
                                      title: "Longmen township flood watch"),
                         classes: classes, tiles: tiles,
                         failures: [FailureEntry(path: "SampleTiles/bad, \"odd\".tif", stage: "ingest", cause: "truncated strip", kind: .corrupt)],
                         changes: [change], disasters: [flood],
                         regions: [RegionEntry(name: "Longmen", classHectares: ["1": 2.5, "5": 1.25], indexMeans: ["ndvi": 0.3])],
                         accuracy: [AccuracyEntry(tile: "t-b", overall: 0.93, kappa: 0.9, perClass: [])],
                         links: ["STAC collection": "stac/collection.json", "Affected areas": "affected.geojson"],
                         places: [PlaceInfo(name: "Longmen", kind: .tiles, groups: ["t"], bbox: [118.1, 25.0, 118.3, 25.2])])
    }

    func testAreasEqualPixelCountsTimesPixelAreaInEveryFormat() throws {
        let dir = try TestData.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = Self.sampleReport()
        try ReportWriter.writeAll(report, to: dir.path)
        for name in ReportWriter.fileNames { XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), name) }

        // Independent expectation from the pixel counts: 0.01 ha per pixel; date 1 sums tiles t-a and t-b.
        let expected: [String: [String: Double]] = [
            "2024-06-01": ["water": 4.0, "cropland": 5.0, "tea/forest": 11.0],
            "2024-07-01": ["water": 12.5, "cropland": 1.5, "tea/forest": 6.0],
        ]
        // CSV
        let csv = try String(contentsOf: dir.appendingPathComponent("areas.csv"), encoding: .utf8)
        var fromCSV: [String: [String: Double]] = [:]
        for line in csv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(f[0], "Longmen")
            fromCSV[f[1], default: [:]][f[3]] = Double(f[4])
        }
        XCTAssertEqual(fromCSV, expected)
        // JSON
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("report.json"))) as! [String: Any]
        let areas = (json["summary"] as! [String: Any])["areas"] as! [[String: Any]]
        var fromJSON: [String: [String: Double]] = [:]
        for a in areas { fromJSON[a["date"] as! String, default: [:]][a["name"] as! String] = a["hectares"] as? Double }
        XCTAssertEqual(fromJSON.mapValues { $0.mapValues { ($0 * 100).rounded() / 100 } }, expected)
        // HTML and Markdown show the same figures in their tables.
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        let md = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        for (_, rows) in expected {
            for (name, ha) in rows {
                let text = ReportNumber.ha(ha)
                XCTAssertTrue(html.contains("\(name)</td><td class=\"num\">\(text)</td>"), "HTML lacks \(name) = \(text)")
                XCTAssertTrue(md.contains("| \(name) | \(text) |"), "Markdown lacks \(name) = \(text)")
            }
        }
        // Disasters: 850 px = 8.50 ha in CSV, JSON and HTML.
        let dcsv = try String(contentsOf: dir.appendingPathComponent("disasters.csv"), encoding: .utf8)
        XCTAssertTrue(dcsv.contains("Longmen flood,flood,Longmen,2024-06-01,2024-07-01,new water,8.50,warning,"), dcsv)
        let dj = (json["summary"] as! [String: Any])["disasterAreas"] as! [[String: Any]]
        XCTAssertEqual(dj.first { $0["severity"] as? String == "new water" }?["hectares"] as? Double, 8.5)
        XCTAssertTrue(html.contains("new water</td><td class=\"num\">8.50</td>"))
        XCTAssertTrue(html.contains("12.50 ha affected"), "alert total = 850 + 400 px")
        // Change: cropland -> water 450 px = 4.50 ha.
        let ccsv = try String(contentsOf: dir.appendingPathComponent("changes.csv"), encoding: .utf8)
        XCTAssertTrue(ccsv.contains("Longmen,2024-06-01,2024-07-01,cropland,water,4.50"))
        // Failures keep the odd file name intact (CSV quoting).
        let fcsv = try String(contentsOf: dir.appendingPathComponent("failures.csv"), encoding: .utf8)
        XCTAssertTrue(fcsv.contains("\"SampleTiles/bad, \"\"odd\"\".tif\",ingest,corrupt,truncated strip"))
        // NDVI series: date 1 merges 3 + 2 values, mean 0.32.
        let series = (json["summary"] as! [String: Any])["ndviSeries"] as! [[String: Any]]
        XCTAssertEqual(series.first?["mean"] as? Double ?? 0, 1.6 / 5, accuracy: 1e-12)
        XCTAssertEqual(series.first?["pixels"] as? Int, 5)
    }

    /// Two places on one date are two tables: no row of areas.csv, report.json or report.html adds them; the NDVI
    /// series draws one line per place; an alert names its place, its centroid and how its hectares relate to
    /// affected.geojson.
    func testFiguresAreGroupedByPlaceAndDate() throws {
        let dir = try TestData.temporaryDirectory("report-places")
        defer { try? FileManager.default.removeItem(at: dir) }
        var report = Self.sampleReport()
        // A tile of another place on the same first date (300 px water) and on the second date.
        report.tiles.append(TileEntry(id: "u-a", status: .done, result: Self.result(date: "2024-06-01", pixels: [1: 300], ndvi: [0.9]), place: "Xiping"))
        report.tiles.append(TileEntry(id: "u-b", status: .done, result: Self.result(date: "2024-07-01", pixels: [5: 100], ndvi: [0.7]), place: "Xiping"))
        report.places.append(PlaceInfo(name: "Xiping", kind: .input, groups: ["u"], bbox: [117.9, 24.9, 118.0, 25.0]))
        try ReportWriter.writeAll(report, to: dir.path)

        let csv = try String(contentsOf: dir.appendingPathComponent("areas.csv"), encoding: .utf8)
        var rows: [String: Double] = [:]
        for line in csv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            rows["\(f[0]) \(f[1]) \(f[3])"] = Double(f[4])
        }
        XCTAssertEqual(rows["Longmen 2024-06-01 water"], 4.0, "Longmen alone: t-a + t-b")
        XCTAssertEqual(rows["Xiping 2024-06-01 water"], 3.0, "Xiping alone")
        XCTAssertFalse(rows.values.contains(7.0), "no row sums the two places (4 + 3 ha)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("report.json"))) as! [String: Any]
        let summary = json["summary"] as! [String: Any]
        let areas = summary["areas"] as! [[String: Any]]
        XCTAssertEqual(Set(areas.compactMap { $0["place"] as? String }), ["Longmen", "Xiping"])
        let water = areas.filter { $0["date"] as? String == "2024-06-01" && $0["name"] as? String == "water" }
        XCTAssertEqual(water.map { $0["hectares"] as? Double ?? -1 }.sorted(), [3.0, 4.0])
        let series = summary["ndviSeries"] as! [[String: Any]]
        XCTAssertEqual(series.filter { $0["place"] as? String == "Xiping" }.map { $0["mean"] as? Double ?? -1 }, [0.9, 0.7])
        XCTAssertEqual(series.first { $0["place"] as? String == "Longmen" }?["mean"] as? Double ?? 0, 1.6 / 5, accuracy: 1e-12)
        // Alerts name the place and give the centroid; the detail carries the place's box.
        let alerts = summary["alerts"] as! [String]
        XCTAssertTrue(alerts[0].contains("at Longmen"), alerts[0])
        XCTAssertTrue(alerts[0].contains("25.10000, 118.20000"), alerts[0])
        let detail = (summary["alertDetails"] as! [[String: Any]])[0]
        XCTAssertEqual(detail["bbox"] as? [Double], [118.1, 25.0, 118.3, 25.2])
        XCTAssertEqual(detail["polygonHectares"] as? Double, 12.5)
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<h3>Xiping · 2024-06-01</h3>") && html.contains("<h3>Longmen · 2024-06-01</h3>"))
        XCTAssertTrue(html.contains("at <b>Longmen</b>"))
        XCTAssertTrue(html.contains("equals the 3 polygon(s) of affected.geojson"), "alert hectares = GeoJSON total")
        XCTAssertTrue(html.contains("117.90000, 24.90000, 118.00000, 25.00000"), "the place's bounding box")
        XCTAssertEqual(html.components(separatedBy: "aria-label=\"Mean NDVI per date at").count - 1, 2, "one NDVI line per place")
        let md = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("### Xiping · 2024-06-01"))
        // A difference between the alert and the polygons is stated.
        report.disasters[0].polygonHectares = 11.0
        XCTAssertTrue(report.disasters[0].polygonNote.contains("1.50 ha of affected pixels are in no polygon"), report.disasters[0].polygonNote)
    }

    /// regions.csv: one row per region and date with class hectares, index means, affected hectares and the box; its
    /// figures are report.json's.
    func testRegionsCSVHoldsTheFiguresOfReportJSON() throws {
        let dir = try TestData.temporaryDirectory("report-regions")
        defer { try? FileManager.default.removeItem(at: dir) }
        var report = Self.sampleReport()
        report.regions = [RegionEntry(name: "Longmen · 2024-06-01", classHectares: ["1": 2.5, "5": 1.25], indexMeans: ["ndvi": 0.3],
                                      region: "Longmen", date: "2024-06-01"),
                          RegionEntry(name: "Longmen · 2024-07-01", classHectares: ["1": 6.0, "5": 0.5], indexMeans: ["ndvi": 0.1],
                                      region: "Longmen", date: "2024-07-01", affectedHectares: ["flood": 3.75])]
        report.places = [PlaceInfo(name: "Longmen", kind: .region, bbox: [118.1, 25.0, 118.3, 25.2])]
        try ReportWriter.writeAll(report, to: dir.path)
        let csv = try String(contentsOf: dir.appendingPathComponent("regions.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(lines[0], ["region", "date", "ha_water", "ha_cropland", "ha_tea/forest", "mean_ndvi", "affected_ha_flood", "west", "south", "east", "north"])
        XCTAssertEqual(lines.count, 3)
        XCTAssertEqual(lines[2], ["Longmen", "2024-07-01", "6.00", "0.00", "0.50", "0.1000", "3.75", "118.100000", "25.000000", "118.300000", "25.200000"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("report.json"))) as! [String: Any]
        let rows = (json["summary"] as! [String: Any])["regionRows"] as! [[String: Any]]
        XCTAssertEqual(rows.count, 2)
        // Column sums of the CSV equal the sums of report.json's rows.
        let jsonWater = rows.reduce(0.0) { $0 + (($1["classHectares"] as? [String: Double])?["1"] ?? 0) }
        XCTAssertEqual(lines.dropFirst().reduce(0.0) { $0 + Double($1[2])! }, jsonWater, accuracy: 0.005)
        let jsonFlood = rows.reduce(0.0) { $0 + (($1["affectedHectares"] as? [String: Double])?["flood"] ?? 0) }
        XCTAssertEqual(lines.dropFirst().reduce(0.0) { $0 + (Double($1[6]) ?? 0) }, jsonFlood, accuracy: 0.005)
    }

    func testReportIsIndependentOfTileOrderAndShardSplit() throws {
        // Tile results merged in any grouping give the figures of one pass (what merging shards relies on).
        let values = (0..<1000).map { Double(($0 * 7919) % 997) / 997 }
        let plane: [Float] = values.map { Float($0) }
        let whole = plane.withUnsafeBufferPointer { BandStatistics.Accumulator(samples: $0, nodata: nil) }
        let ranges: [Range<Int>] = [0..<300, 300..<750, 750..<1000]
        var parts: [TileResult] = []
        for range in ranges {
            var r = TileResult(width: range.count, height: 1, geo: nil)
            let part: [Float] = Array(plane[range])
            r.indices["ndvi"] = part.withUnsafeBufferPointer { BandStatistics.Accumulator(samples: $0, nodata: nil) }
            parts.append(r)
        }
        parts.reverse()
        let merged = try XCTUnwrap(TileResult.merged(parts)?.indices["ndvi"])
        XCTAssertEqual(merged.count, whole.count)
        XCTAssertEqual(merged.mean, whole.mean, accuracy: 1e-12)
        XCTAssertEqual(merged.m2, whole.m2, accuracy: 1e-9 * whole.m2)
        XCTAssertEqual(merged.minimum, whole.minimum)
        XCTAssertEqual(merged.maximum, whole.maximum)
        // Tiles given in another order render to identical bytes.
        let r1 = Self.sampleReport()
        var r2 = r1
        r2 = RunReport(run: r1.run, classes: r1.classes, tiles: r1.tiles.reversed(), failures: r1.failures, changes: r1.changes,
                       disasters: r1.disasters, regions: r1.regions, accuracy: r1.accuracy, links: r1.links, places: r1.places)
        XCTAssertEqual(try ReportJSON.render(r1), try ReportJSON.render(r2))
        XCTAssertEqual(ReportCSV.areas(r1), ReportCSV.areas(r2))
    }

    /// Every format counts tiles the same way: done, unchanged (skipped) and failed, a failure listed once.
    func testStatusCountsAgreeAcrossFormats() throws {
        let dir = try TestData.temporaryDirectory("report-counts")
        defer { try? FileManager.default.removeItem(at: dir) }
        var report = Self.sampleReport()
        report.tiles.append(TileEntry(id: "t-d", status: .failed))
        report.failures = [FailureEntry(tile: "t-d", path: "SampleTiles/t-d.tif", stage: "ingest", cause: "truncated strip", kind: .corrupt)]
        try ReportWriter.writeAll(report, to: dir.path)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("report.json"))) as! [String: Any]
        let summary = json["summary"] as! [String: Any]
        XCTAssertEqual(summary["tilesDone"] as? Int, 2)
        XCTAssertEqual(summary["tilesSkipped"] as? Int, 1)
        XCTAssertEqual(summary["tilesFailed"] as? Int, 1, "a failed tile is counted once")
        let md = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("Tiles: 2 done, 1 unchanged, 1 failed."), md)
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<b>1</b>failed"), "report.html says 1 failed")
        XCTAssertTrue(html.contains("<b>1</b>unchanged (resumed)"))
        let csv = try String(contentsOf: dir.appendingPathComponent("failures.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count - 1, 1)
    }

    /// report.html is rendered from the template cut into parts (to keep swift-mustache's parse short): the parts
    /// are the template, and rendered one after another they give exactly the text of the whole template, for a
    /// report with every section and for one with none (sections left out, standalone tag lines dropped).
    func testTemplatePartsRenderAsTheWholeTemplate() throws {
        let parts = ReportHTML.parts(ReportTemplate.html)
        XCTAssertGreaterThan(parts.count, 5, "the template is cut")
        XCTAssertEqual(parts.joined(), ReportTemplate.html)
        let whole = try MustacheTemplate(string: ReportTemplate.html)
        let empty = RunReport(run: RunInfo(id: "run-0", toolVersion: "0.1.0", pipeline: "p.yaml", pipelineHash: "0", started: "s", finished: "f", inputs: []),
                              classes: [], tiles: [], failures: [], changes: [], disasters: [], regions: [], accuracy: [], links: [:], places: [])
        for report in [Self.sampleReport(), empty] {
            let vm = ReportHTML.viewModel(report, runDirectory: "/nonexistent")
            let page = try ReportHTML.page(report, runDirectory: "/nonexistent")
            XCTAssertEqual(page.pictures.count, 0)
            XCTAssertEqual(page.texts.joined(), whole.render(vm), report.run.id)
        }
        // Cut anywhere a section is open, the parts would not parse: the cut points are where none is.
        XCTAssertThrowsError(try MustacheTemplate(string: "{{#a}}\nx\n"))
    }

    /// The formats are written side by side: one that cannot be written is the error (naming its file), the others
    /// are still written, whole.
    func testAFormatThatCannotBeWrittenIsTheErrorAndTheOthersAreWritten() throws {
        let dir = try TestData.temporaryDirectory("report-blocked")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A folder where report.md should go: its atomic rename cannot replace it.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("report.md/inside"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try ReportWriter.writeAll(Self.sampleReport(), to: dir.path)) { error in
            guard case ReportError.write(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("/report.md"), path)
        }
        for name in ReportWriter.fileNames where name != "report.md" {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            XCTAssertFalse(text.isEmpty, name)
        }
        XCTAssertTrue(try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8).hasSuffix("</html>"), "report.html whole")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !ReportWriter.fileNames.contains($0) }
        XCTAssertEqual(leftovers, [], "no temporary left behind")
    }

    func testHTMLIsSelfContainedWithEmbeddedQuicklook() throws {
        let dir = try TestData.temporaryDirectory("report-html")
        defer { try? FileManager.default.removeItem(at: dir) }
        let png = PNGImage.Image(width: 4, height: 4, channels: 3, pixels: [UInt8](repeating: 200, count: 48))
        try PNGImage.write(png, to: dir.appendingPathComponent("ql.png").path)
        try ReportWriter.writeAll(Self.sampleReport(quicklook: "ql.png"), to: dir.path)
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertFalse(html.contains("<script"), "no scripts")
        XCTAssertFalse(html.range(of: #"(src|href)\s*=\s*"https?:"#, options: .regularExpression) != nil, "no network URLs")
        XCTAssertFalse(html.contains("@import") || html.contains("url(http"), "no external CSS")
        XCTAssertTrue(html.contains("src=\"data:image/png;base64,"), "quicklooks embedded")
        // Inserted unescaped: the data URI in the page is the file's base64, character for character.
        let encoded = try Data(contentsOf: dir.appendingPathComponent("ql.png")).base64EncodedString()
        XCTAssertTrue(html.contains("src=\"data:image/png;base64,\(encoded)\""), "the embedded quicklook is the PNG's exact base64")
        // The pictures are encoded straight into the file: the page is the whole template's text with data URIs.
        let whole = try MustacheTemplate(string: ReportTemplate.html)
        XCTAssertEqual(html, whole.render(ReportHTML.viewModel(Self.sampleReport(quicklook: "ql.png"), runDirectory: dir.path)))
        XCTAssertEqual(try ReportHTML.page(Self.sampleReport(quicklook: "ql.png"), runDirectory: dir.path).pictures.count, 2,
                       "the tile's thumbnail and the flood's map")
        for id in ["summary", "alerts", "land-use", "change", "disasters", "ndvi-series", "regions", "accuracy", "failures", "provenance"] {
            XCTAssertTrue(html.contains("id=\"\(id)\""), "section \(id)")
        }
        // Alerts come before the land-use section.
        XCTAssertLessThan(html.range(of: "id=\"alerts\"")!.lowerBound, html.range(of: "id=\"land-use\"")!.lowerBound)
        XCTAssertTrue(html.contains("WARNING"))
        XCTAssertTrue(html.contains("<h1>Longmen township flood watch</h1>"), "report.title is the heading")
    }

    func testChromiumRendersReportWithoutConsoleErrorsOrNetwork() throws {
        guard let chromium = ["chromium", "chromium-browser", "google-chrome"].first(where: TestData.hasTool) else {
            throw Skip.because("chromium not installed (apt-get install chromium)")
        }
        let dir = try TestData.temporaryDirectory("report-chromium")
        defer { try? FileManager.default.removeItem(at: dir) }
        let png = PNGImage.Image(width: 8, height: 8, channels: 3, pixels: [UInt8](repeating: 90, count: 192))
        try PNGImage.write(png, to: dir.appendingPathComponent("ql.png").path)
        // The tile thumbnail is the only grey-90 picture on the page (the disaster has none), so its rendered width can
        // be measured on the screenshot.
        var report = Self.sampleReport(quicklook: "ql.png")
        report.disasters[0].quicklook = nil
        try ReportWriter.writeAll(report, to: dir.path)
        let page = "file://" + dir.appendingPathComponent("report.html").path
        let shot = dir.appendingPathComponent("shot.png").path
        // No name resolves, so nothing leaves the machine whatever the browser itself tries.
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                      "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-background-networking", "--disable-component-update",
                      "--disable-sync", "--disable-default-apps", "--enable-logging=stderr", "--v=0"]
        /// Renders `url`, returning the run and the URLs the page itself requested (Blink's resource loader
        /// requests, traffic annotation 101845102; the browser's own background fetches are not the page's).
        func render(_ url: String, screenshot: String, tag: String) throws -> (run: (status: Int32, out: String, err: String), pageRequests: [String]) {
            let netlog = dir.appendingPathComponent("netlog-\(tag).json").path
            let run = try TestData.run(chromium, common + ["--user-data-dir=" + dir.appendingPathComponent("profile-\(tag)").path,
                                                           "--log-net-log=" + netlog, "--window-size=1000,4000",
                                                           "--screenshot=" + screenshot, url])
            let log = (try? String(contentsOfFile: netlog, encoding: .utf8)) ?? ""
            let requests = log.matches(of: /"traffic_annotation":101845102,"url":"([^"]+)"/).map { String($0.1) }
            return (run, requests)
        }
        // Negative control: a page with one external image is caught by the same detector.
        let control = dir.appendingPathComponent("control.html")
        try #"<html><body><img src="https://example.invalid/x.png"></body></html>"#.write(to: control, atomically: true, encoding: .utf8)
        let controlRun = try render("file://" + control.path, screenshot: dir.appendingPathComponent("control.png").path, tag: "control")
        XCTAssertTrue(controlRun.pageRequests.contains("https://example.invalid/x.png"), "the network detector works")

        let (shotRun, requests) = try render(page, screenshot: shot, tag: "report")
        XCTAssertEqual(shotRun.status, 0, shotRun.err)
        let image = try PNGImage.read(path: shot)
        XCTAssertEqual(image.width, 1000)
        XCTAssertGreaterThan(Set(image.pixels8).count, 10, "the screenshot is not blank")
        // Thumbnails are large enough to read: the widest run of the thumbnail's grey is at least 512 px.
        var widest = 0
        for y in 0..<image.height {
            var run = 0
            for x in 0..<image.width {
                let i = (y * image.width + x) * image.channels
                if image.pixels8[i] == 90 && image.pixels8[i + 1] == 90 && image.pixels8[i + 2] == 90 { run += 1; widest = max(widest, run) } else { run = 0 }
            }
        }
        XCTAssertGreaterThanOrEqual(widest, 512, "thumbnail rendered \(widest) px wide")
        let console = shotRun.err.split(separator: "\n").filter { $0.contains("CONSOLE") }
        XCTAssertTrue(console.isEmpty, "console messages: \(console)")
        XCTAssertTrue(requests.allSatisfy { $0.hasPrefix("file:") || $0.hasPrefix("data:") },
                      "the page made network requests: \(requests)")
        let dom = try TestData.run(chromium, common + ["--user-data-dir=" + dir.appendingPathComponent("profile-dom").path, "--dump-dom", page])
        XCTAssertEqual(dom.status, 0)
        // The live-map link (`/` when served by tilepipe serve) is a relative link, so file:// keeps working.
        XCTAssertTrue(dom.out.contains("<a class=\"livemap\" href=\"./\""), "no live-map link")
        for section in ["Longmen township flood watch", "Alerts", "Places", "Longmen · 2024-06-01", "Land use", "Change between dates", "Disaster monitoring", "NDVI over time", "Failures", "Provenance"] {
            XCTAssertTrue(dom.out.contains(section), "rendered page lacks \(section)")
        }
    }
}
