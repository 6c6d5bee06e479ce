import Foundation
import RasterCore
public import Analysis
import RasterIO
public import Products

/// The second phase of `run`: pairs the done tiles of two dates by grid position and runs the class change matrix
/// and the `monitor:` jobs on each pair. Each job on each pair is one `PairWork` item of the same `TileExecutor`
/// as the tiles (`PairStage`: ingest the index planes, class maps and quality masks phase 1 wrote; compute with
/// Analysis; write the job's map), so memory is bounded by `max_in_flight` pairs and both cores work. Results come
/// back in the order of the work list (pair key, then change, then the `monitor:` entries), whatever the scheduling.
public enum PairPhase {
    /// A done tile the phase can use.
    struct Dated: Sendable { var id: String; var path: String; var date: String; var result: TileResult }

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
    struct Settings: Sendable {
        var directory: String
        var provenance: Provenance
        var codec: CloudOptimizedGeoTIFF.Codec
        var tileSize: Int
    }

    /// Runs every pair job over `rows` (this shard's done tiles) on the executor, writing products under `pairs/`.
    /// A pair that fails (unreadable product, dates that cannot be aligned), or that a stop request kept from
    /// running, is a `PairResult` with its `failure`.
    public static func run(rows: [TileRecord], monitor: [MonitorJobSpec], directory: String, provenance: Provenance,
                           classification: Bool, codec: CloudOptimizedGeoTIFF.Codec = .deflate, tileSize: Int = 512,
                           executor: TileExecutor.Options = TileExecutor.Options()) -> [PairResult] {
        let settings = Settings(directory: directory, provenance: provenance, codec: codec, tileSize: tileSize)
        let work = plan(rows: rows, monitor: monitor, classification: classification)
        let (results, _) = TileExecutor(options: executor).run(work, stage: PairStage(settings: settings)) { _, _, _ in }
        // After SIGINT/SIGTERM the executor takes no further item: the pairs it did not take are listed as failed,
        // so the reports of this (interrupted) run do not pass over them in silence.
        return work.enumerated().map { n, w in
            guard n < results.count else {
                return failed(w, cause: "not computed: the run was stopped by a signal first; the next run computes it", kind: .interrupted)
            }
            switch results[n] {
            case .success(let p): return p
            case .failure(let f): return failed(w, cause: f.cause, kind: f.kind)
            }
        }
    }

    /// The work list: for each pair key in order, the change matrix of its earliest and latest dates (with a
    /// classification), then each `monitor:` entry whose dates and index the group has.
    static func plan(rows: [TileRecord], monitor: [MonitorJobSpec], classification: Bool) -> [PairWork] {
        var work: [PairWork] = []
        for (key, tiles) in groups(rows) {
            if classification, let a = tiles.first, let b = tiles.last {
                work.append(PairWork(job: .change, key: key, a: a, b: b))
            }
            for spec in monitor {
                guard let kind = MonitorKind(rawValue: spec.kind), kind != .change,
                      let (a, b) = dates(spec, tiles), let index = indexFor(spec, kind: kind, a: a, b: b) else { continue }
                work.append(PairWork(job: .monitor(spec, kind, index: index), key: key, a: a, b: b))
            }
        }
        return work
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

    /// The result of a pair that could not be processed.
    static func failed(_ w: PairWork, cause: String, kind: FailureKind) -> PairResult {
        var r = PairResult(id: w.id, job: w.name, key: w.key, before: w.a.date, after: w.b.date,
                   beforeTile: w.a.id, afterTile: w.b.id, index: nil, pixelAreaM2: w.a.result.pixelAreaM2,
                   width: w.a.result.width, height: w.a.result.height, geo: nil, classes: [], classPixels: [:],
                   affectedClasses: [], thresholds: [:], polygons: [], outputs: [], failure: cause)
        r.failureKind = kind
        return r
    }
}
