import Foundation
import RasterCore
import Analysis
import RasterIO
public import Products

/// The run-level products, built from the run catalog only (no pixels): the STAC collection
/// (`stac/collection.json`, items linked by relative hrefs), `affected.geojson` (every disaster polygon of the run,
/// merged across tile edges) and the reports (`RunReport` → `ReportWriter.writeAll`). `tilepipe run` calls it at
/// the end, `tilepipe merge` after merging, `tilepipe report RUN_DIR` on its own.
public enum RunProducts {
    /// Catalog `meta` keys written by `run`.
    public enum Key {
        /// Run name.
        public static let name = "name"
        /// Pipeline file.
        public static let pipeline = "pipeline"
        /// Config hash.
        public static let configHash = "config_hash"
        /// Tool version.
        public static let toolVersion = "tool_version"
        /// Input folders, newline-separated.
        public static let inputs = "inputs"
        /// Report title.
        public static let title = "title"
        /// Report formats (`report.formats`), comma-separated; absent: all.
        public static let formats = "report_formats"
        /// STAC collection id and licence.
        public static let collectionId = "collection_id", license = "license"
        /// ISO 8601 start / end of the run.
        public static let started = "started_at", finished = "finished_at"
    }

    /// Writes the collection, affected.geojson and every report into `directory` from its catalog.
    /// Returns the report.
    /// - Throws: `PipelineError.catalog` when the catalog cannot be read, or the writer's error naming the file.
    @discardableResult
    public static func write(directory: String) throws -> RunReport {
        let catalog = try RunCatalog(directory: directory)
        let meta = try catalog.meta()
        let rows = try catalog.allTiles()
        let pairs = try catalog.allPairs()
        var links: [String: String] = [:]

        // STAC collection from the items written by the tiles (read back as JSON).
        var items: [(item: StacItem, href: String)] = []
        for r in rows where r.status == "done" {
            guard let rel = r.results?.stacItem,
                  let data = (try? CatalogPaths.resolve(rel, in: directory)).flatMap(FileManager.default.contents(atPath:)),
                  let item = try? JSONDecoder().decode(StacItem.self, from: data) else { continue }
            items.append((item, "../" + rel))
        }
        if !items.isEmpty {
            let id = meta[Key.collectionId] ?? meta[Key.name] ?? "tilepipe"
            let collection = try StacCollection.make(id: id, title: meta[Key.title] ?? meta[Key.name],
                                                     description: "Products of tilepipe run '\(meta[Key.name] ?? id)': index COGs, land-use maps, quicklooks.",
                                                     license: meta[Key.license] ?? "proprietary", items: items)
            let dir = (directory as NSString).appendingPathComponent("stac")
            try OutputTree.createDirectory(atPath: dir)
            try collection.write(to: (dir as NSString).appendingPathComponent("collection.json"))
            links["stac_collection"] = "stac/collection.json"
        }

        // affected.geojson: per job and date pair, the tiles' polygons merged across edges.
        let disasters = pairs.filter { $0.job != "change" && $0.failure == nil }
        var features: [GeoJSONFeature] = []
        var byJob: [String: [PairResult]] = [:]
        for p in disasters { byJob["\(p.job) \(p.before) \(p.after)", default: []].append(p) }
        for k in byJob.keys.sorted() {
            let group = byJob[k]!.filter { $0.geo != nil }.sorted { $0.key < $1.key }
            guard let first = group.first else { continue }
            let names = Dictionary(first.classes.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
            let tiles = group.map { TilePolygons(tileId: $0.afterTile, geo: $0.geo!, width: $0.width, height: $0.height, polygons: $0.polygons) }
            do {
                let merged = try EdgeRegionMerger.merge(tiles)
                features += try GeoJSONWriter(geo: merged.reference).features(merged: merged.polygons, dates: [first.before, first.after],
                                                                                classNames: names, extra: ["job": first.job])
            } catch {
                // Tiles that cannot be merged (different grids) are written tile by tile.
                for p in group {
                    features += (try? GeoJSONWriter(geo: p.geo!).features(p.polygons, tileIds: [p.afterTile], dates: [p.before, p.after],
                                                                           classNames: names, extra: ["job": p.job])) ?? []
                }
            }
        }
        let geojson = (directory as NSString).appendingPathComponent("affected.geojson")
        if !disasters.isEmpty {
            try GeoJSONWriter.write(features, to: geojson)
            links["affected_geojson"] = "affected.geojson"
        } else {
            try? FileManager.default.removeItem(atPath: geojson)   // from an earlier run with monitor jobs
        }

        let report = try build(meta: meta, rows: rows, pairs: pairs, links: links)
        let formats = meta[Key.formats].map { Set($0.split(separator: ",").compactMap { ReportWriter.Format(rawValue: String($0)) }) }
        try ReportWriter.writeAll(report, to: directory, formats: formats ?? Set(ReportWriter.Format.allCases))
        return report
    }

    /// The report from catalog rows and pair results (pure).
    public static func build(meta: [String: String], rows: [TileRecord], pairs: [PairResult], links: [String: String]) throws -> RunReport {
        let info = RunInfo(id: meta[Key.name] ?? "tilepipe run", toolVersion: meta[Key.toolVersion] ?? "",
                           pipeline: meta[Key.pipeline] ?? "", pipelineHash: meta[Key.configHash] ?? "",
                           started: meta[Key.started] ?? "", finished: meta[Key.finished] ?? "",
                           inputs: (meta[Key.inputs] ?? "").split(separator: "\n").map(String.init), title: meta[Key.title])
        var tiles: [TileEntry] = [], failures: [FailureEntry] = [], accuracy: [AccuracyEntry] = []
        for r in rows {
            if r.status == "done", let res = r.results {
                var outs = (res.indexFiles.values.sorted()) + [res.classMap].compactMap { $0 }
                outs.sort()
                tiles.append(TileEntry(id: r.id, status: .done, date: res.date, satellite: res.satellite, pixelAreaM2: res.pixelAreaM2,
                                       classPixels: res.classPixels, indices: res.indices, outputs: outs,
                                       quicklook: res.quicklooks["landuse"] ?? res.quicklooks.values.sorted().first))
                if let a = res.accuracy { accuracy.append(a.entry(tile: r.id)) }
            } else if r.status == "done" {
                tiles.append(TileEntry(id: r.id, status: .done, pixelAreaM2: 0))
            } else {
                tiles.append(TileEntry(id: r.id, status: .failed, pixelAreaM2: 0))
                failures.append(FailureEntry(path: r.path, stage: r.failedStage ?? "", cause: r.cause ?? "", kind: r.kind ?? ""))
            }
        }
        // All tiles together, so a reader sees one figure for the run.
        let withAccuracy = rows.compactMap { $0.status == "done" ? $0.results?.accuracy : nil }
        if var total = withAccuracy.first, withAccuracy.count > 1 {
            for a in withAccuracy.dropFirst() where a.classes == total.classes { total.merge(a) }
            accuracy.append(total.entry(tile: "all tiles"))
        }
        var changes: [ChangeEntry] = []
        var disasters: [DisasterEntry] = []
        // Change matrices: summed over the tiles of one date pair.
        var changeGroups: [String: [PairResult]] = [:]
        for p in pairs where p.job == "change" && p.failure == nil { changeGroups["\(p.before) \(p.after)", default: []].append(p) }
        for k in changeGroups.keys.sorted() {
            let g = changeGroups[k]!.sorted { $0.key < $1.key }
            guard let classes = g.first?.changeClasses, var sum = g.first?.changePixels else { continue }
            for p in g.dropFirst() where p.changeClasses == classes {
                for i in sum.indices { for j in sum[i].indices { sum[i][j] += p.changePixels![i][j] } }
            }
            changes.append(ChangeEntry(fromDate: g[0].before, toDate: g[0].after, tiles: g.flatMap { [$0.beforeTile, $0.afterTile] },
                                       classes: classes, pixels: sum, pixelAreaM2: g[0].pixelAreaM2))
        }
        // Disasters: one entry per job and date pair, severities summed over tiles, alert on the total.
        var jobGroups: [String: [PairResult]] = [:]
        for p in pairs where p.job != "change" {
            if let f = p.failure {
                failures.append(FailureEntry(path: "\(p.beforeTile) + \(p.afterTile)", stage: "pair \(p.job)", cause: f, kind: "config"))
                continue
            }
            jobGroups["\(p.job) \(p.before) \(p.after)", default: []].append(p)
        }
        for k in jobGroups.keys.sorted() {
            let g = jobGroups[k]!.sorted { $0.key < $1.key }
            let first = g[0]
            var severities: [DisasterEntry.Severity] = []
            // Severities are the affected classes only (the report sums them as the affected area).
            for c in first.classes where first.affectedClasses.contains(Int(c.code)) {
                severities.append(.init(name: c.name, color: c.color, pixels: g.reduce(0) { $0 + ($1.classPixels[String(c.code)] ?? 0) }))
            }
            let affectedPx = g.reduce(0) { $0 + $1.affectedPixels }
            let ha = Double(affectedPx) * first.pixelAreaM2 / 10_000
            let what: String
            switch first.job {
            case "flood": what = "newly flooded area"
            case "burn": what = "burned area"
            case "drought": what = "drought-stressed area"
            default: what = "vegetation loss"
            }
            let alert = AlertRules().assess(affectedHa: ha, what: what)
            let best = g.max { $0.affectedPixels < $1.affectedPixels }
            var rule = alert.rule
            if let iou = iou(g) { rule += String(format: "; IoU against truth-event.tif: %.3f", iou) }
            disasters.append(DisasterEntry(name: "\(first.job) \(first.before) → \(first.after)", kind: first.job, before: first.before,
                                           after: first.after, tiles: g.map(\.afterTile), severities: severities,
                                           pixelAreaM2: first.pixelAreaM2, alert: alert.level.rawValue, rule: rule,
                                           quicklook: best?.quicklook, iou: iou(g)))
        }
        // Regions: per region and date, partial sums over the tiles it overlaps.
        var regionSums: [String: RegionSums] = [:]
        for r in rows where r.status == "done" {
            guard let res = r.results, let regions = res.regions else { continue }
            for (name, s) in regions { regionSums["\(name) · \(res.date ?? "no date")", default: RegionSums()].merge(s) }
        }
        let regions = regionSums.keys.sorted().map { RegionEntry(name: $0, classHectares: regionSums[$0]!.classHa, indexMeans: regionSums[$0]!.means) }
        let classes = LandUse.classes.map { ClassInfo(code: Int($0.code), name: $0.name, color: $0.color) }
        return RunReport(run: info, classes: classes, tiles: tiles, failures: failures, changes: changes, disasters: disasters,
                         regions: regions, accuracy: accuracy, links: links)
    }

    /// A job's IoU over all its pairs: Σ|A∩B| / Σ|A∪B| (nil without truth).
    public static func iou(_ g: [PairResult]) -> Double? {
        let i = g.compactMap(\.iouIntersection).reduce(0, +), u = g.compactMap(\.iouUnion).reduce(0, +)
        return u > 0 ? Double(i) / Double(u) : nil
    }
}
