import Foundation
import RasterCore
import Analysis
import RasterIO
import Products

/// The run's STAC catalogue, built from the values the run catalog holds (never by reading Items back):
/// - one Item per two-date product (disaster map + quicklook, `pairs/<job>/<key>_<before>_<after>.json`, next to
///   the map), from the `PairResult`s;
/// - `stac/collection.json`: the tiles' Items (from each `TileResult`'s `stacSummary`) and the two-date Items as
///   `item` links, and `affected.geojson` as a run-level `data` asset.
enum RunStac {
    /// Writes the two-date Items and the Collection; false (nothing written) when the run has no Item.
    static func write(directory: String, rows: [TileRecord], pairs: [PairResult], meta: [String: String], affected: Bool) throws -> Bool {
        var members: [StacCollection.Member] = []
        var tileItems: [String: (href: String, summary: StacSummary)] = [:]
        for r in rows where r.status == .done {
            guard let rel = r.result?.products.stacItem, let full = try? CatalogPaths.resolve(rel, in: directory),
                  let summary = r.result?.products.stacSummary ?? legacySummary(full) else { continue }
            members.append(StacCollection.Member(id: r.id, href: "../" + rel, summary: summary))
            tileItems[r.id] = (rel, summary)
        }
        let id = meta[RunProducts.Key.collectionId] ?? meta[RunProducts.Key.name] ?? "tilepipe"
        let provenance = Provenance(version: meta[RunProducts.Key.toolVersion] ?? "", pipelineHash: meta[RunProducts.Key.configHash] ?? "")
        for p in pairs {
            guard let (rel, item) = try twoDateItem(p, tileItems: tileItems, collection: id, provenance: provenance),
                  let full = try? CatalogPaths.resolve(rel, in: directory) else { continue }
            try item.write(to: full)
            members.append(StacCollection.Member(id: item.id, href: "../" + rel, summary: item.summary))
        }
        guard !members.isEmpty else { return false }
        var assets: [String: StacAsset] = [:]
        if affected {
            assets["affected"] = StacAsset(href: "../affected.geojson", type: StacAsset.geoJSONMediaType,
                                           title: "Affected areas of every disaster job (polygons merged across tiles)", roles: ["data"])
        }
        let what = pairs.contains { $0.job != MonitorKind.change.rawValue && $0.failure == nil } ? ", disaster maps" : ""
        let collection = try StacCollection.make(id: id, title: meta[RunProducts.Key.title] ?? meta[RunProducts.Key.name],
                                                 description: "Products of tilepipe run '\(meta[RunProducts.Key.name] ?? id)': index COGs, land-use maps\(what), quicklooks.",
                                                 license: meta[RunProducts.Key.license] ?? "proprietary", members: members, assets: assets)
        let dir = (directory as NSString).appendingPathComponent("stac")
        try OutputTree.createDirectory(atPath: dir)
        try collection.write(to: (dir as NSString).appendingPathComponent("collection.json"))
        return true
    }

    /// The Item of a successful disaster pair with a projected grid, and its path relative to the run folder (the
    /// map's path with `.json`); nil for change matrices, failed pairs and pairs without a map or a CRS.
    static func twoDateItem(_ p: PairResult, tileItems: [String: (href: String, summary: StacSummary)], collection: String,
                            provenance: Provenance) throws -> (String, StacItem)? {
        guard p.job != MonitorKind.change.rawValue, p.failure == nil, let map = p.raster, map.hasSuffix(".tif"),
              let geo = p.geo, geo.crs?.projDefinition != nil else { return nil }
        let rel = String(map.dropLast(4)) + ".json"
        func date(_ tile: String, _ day: String) -> Date? {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime]
            if let s = tileItems[tile]?.summary.datetime, let d = f.date(from: s) { return d }
            return f.date(from: day + "T00:00:00Z")
        }
        guard let before = date(p.beforeTile, p.before), let after = date(p.afterTile, p.after) else { return nil }
        let label = p.job.prefix(1).uppercased() + p.job.dropFirst()
        let later = tileItems[p.afterTile]?.summary
        let product = StacTwoDateProduct(
            id: "\(p.job)_\(p.key)_\(p.before)_\(p.after)", job: p.job, title: "\(label) \(p.before) → \(p.after) (\(p.key))",
            before: before, after: after, map: "./" + (map as NSString).lastPathComponent,
            quicklook: p.quicklook.map { "./" + ($0 as NSString).lastPathComponent }, classes: p.classes, index: p.index,
            affectedHectares: Double(p.affectedPixels) * p.pixelAreaM2 / 10_000,
            derivedFrom: [p.beforeTile, p.afterTile].compactMap { tileItems[$0].map { relative($0.href, from: rel) } },
            platform: later?.platform, instruments: later?.instruments ?? [])
        var inputs = provenance
        inputs.inputs = [p.beforeTile, p.afterTile]
        let item = try StacItem.makeTwoDate(product, collection: collection, collectionHref: relative("stac/collection.json", from: rel),
                                            geo: geo, width: p.width, height: p.height, provenance: inputs)
        return (rel, item)
    }

    /// The summary of an Item file, for catalog rows recorded before `TileProducts.stacSummary` existed (the
    /// only case where an Item is read back).
    static func legacySummary(_ path: String) -> StacSummary? {
        guard let data = FileManager.default.contents(atPath: path), let item = try? JSONDecoder().decode(StacItem.self, from: data) else { return nil }
        return item.summary
    }

    /// `target` (relative to the run folder) as seen from the file `from` (relative to the run folder).
    static func relative(_ target: String, from: String) -> String {
        let depth = from.split(separator: "/").count - 1
        return depth == 0 ? "./" + target : String(repeating: "../", count: depth) + target
    }
}
