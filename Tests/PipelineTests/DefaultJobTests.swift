import Foundation
import Analysis
import Pipeline
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// The default job of the repository's pipeline.yaml on SampleTiles/, checked against external oracles (GDAL's COG
/// validator, gdalinfo, pngcheck, PROJ) and against the simulator's ground truth.
final class DefaultJobTests: XCTestCase {
    override class func tearDown() { SampleTilesRun.removeShared() }

    func testRunSucceedsWithOneWarningLinePerSensor() throws {
        let run = try SampleTilesRun.shared()
        XCTAssertEqual(run.summary.exitCode, 0, run.summary.text)
        XCTAssertEqual(run.summary.done, 16)
        // Tieguanyin-1 lacks SWIR: one line for its 8 tiles, naming the indices and the missing bands.
        XCTAssertEqual(run.summary.warnings.count, 1, "\(run.summary.warnings)")
        let w = run.summary.warnings.first ?? ""
        for part in ["mndwi, ndbi, nbr", "swir16, swir22", "8 tiles", "Anxi Tieguanyin-1"] { XCTAssertTrue(w.contains(part), w) }
        for f in ["report.html", "report.json", "report.md", "areas.csv", "changes.csv", "disasters.csv", "failures.csv",
                  "affected.geojson", "stac/collection.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: run.directory.appendingPathComponent(f).path), f)
        }
    }

    func testEveryTifIsAValidCOGThatGdalinfoDescribes() throws {
        let run = try SampleTilesRun.shared()
        guard let v = SampleTilesRun.cogValidator else { throw Skip.because("GDAL python utilities (python3-gdal) absent") }
        guard TestData.hasTool("gdalinfo") else { throw Skip.because("gdalinfo (gdal-bin) absent") }
        let tifs = SampleTilesRun.files(run.directory, ext: "tif")
        // 16 tiles × (indices the sensor has + land use + the quality mask the monitor jobs read) + 8 pair maps.
        XCTAssertEqual(tifs.count, 8 * 4 + 8 * 7 + 8, "\(tifs)")
        for rel in tifs {
            let path = run.directory.appendingPathComponent(rel).path
            let r = try TestData.run(v.python, v.args + [path])
            XCTAssertTrue(r.status == 0 && r.out.contains("is a valid cloud optimized GeoTIFF"), "\(rel): \(r.out)\(r.err)")
            let info = try TestData.run("gdalinfo", ["-json", "-stats", path])
            XCTAssertEqual(info.status, 0, info.err)
            let json = try JSONSerialization.jsonObject(with: Data(info.out.utf8)) as? [String: Any] ?? [:]
            let band = (json["bands"] as? [[String: Any]])?.first ?? [:]
            XCTAssertNotNil(band["noDataValue"], "\(rel): no nodata")
            XCTAssertFalse((band["description"] as? String ?? "").isEmpty, "\(rel): no band description")
            let md = (band["metadata"] as? [String: Any])?[""] as? [String: String] ?? [:]
            XCTAssertNotNil(md["STATISTICS_MEAN"], "\(rel): no statistics")
            XCTAssertNotNil(md["STATISTICS_VALID_PERCENT"], "\(rel): no valid percent")
            if rel.hasSuffix("_landuse.tif") || rel.hasSuffix("_quality.tif") || rel.hasPrefix("pairs/") {
                XCTAssertEqual(band["type"] as? String, "Byte", rel)
                XCTAssertNotNil(band["colorTable"], "\(rel): class map without colour table")
            } else {
                XCTAssertEqual(band["type"] as? String, "Float32", rel)
            }
        }
    }

    /// SampleTiles are 256 px (no overview at 512-px blocks), so this run uses 64-px blocks: two overview levels.
    func testClassMapOverviewsHoldOnlyValidClassCodes() throws {
        guard FileManager.default.fileExists(atPath: TestData.packageRoot.appendingPathComponent("SampleTiles/fire").path) else {
            throw Skip.because("SampleTiles/ absent")
        }
        guard let py = SampleTilesRun.gdalPython else { throw Skip.because("GDAL python bindings (python3-gdal) absent") }
        let dir = try TestData.temporaryDirectory("pipeline-overviews")
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = try SampleTilesRun.config(output: dir, overrides: ["outputs.cog.tile_size=64"])
        c.inputs[0].path = TestData.packageRoot.appendingPathComponent("SampleTiles/fire").path
        let s = try PipelineRunner.run(config: c, options: RunOptions(jobs: 2, toolVersion: "test"), logger: PipelineRunner.silentLogger)
        XCTAssertEqual(s.exitCode, 0, s.text)
        let maps = SampleTilesRun.files(dir, ext: "tif").filter { $0.hasSuffix("_landuse.tif") || $0.hasPrefix("pairs/burn/") }
        XCTAssertEqual(maps.count, 12)
        let script = """
            import sys
            from osgeo import gdal
            ds = gdal.Open(sys.argv[1]); b = ds.GetRasterBand(1)
            print(b.GetOverviewCount())
            for i in range(b.GetOverviewCount()):
                o = b.GetOverview(i); print(o.XSize, ' '.join(str(v) for v in sorted(set(o.ReadRaster()))))
            """
        for rel in maps {
            let valid: Set<Int> = rel.hasPrefix("pairs/") ? Set(0...7) : Set(0...8)
            let r = try TestData.run(py, ["-c", script, dir.appendingPathComponent(rel).path])
            XCTAssertEqual(r.status, 0, r.err)
            let lines = r.out.split(separator: "\n")
            XCTAssertEqual(lines.first, "2", "\(rel): overview levels \(r.out)")
            for line in lines.dropFirst() {
                let codes = line.split(separator: " ").dropFirst().compactMap { Int($0) }
                XCTAssertFalse(codes.isEmpty)
                XCTAssertTrue(Set(codes).isSubset(of: valid), "\(rel): overview holds \(codes)")
            }
        }
    }

    func testEveryPNGPassesPngcheckAndHasAWorldFile() throws {
        let run = try SampleTilesRun.shared()
        guard TestData.hasTool("pngcheck") else { throw Skip.because("pngcheck absent") }
        let pngs = SampleTilesRun.files(run.directory, ext: "png")
        XCTAssertEqual(pngs.count, 16 * 2 + 8 + 2)   // NDVI and land use per tile, one per pair job map, one mosaic per event (events/)
        for rel in pngs {
            let r = try TestData.run("pngcheck", [run.directory.appendingPathComponent(rel).path])
            XCTAssertEqual(r.status, 0, "\(rel): \(r.out)\(r.err)")
            let pgw = run.directory.appendingPathComponent((rel as NSString).deletingPathExtension + ".pgw").path
            XCTAssertTrue(FileManager.default.fileExists(atPath: pgw), rel)
        }
    }

    func testStacItemsAreStructurallyValidAndContainTheirFootprint() throws {
        let run = try SampleTilesRun.shared()
        let catalog = try RunCatalog(directory: run.directory.path)
        var itemHrefs: [String] = []
        for row in try catalog.allTiles() {
            let res = try XCTUnwrap(row.result)
            let rel = try XCTUnwrap(res.products.stacItem)
            let data = try Data(contentsOf: run.directory.appendingPathComponent(rel))
            let item = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            XCTAssertEqual(item["type"] as? String, "Feature")
            XCTAssertEqual(item["stac_version"] as? String, "1.1.0")
            XCTAssertFalse((item["stac_extensions"] as? [String] ?? []).isEmpty)
            XCTAssertEqual(item["id"] as? String, row.id)
            XCTAssertNotNil(item["geometry"] as? [String: Any])
            XCTAssertNotNil((item["properties"] as? [String: Any])?["datetime"] as? String)
            XCTAssertNotNil(item["links"] as? [[String: Any]])
            let assets = try XCTUnwrap(item["assets"] as? [String: [String: Any]])
            // Every asset href resolves to a file next to the item.
            for (_, a) in assets {
                let href = try XCTUnwrap(a["href"] as? String)
                let file = run.directory.appendingPathComponent((rel as NSString).deletingLastPathComponent).appendingPathComponent(href).path
                XCTAssertTrue(FileManager.default.fileExists(atPath: file), href)
            }
            XCTAssertNotNil(assets["landuse"]); XCTAssertNotNil(assets["ndvi"])
            // bbox contains the tile's corners, transformed with PROJ from the class map's grid.
            let bbox = try XCTUnwrap(item["bbox"] as? [Double])
            XCTAssertEqual(bbox.count, 4)
            let d = try GeoTIFFReader(path: run.directory.appendingPathComponent(try XCTUnwrap(res.products.classMap)).path).description
            let geo = try XCTUnwrap(d.geo)
            let proj = try CRSTransform.toWGS84(from: try XCTUnwrap(geo.crs?.projDefinition))
            for (col, rowN) in [(0.0, 0.0), (Double(d.width), 0), (0, Double(d.height)), (Double(d.width), Double(d.height)),
                                (Double(d.width) / 2, 0), (0, Double(d.height) / 2)] {
                let (x, y) = geo.transform.apply(column: col, row: rowN)
                let (lon, lat) = try proj.transform(x: x, y: y)
                XCTAssertTrue(lon >= bbox[0] - 1e-7 && lon <= bbox[2] + 1e-7 && lat >= bbox[1] - 1e-7 && lat <= bbox[3] + 1e-7,
                              "\(row.id): (\(lon), \(lat)) outside \(bbox)")
            }
            itemHrefs.append("../" + rel)
        }
        // The collection links every tile item by a relative href (and the disaster maps' items, under ../pairs/).
        let data = try Data(contentsOf: run.directory.appendingPathComponent("stac/collection.json"))
        let collection = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(collection["type"] as? String, "Collection")
        XCTAssertEqual(collection["id"] as? String, "anxi-sampletiles")
        let links = (collection["links"] as? [[String: Any]] ?? []).filter { $0["rel"] as? String == "item" }.compactMap { $0["href"] as? String }
        XCTAssertEqual(links.filter { !$0.hasPrefix("../pairs/") }.sorted(), itemHrefs.sorted())
    }

    func testAccuracyAndEventIoUMeetTheTargets() throws {
        let run = try SampleTilesRun.shared()
        let catalog = try RunCatalog(directory: run.directory.path)
        var total: ConfusionMatrix?
        for row in try catalog.allTiles() {
            let acc = try XCTUnwrap(row.result?.accuracy, "\(row.id): no accuracy although truth-landcover.tif exists")
            XCTAssertGreaterThanOrEqual(acc.overallAccuracy ?? 0, 0.90, row.id)
            if total == nil { total = acc } else { try total!.merge(acc) }
        }
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(total?.overallAccuracy), 0.90)
        XCTAssertGreaterThan(try XCTUnwrap(total?.kappa), 0.85)
        let pairs = try catalog.allPairs()
        for job in ["flood", "burn"] {
            let g = pairs.filter { $0.job == job }
            XCTAssertEqual(g.count, 4, job)
            XCTAssertTrue(g.allSatisfy { $0.failure == nil }, "\(g.compactMap(\.failure))")
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(RunProducts.iou(g)), 0.85, job)
        }
        XCTAssertEqual(pairs.filter { $0.job == "change" }.count, 8)
        // The report carries the run's own figure.
        let report = try SampleTilesRun.reportJSON(run.directory)["report"] as? [String: Any] ?? [:]
        let all = (report["accuracy"] as? [[String: Any]] ?? []).first { $0["tile"] as? String == "all tiles" }
        XCTAssertEqual(try XCTUnwrap(all?["overall"] as? Double), try XCTUnwrap(total?.overallAccuracy), accuracy: 1e-12)
    }

    func testReportNumbersAgreeWithPixelCountsOfTheWrittenMaps() throws {
        let run = try SampleTilesRun.shared()
        let doc = try SampleTilesRun.reportJSON(run.directory)
        let report = doc["report"] as? [String: Any] ?? [:]
        let tiles = report["tiles"] as? [[String: Any]] ?? []
        XCTAssertEqual(tiles.count, 16)
        // Hectares per date and class from the class maps read back.
        var haByDateClass: [String: Double] = [:]
        for t in tiles {
            let result = try XCTUnwrap(t["result"] as? [String: Any], "report.json tile entries carry the tile's result")
            let id = try XCTUnwrap(t["id"] as? String), date = try XCTUnwrap(result["date"] as? String)
            let area = try XCTUnwrap(result["pixelAreaM2"] as? Double)
            let counts = try SampleTilesRun.classCounts(run.directory.appendingPathComponent("tiles/\(id)/\(id)_landuse.tif").path)
            let reported = ((result["classes"] as? [String: Any])?["pixels"] as? [String: Int] ?? [:])
            XCTAssertEqual(reported, Dictionary(uniqueKeysWithValues: counts.map { (String($0.key), $0.value) }), id)
            for (c, n) in counts { haByDateClass["\(date) \(c)", default: 0] += Double(n) * area / 10_000 }
        }
        let summary = doc["summary"] as? [String: Any] ?? [:]
        let areas = try XCTUnwrap(summary["areas"] as? [[String: Any]] ?? summary["areasByDate"] as? [[String: Any]], "\(summary.keys)")
        XCTAssertFalse(areas.isEmpty)
        for a in areas {
            let key = "\(a["date"] as? String ?? "") \(a["code"] as? Int ?? -1)"
            XCTAssertEqual(a["hectares"] as? Double ?? -1, haByDateClass[key] ?? 0, accuracy: 1e-6, key)
        }
        // areas.csv carries the same hectares (2 decimals).
        let csv = try String(contentsOf: run.directory.appendingPathComponent("areas.csv"), encoding: .utf8)
        let html = try String(contentsOf: run.directory.appendingPathComponent("report.html"), encoding: .utf8)
        for a in areas where (a["hectares"] as? Double ?? 0) > 0 {
            let text = String(format: "%.2f", a["hectares"] as? Double ?? 0)
            XCTAssertTrue(csv.contains(text), "areas.csv lacks \(text)")
            XCTAssertTrue(html.contains(text), "report.html lacks \(text)")
        }
        // Disaster hectares per severity = pixels of the pair maps read back.
        let disasters = report["disasters"] as? [[String: Any]] ?? []
        XCTAssertEqual(disasters.map { $0["kind"] as? String ?? "" }.sorted(), ["burn", "flood"])
        let names: [String: [String]] = ["flood": ["flooded"],
                                         "burn": ["low severity", "moderate-low severity", "moderate-high severity", "high severity"]]
        let codes: [String: [Int]] = ["flood": [3], "burn": [4, 5, 6, 7]]
        let disastersCSV = try String(contentsOf: run.directory.appendingPathComponent("disasters.csv"), encoding: .utf8)
        for d in disasters {
            let kind = d["kind"] as? String ?? ""
            var pixels: [Int: Int] = [:]
            for rel in SampleTilesRun.files(run.directory.appendingPathComponent("pairs/\(kind)"), ext: "tif") {
                for (c, n) in try SampleTilesRun.classCounts(run.directory.appendingPathComponent("pairs/\(kind)/\(rel)").path) {
                    pixels[c, default: 0] += n
                }
            }
            let sev = d["severities"] as? [[String: Any]] ?? []
            XCTAssertEqual(sev.map { $0["name"] as? String ?? "" }, names[kind])
            for (s, code) in zip(sev, codes[kind]!) {
                XCTAssertEqual(s["pixels"] as? Int, pixels[code] ?? 0, "\(kind) \(code)")
                let ha = Double(pixels[code] ?? 0) * (d["pixelAreaM2"] as? Double ?? 0) / 10_000
                let text = String(format: "%.2f", ha)
                XCTAssertTrue(disastersCSV.contains(text), "disasters.csv lacks \(text)")
                XCTAssertTrue(html.contains(text), "report.html lacks \(text)")
            }
            XCTAssertEqual(d["alert"] as? String, "emergency")
            XCTAssertGreaterThanOrEqual(d["iou"] as? Double ?? 0, 0.85, kind)
        }
        // affected.geojson: one feature collection whose flood areas add up to the flooded pixel area within 1 %.
        let gj = try JSONSerialization.jsonObject(with: Data(contentsOf: run.directory.appendingPathComponent("affected.geojson"))) as? [String: Any] ?? [:]
        let features = gj["features"] as? [[String: Any]] ?? []
        XCTAssertFalse(features.isEmpty)
        let floodHa = features.compactMap { $0["properties"] as? [String: Any] }.filter { $0["job"] as? String == "flood" }
            .reduce(0.0) { $0 + ($1["area_ha"] as? Double ?? 0) }
        let flood = disasters.first { $0["kind"] as? String == "flood" }
        let floodPx = (flood?["severities"] as? [[String: Any]])?.first?["pixels"] as? Int ?? 0
        let floodReported = Double(floodPx) * (flood?["pixelAreaM2"] as? Double ?? 0) / 10_000
        XCTAssertEqual(floodHa, floodReported, accuracy: floodReported * 0.01)
    }

    func testReportCommandRebuildsTheSameReportFromTheCatalog() throws {
        let run = try SampleTilesRun.shared()
        let copy = try TestData.temporaryDirectory("pipeline-report-copy")
        defer { try? FileManager.default.removeItem(at: copy) }
        // Only the catalog, the STAC items and the quicklooks (embedded in HTML): no index or class raster.
        try FileManager.default.copyItem(at: run.directory.appendingPathComponent("catalog.sqlite"), to: copy.appendingPathComponent("catalog.sqlite"))
        for rel in SampleTilesRun.files(run.directory, ext: "json") + SampleTilesRun.files(run.directory, ext: "png") where !rel.hasPrefix("stac/") && rel != "report.json" && rel != "run.json" {
            let dst = copy.appendingPathComponent(rel)
            try FileManager.default.createDirectory(at: dst.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: run.directory.appendingPathComponent(rel), to: dst)
        }
        XCTAssertTrue(SampleTilesRun.files(copy, ext: "tif").isEmpty)
        if let bin = TileFixtures.tilepipeBinary {
            let r = try TestData.run(bin, ["report", copy.path])
            XCTAssertEqual(r.status, 0, r.err)
        } else {
            try RunProducts.write(directory: copy.path)
        }
        for f in ["report.json", "areas.csv", "changes.csv", "disasters.csv", "failures.csv", "report.md", "report.html",
                  "affected.geojson", "stac/collection.json"] {
            XCTAssertEqual(try Data(contentsOf: copy.appendingPathComponent(f)), try Data(contentsOf: run.directory.appendingPathComponent(f)), f)
        }
    }

    func testThreeShardsMergedGiveTheUnshardedReport() throws {
        let run = try SampleTilesRun.shared()
        let root = try TestData.temporaryDirectory("pipeline-sample-shards")
        defer { try? FileManager.default.removeItem(at: root) }
        var shards: [String] = []
        for i in 0..<3 {
            let dir = root.appendingPathComponent("s\(i)")
            let c = try SampleTilesRun.config(output: dir)
            let s = try PipelineRunner.run(config: c, options: RunOptions(jobs: 2, shard: ShardSpec(index: i, count: 3, source: "--shard"),
                                                                           toolVersion: "test"), logger: PipelineRunner.silentLogger)
            XCTAssertEqual(s.exitCode, 0, s.text)
            shards.append(dir.path)
        }
        let merged = root.appendingPathComponent("merged")
        _ = try ShardMerge.merge(shards: shards, output: merged.path, toolVersion: "test")
        XCTAssertEqual(try SampleTilesRun.figures(merged), try SampleTilesRun.figures(run.directory))
        XCTAssertEqual(try Data(contentsOf: merged.appendingPathComponent("affected.geojson")),
                       try Data(contentsOf: run.directory.appendingPathComponent("affected.geojson")))
        XCTAssertEqual(try Data(contentsOf: merged.appendingPathComponent("stac/collection.json")),
                       try Data(contentsOf: run.directory.appendingPathComponent("stac/collection.json")))
        // Every product file is byte-identical.
        for rel in SampleTilesRun.files(run.directory, ext: "tif") + SampleTilesRun.files(run.directory, ext: "png") {
            XCTAssertEqual(try Data(contentsOf: merged.appendingPathComponent(rel)), try Data(contentsOf: run.directory.appendingPathComponent(rel)), rel)
        }
    }
}
