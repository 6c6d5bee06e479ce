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
        /// Named inputs (`inputs[].name`), one `name<TAB>path` per line: every tile under `path` belongs to place `name`.
        public static let inputNames = "input_names"
        /// The regions GeoJSON (`regions:`), for the regions' bounding boxes and affected hectares.
        public static let regions = "regions"
    }

    /// The catalog meta of named inputs (`Key.inputNames`), nil when no input has a name.
    public static func inputNamesMeta(_ inputs: [InputSpec]) -> String? {
        let named = inputs.compactMap { i in i.name.map { "\($0)\t\(i.path)" } }
        return named.isEmpty ? nil : named.joined(separator: "\n")
    }

    /// Writes the collection, affected.geojson and every report into `directory` from its catalog (`catalog` when
    /// the caller has it open, else opened here). Returns the report.
    /// - Throws: `PipelineError.catalog` when the catalog cannot be read, or the writer's error naming the file.
    @discardableResult
    public static func write(directory: String, catalog open: RunCatalog? = nil) throws -> RunReport {
        let catalog = try open ?? RunCatalog(directory: directory)
        let meta = try catalog.meta()
        let rows = try catalog.allTiles()
        let pairs = try catalog.allPairs()
        var links: [String: String] = [:]
        let places = placeAssignment(rows: rows, meta: meta, directory: directory)
        if try writeAffected(directory: directory, pairs: pairs, placeOf: places.placeOf) { links["affected_geojson"] = "affected.geojson" }
        if try RunStac.write(directory: directory, rows: rows, pairs: pairs, meta: meta, affected: links["affected_geojson"] != nil) {
            links["stac_collection"] = "stac/collection.json"
        }
        var report = try build(meta: meta, rows: rows, pairs: pairs, links: links, currentRun: try catalog.latestRunId(), directory: directory,
                               places: places)
        EventMosaic.writeAll(&report, pairs: pairs, directory: directory)
        let formats = meta[Key.formats].map { Set($0.split(separator: ",").compactMap { ReportWriter.Format(rawValue: String($0)) }) }
        try ReportWriter.writeAll(report, to: directory, formats: formats ?? Set(ReportWriter.Format.allCases))
        return report
    }

    /// `affected.geojson`: per job and date pair, the tiles' polygons merged across edges; false (and an earlier
    /// run's file removed) when the run has no disaster results.
    static func writeAffected(directory: String, pairs: [PairResult], placeOf: [String: String] = [:]) throws -> Bool {
        let disasters = pairs.filter { $0.job != MonitorKind.change.rawValue && $0.failure == nil }
        let geojson = (directory as NSString).appendingPathComponent("affected.geojson")
        guard !disasters.isEmpty else {
            try? FileManager.default.removeItem(atPath: geojson)
            return false
        }
        var features: [GeoJSONFeature] = []
        var byJob: [String: [PairResult]] = [:]
        // Per job, place and date pair: polygons of two places are never merged, and each feature names its place.
        for p in disasters { byJob["\(p.job) \(placeOf[p.afterTile] ?? p.key) \(p.before) \(p.after)", default: []].append(p) }
        for k in byJob.keys.sorted() {
            let group = byJob[k]!.filter { $0.geo != nil }.sorted { $0.key < $1.key }
            guard let first = group.first else { continue }
            let names = Dictionary(first.classes.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
            let extra = ["job": first.job, "place": placeOf[first.afterTile] ?? first.key]
            let tiles = group.map { TilePolygons(tileId: $0.afterTile, geo: $0.geo!, width: $0.width, height: $0.height, polygons: $0.polygons) }
            do {
                let merged = try EdgeRegionMerger.merge(tiles)
                features += try GeoJSONWriter(geo: merged.reference).features(merged: merged.polygons, dates: [first.before, first.after],
                                                                                classNames: names, extra: extra)
            } catch {
                // Tiles that cannot be merged (different grids) are written tile by tile.
                for p in group {
                    features += (try? GeoJSONWriter(geo: p.geo!).features(p.polygons, tileIds: [p.afterTile], dates: [p.before, p.after],
                                                                           classNames: names, extra: extra)) ?? []
                }
            }
        }
        try GeoJSONWriter.write(features, to: geojson)
        return true
    }

    /// The report from catalog rows and pair results (pure). Tiles recorded by an earlier run than `currentRun`
    /// are listed as unchanged (`skipped`); failed tiles and pairs are listed once each.
    ///
    /// `directory` (the run folder) is where tile footprints are read from (STAC items, else product headers) to
    /// group tiles into places; without it places are the tile groups alone, without bounding boxes. `places` is
    /// `placeAssignment` of the same rows, meta and directory when the caller has it already (footprints without a
    /// STAC bbox are read from raster headers: once per report is enough).
    public static func build(meta: [String: String], rows: [TileRecord], pairs: [PairResult], links: [String: String],
                             currentRun: Int64? = nil, directory: String? = nil,
                             places: (places: [PlaceInfo], placeOf: [String: String])? = nil) throws -> RunReport {
        let info = RunInfo(id: meta[Key.name] ?? "tilepipe run", toolVersion: meta[Key.toolVersion] ?? "",
                           pipeline: meta[Key.pipeline] ?? "", pipelineHash: meta[Key.configHash] ?? "",
                           started: meta[Key.started] ?? "", finished: meta[Key.finished] ?? "",
                           inputs: (meta[Key.inputs] ?? "").split(separator: "\n").map(String.init), title: meta[Key.title])
        let assigned = places ?? placeAssignment(rows: rows, meta: meta, directory: directory)
        let placeOf = { (tile: String, key: String) in assigned.placeOf[tile] ?? key }
        let disasters = disasterEntries(pairs, placeOf: placeOf)
        let regions = RegionPlaces.entries(rows: rows, pairs: pairs, regionsFile: meta[Key.regions], crs: firstCRS(pairs))
        return RunReport(run: info, classes: classInfo(rows),
                         tiles: rows.map { var t = tileEntry($0, currentRun: currentRun); t.place = assigned.placeOf[$0.id]; return t },
                         failures: rows.compactMap(\.failure) + disasters.failures, changes: changeEntries(pairs, placeOf: placeOf),
                         disasters: disasters.entries, regions: regions.entries, accuracy: accuracyEntries(rows), links: links,
                         places: assigned.places + regions.places)
    }

    /// The CRS of the first georeferenced pair (regions given in a projected CRS are read in it).
    static func firstCRS(_ pairs: [PairResult]) -> CRS? { pairs.lazy.compactMap { $0.geo?.crs }.first }

    /// Places of the done tiles (`ReportPlaces.assign`): named inputs from the catalog meta, footprints from the
    /// tiles' STAC summaries or items (lon/lat `bbox`) or, without one, from the header of one of their rasters.
    static func placeAssignment(rows: [TileRecord], meta: [String: String], directory: String?) -> (places: [PlaceInfo], placeOf: [String: String]) {
        let named: [(name: String, path: [String])] = (meta[Key.inputNames] ?? "").split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t", maxSplits: 1).map(String.init)
            return f.count == 2 ? (f[0], components(f[1])) : nil
        }
        let footprints = rows.filter { $0.status == .done && $0.result != nil }.map { r -> TileFootprint in
            let tile = components(r.path)
            let name = named.filter { tile.starts(with: $0.path) }.max { $0.path.count < $1.path.count }?.name
            return TileFootprint(id: r.id, group: PairPhase.pairKey(r.id), inputName: name,
                                 bbox: directory.flatMap { footprint(r.result!, directory: $0) }, date: r.result!.date)
        }
        return ReportPlaces.assign(footprints)
    }

    /// A path as standardized components (relative paths resolved against the current folder).
    static func components(_ path: String) -> [String] {
        URL(fileURLWithPath: path).standardizedFileURL.pathComponents
    }

    /// A tile's lon/lat box: the `bbox` of its STAC summary in the catalog, else of its STAC item file, else the box of
    /// one of its rasters' grid; nil when none is known.
    static func footprint(_ res: TileResult, directory: String) -> [Double]? {
        if let box = res.products.stacSummary?.bbox, box.count == 4 { return box }
        if let rel = res.products.stacItem, let full = try? CatalogPaths.resolve(rel, in: directory),
           let data = FileManager.default.contents(atPath: full),
           let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let box = (obj["bbox"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.doubleValue }), box.count == 4 {
            return box
        }
        for rel in [res.products.classMap].compactMap({ $0 }) + res.products.indexFiles.values.sorted() {
            guard let full = try? CatalogPaths.resolve(rel, in: directory), FileManager.default.fileExists(atPath: full),
                  let d = try? GeoTIFFReader(path: full).description, let geo = d.geo else { continue }
            return ReportPlaces.bbox(geo: geo, width: d.width, height: d.height)
        }
        return nil
    }

    /// A catalog row as the report's tile entry.
    static func tileEntry(_ r: TileRecord, currentRun: Int64?) -> TileEntry {
        guard r.status == .done else { return TileEntry(id: r.id, status: .failed) }
        let unchanged = currentRun != nil && r.runId != nil && r.runId! < currentRun!
        guard let res = r.result else { return TileEntry(id: r.id, status: unchanged ? .skipped : .done) }
        let outs = (res.products.indexFiles.values.sorted() + [res.products.classMap].compactMap { $0 }).sorted()
        return TileEntry(id: r.id, status: unchanged ? .skipped : .done, result: res, outputs: outs,
                         quicklook: res.products.quicklooks["landuse"] ?? res.products.quicklooks.values.sorted().first)
    }

    /// The legend: the classes of the scheme the done tiles used (merged, in code order).
    static func classInfo(_ rows: [TileRecord]) -> [ClassInfo] {
        let counts = TileResult.merged(rows.filter { $0.status == .done }.compactMap(\.result))?.classes
        return (counts?.scheme ?? []).sorted { $0.code < $1.code }.map { ClassInfo(code: Int($0.code), name: $0.name, color: $0.color) }
    }

    /// Accuracy per tile with ground truth, and over all of them when there are several.
    static func accuracyEntries(_ rows: [TileRecord]) -> [AccuracyEntry] {
        let done = rows.filter { $0.status == .done && $0.result?.accuracy != nil }
        var entries = done.map { AccuracyEntry(tile: $0.id, matrix: $0.result!.accuracy!) }
        if done.count > 1, let total = TileResult.merged(done.map(\.result!))?.accuracy {
            entries.append(AccuracyEntry(tile: "all tiles", matrix: total))
        }
        return entries
    }

    /// Change matrices summed over the tiles of one date pair.
    static func changeEntries(_ pairs: [PairResult], placeOf: (String, String) -> String = { $1 }) -> [ChangeEntry] {
        var groups: [String: [PairResult]] = [:]
        for p in pairs where p.job == MonitorKind.change.rawValue && p.failure == nil {
            groups["\(placeOf(p.afterTile, p.key))\u{1}\(p.before) \(p.after)", default: []].append(p)
        }
        return groups.keys.sorted().compactMap { k in
            let g = groups[k]!.sorted { $0.key < $1.key }
            guard let classes = g.first?.changeClasses, var sum = g.first?.changePixels else { return nil }
            for p in g.dropFirst() where p.changeClasses == classes {
                for i in sum.indices { for j in sum[i].indices { sum[i][j] += p.changePixels![i][j] } }
            }
            return ChangeEntry(fromDate: g[0].before, toDate: g[0].after, tiles: g.flatMap { [$0.beforeTile, $0.afterTile] },
                               classes: classes, pixels: sum, pixelAreaM2: g[0].pixelAreaM2, place: placeOf(g[0].afterTile, g[0].key))
        }
    }

    /// One entry per disaster job and date pair (severities summed over tiles, alert on the total), and the
    /// failed pairs.
    static func disasterEntries(_ pairs: [PairResult], placeOf: (String, String) -> String = { $1 }) -> (entries: [DisasterEntry], failures: [FailureEntry]) {
        var failures: [FailureEntry] = []
        var groups: [String: [PairResult]] = [:]
        for p in pairs where p.job != MonitorKind.change.rawValue {
            if let f = p.failureEntry {
                failures.append(f)
            } else {
                groups["\(p.job)\u{1}\(placeOf(p.afterTile, p.key))\u{1}\(p.before) \(p.after)", default: []].append(p)
            }
        }
        let entries = groups.keys.sorted().map { k -> DisasterEntry in
            let g = groups[k]!.sorted { $0.key < $1.key }
            let first = g[0]
            // Severities are the affected classes only (the report sums them as the affected area).
            let severities = first.classes.filter { first.affectedClasses.contains(Int($0.code)) }.map { c in
                DisasterEntry.Severity(name: c.name, color: c.color, pixels: g.reduce(0) { $0 + ($1.classPixels[String(c.code)] ?? 0) })
            }
            let ha = Double(g.reduce(0) { $0 + $1.affectedPixels }) * first.pixelAreaM2 / 10_000
            let alert = AlertRules().assess(affectedHa: ha, what: MonitorKind(rawValue: first.job)?.label ?? first.job)
            var rule = alert.rule
            if let iou = iou(g) { rule += String(format: "; IoU against truth-event.tif: %.3f", iou) }
            // affected.geojson holds the polygons of the vectorised pairs (pixel counts, before simplification).
            let vectorised = g.filter { !$0.polygons.isEmpty || $0.affectedPixels == 0 }
            let polygonPixels = g.reduce(0) { $0 + $1.polygons.reduce(0) { $0 + $1.pixelCount } }
            let georeferenced = g.compactMap { p in p.geo.map { (geo: $0, polygons: p.polygons) } }
            return DisasterEntry(name: "\(first.job) \(first.before) → \(first.after)", kind: first.job, before: first.before,
                                 after: first.after, tiles: g.map(\.afterTile), severities: severities,
                                 pixelAreaM2: first.pixelAreaM2, alert: alert.level.rawValue, rule: rule,
                                 quicklook: g.max { $0.affectedPixels < $1.affectedPixels }?.quicklook, iou: iou(g),
                                 place: placeOf(first.afterTile, first.key), centroid: ReportPlaces.centroid(of: georeferenced),
                                 polygonHectares: vectorised.isEmpty && ha > 0 ? nil : Double(polygonPixels) * first.pixelAreaM2 / 10_000,
                                 polygonCount: g.reduce(0) { $0 + $1.polygons.count })
        }
        return (entries, failures)
    }

    /// A job's IoU over all its pairs: Σ|A∩B| / Σ|A∪B| (nil without truth).
    public static func iou(_ g: [PairResult]) -> Double? {
        let i = g.compactMap(\.iouIntersection).reduce(0, +), u = g.compactMap(\.iouUnion).reduce(0, +)
        return u > 0 ? Double(i) / Double(u) : nil
    }
}
