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
        if try writeAffected(directory: directory, pairs: pairs) { links["affected_geojson"] = "affected.geojson" }
        if try RunStac.write(directory: directory, rows: rows, pairs: pairs, meta: meta, affected: links["affected_geojson"] != nil) {
            links["stac_collection"] = "stac/collection.json"
        }
        let report = try build(meta: meta, rows: rows, pairs: pairs, links: links, currentRun: try catalog.latestRunId())
        let formats = meta[Key.formats].map { Set($0.split(separator: ",").compactMap { ReportWriter.Format(rawValue: String($0)) }) }
        try ReportWriter.writeAll(report, to: directory, formats: formats ?? Set(ReportWriter.Format.allCases))
        return report
    }

    /// `affected.geojson`: per job and date pair, the tiles' polygons merged across edges; false (and an earlier
    /// run's file removed) when the run has no disaster results.
    static func writeAffected(directory: String, pairs: [PairResult]) throws -> Bool {
        let disasters = pairs.filter { $0.job != MonitorKind.change.rawValue && $0.failure == nil }
        let geojson = (directory as NSString).appendingPathComponent("affected.geojson")
        guard !disasters.isEmpty else {
            try? FileManager.default.removeItem(atPath: geojson)
            return false
        }
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
        try GeoJSONWriter.write(features, to: geojson)
        return true
    }

    /// The report from catalog rows and pair results (pure). Tiles recorded by an earlier run than `currentRun`
    /// are listed as unchanged (`skipped`); failed tiles and pairs are listed once each.
    public static func build(meta: [String: String], rows: [TileRecord], pairs: [PairResult], links: [String: String],
                             currentRun: Int64? = nil) throws -> RunReport {
        let info = RunInfo(id: meta[Key.name] ?? "tilepipe run", toolVersion: meta[Key.toolVersion] ?? "",
                           pipeline: meta[Key.pipeline] ?? "", pipelineHash: meta[Key.configHash] ?? "",
                           started: meta[Key.started] ?? "", finished: meta[Key.finished] ?? "",
                           inputs: (meta[Key.inputs] ?? "").split(separator: "\n").map(String.init), title: meta[Key.title])
        let disasters = disasterEntries(pairs)
        return RunReport(run: info, classes: classInfo(rows), tiles: rows.map { tileEntry($0, currentRun: currentRun) },
                         failures: rows.compactMap(\.failure) + disasters.failures, changes: changeEntries(pairs),
                         disasters: disasters.entries, regions: regionEntries(rows), accuracy: accuracyEntries(rows), links: links)
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
    static func changeEntries(_ pairs: [PairResult]) -> [ChangeEntry] {
        var groups: [String: [PairResult]] = [:]
        for p in pairs where p.job == MonitorKind.change.rawValue && p.failure == nil { groups["\(p.before) \(p.after)", default: []].append(p) }
        return groups.keys.sorted().compactMap { k in
            let g = groups[k]!.sorted { $0.key < $1.key }
            guard let classes = g.first?.changeClasses, var sum = g.first?.changePixels else { return nil }
            for p in g.dropFirst() where p.changeClasses == classes {
                for i in sum.indices { for j in sum[i].indices { sum[i][j] += p.changePixels![i][j] } }
            }
            return ChangeEntry(fromDate: g[0].before, toDate: g[0].after, tiles: g.flatMap { [$0.beforeTile, $0.afterTile] },
                               classes: classes, pixels: sum, pixelAreaM2: g[0].pixelAreaM2)
        }
    }

    /// One entry per disaster job and date pair (severities summed over tiles, alert on the total), and the
    /// failed pairs.
    static func disasterEntries(_ pairs: [PairResult]) -> (entries: [DisasterEntry], failures: [FailureEntry]) {
        var failures: [FailureEntry] = []
        var groups: [String: [PairResult]] = [:]
        for p in pairs where p.job != MonitorKind.change.rawValue {
            if let f = p.failure {
                failures.append(FailureEntry(tile: p.afterTile, path: "\(p.beforeTile) + \(p.afterTile)", stage: "pair \(p.job)", cause: f, kind: .config))
            } else {
                groups["\(p.job) \(p.before) \(p.after)", default: []].append(p)
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
            return DisasterEntry(name: "\(first.job) \(first.before) → \(first.after)", kind: first.job, before: first.before,
                                 after: first.after, tiles: g.map(\.afterTile), severities: severities,
                                 pixelAreaM2: first.pixelAreaM2, alert: alert.level.rawValue, rule: rule,
                                 quicklook: g.max { $0.affectedPixels < $1.affectedPixels }?.quicklook, iou: iou(g))
        }
        return (entries, failures)
    }

    /// Per region and date, the partial sums of the tiles it overlaps.
    static func regionEntries(_ rows: [TileRecord]) -> [RegionEntry] {
        var sums: [String: RegionPartial] = [:]
        for r in rows where r.status == .done {
            guard let res = r.result else { continue }
            for (name, s) in res.regions { sums["\(name) · \(res.date ?? "no date")", default: RegionPartial()].merge(s) }
        }
        return sums.keys.sorted().map { RegionEntry(name: $0, classHectares: sums[$0]!.classHa, indexMeans: sums[$0]!.means) }
    }

    /// A job's IoU over all its pairs: Σ|A∩B| / Σ|A∪B| (nil without truth).
    public static func iou(_ g: [PairResult]) -> Double? {
        let i = g.compactMap(\.iouIntersection).reduce(0, +), u = g.compactMap(\.iouUnion).reduce(0, +)
        return u > 0 ? Double(i) / Double(u) : nil
    }
}
