import Foundation
import RasterCore
public import Analysis
import RasterIO
public import Products

/// The second phase of `run`: pairs the done tiles of two dates by grid position and runs the `monitor:` jobs and
/// the class change matrix on each pair, one pair at a time (memory: two tiles' planes), reading the index COGs,
/// class maps and quality masks the first phase wrote (PairPhase+Jobs.swift). Every figure comes from Analysis.
public enum PairPhase {
    /// A done tile the phase can use.
    struct Dated { var id: String; var path: String; var date: String; var result: TileResult }

    /// Groups the done tiles by their id without date tokens; a group with two or more dates is a pair candidate.
    static func groups(_ rows: [TileRecord]) -> [(key: String, tiles: [Dated])] {
        var byKey: [String: [Dated]] = [:]
        for r in rows where r.status == .done {
            guard let res = r.result, let date = res.date else { continue }
            byKey[PairPhase.pairKey(r.id), default: []].append(Dated(id: r.id, path: r.path, date: date, result: res))
        }
        return byKey.keys.sorted().compactMap { k in
            let tiles = byKey[k]!.sorted { ($0.date, $0.id) < ($1.date, $1.id) }
            return Set(tiles.map(\.date)).count >= 2 ? (k, tiles) : nil
        }
    }

    /// The tile id with date tokens removed and separators tidied (`TGY1_20250602_r0c0` → `TGY1_r0c0`).
    public static func pairKey(_ id: String) -> String {
        var k = ShardSpec.groupKey(id)
        while k.contains("__") { k = k.replacingOccurrences(of: "__", with: "_") }
        return k.trimmingCharacters(in: CharacterSet(charactersIn: "_-."))
    }

    /// What every pair job of a run writes with.
    struct Settings {
        var directory: String
        var provenance: Provenance
        var codec: CloudOptimizedGeoTIFF.Codec
        var tileSize: Int
    }

    /// Runs every pair job over `rows` (this shard's done tiles), writing products under `pairs/`.
    public static func run(rows: [TileRecord], monitor: [MonitorJobSpec], directory: String, provenance: Provenance,
                           classification: Bool, codec: CloudOptimizedGeoTIFF.Codec = .deflate, tileSize: Int = 512) -> [PairResult] {
        let settings = Settings(directory: directory, provenance: provenance, codec: codec, tileSize: tileSize)
        var out: [PairResult] = []
        for (key, tiles) in groups(rows) {
            if classification, let a = tiles.first, let b = tiles.last {
                out.append(guarded(job: MonitorKind.change.rawValue, key: key, a: a, b: b) { try change(key: key, a: a, b: b, directory: directory) })
            }
            for spec in monitor {
                guard let kind = MonitorKind(rawValue: spec.kind), kind != .change,
                      let (a, b) = dates(spec, tiles), let index = indexFor(spec, kind: kind, a: a, b: b) else { continue }
                out.append(guarded(job: spec.kind, key: key, a: a, b: b) {
                    try disaster(spec: spec, kind: kind, index: index, key: key, a: a, b: b, settings: settings)
                })
            }
        }
        return out
    }

    /// The before and after tiles of a job: its configured dates, else the earliest and latest.
    static func dates(_ spec: MonitorJobSpec, _ tiles: [Dated]) -> (Dated, Dated)? {
        // inputs[].role: the latest pre-event and the earliest post-event tile bracket the event.
        let pre = tiles.last { $0.result.role == "pre" }, post = tiles.first { $0.result.role == "post" }
        let a = spec.before.flatMap { d in tiles.first { $0.date == d } } ?? (spec.before == nil ? pre ?? tiles.first : nil)
        let b = spec.after.flatMap { d in tiles.last { $0.date == d } } ?? (spec.after == nil ? post ?? tiles.last : nil)
        guard let a, let b, a.date < b.date else { return nil }
        return (a, b)
    }

    /// The index a job compares, or nil when either date lacks it (e.g. burn on a sensor without SWIR).
    static func indexFor(_ spec: MonitorJobSpec, kind: MonitorKind, a: Dated, b: Dated) -> String? {
        let has = { (i: String) in a.result.products.indexFiles[i] != nil && b.result.products.indexFiles[i] != nil }
        if let i = spec.index { return has(i) ? i : nil }
        return kind.defaultIndices.first(where: has)
    }

    static func guarded(job: String, key: String, a: Dated, b: Dated, _ body: () throws -> PairResult) -> PairResult {
        do { return try body() } catch {
            return PairResult(id: "\(job):\(key):\(a.date):\(b.date)", job: job, key: key, before: a.date, after: b.date,
                              beforeTile: a.id, afterTile: b.id, index: nil, pixelAreaM2: a.result.pixelAreaM2,
                              width: a.result.width, height: a.result.height, geo: nil, classes: [], classPixels: [:],
                              affectedClasses: [], thresholds: [:], polygons: [], outputs: [], failure: "\(error)")
        }
    }
}
