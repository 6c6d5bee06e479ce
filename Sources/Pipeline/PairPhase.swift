import Foundation
public import RasterCore
public import Analysis
import GroundStation
import RasterIO
public import Products

/// The result of one two-date job on one tile pair, stored as JSON in the catalog (`pairs`), so reports,
/// `affected.geojson` and merges are rebuilt without pixels. Counts are pixels (partial sums over tiles).
public struct PairResult: Codable, Sendable, Equatable {
    /// `<job>:<pair key>:<before>:<after>`.
    public var id: String
    /// `flood`, `burn`, `landslide`, `drought` or `change` (the from/to class matrix of every pair).
    public var job: String
    /// Pair key (tile id without dates).
    public var key: String
    /// Dates `YYYY-MM-DD`.
    public var before: String, after: String
    /// Tile ids of the two dates.
    public var beforeTile: String, afterTile: String
    /// Index compared, when the job reads one.
    public var index: String?
    /// Pixel area in m².
    public var pixelAreaM2: Double
    /// Grid.
    public var width: Int, height: Int
    /// Georeference of both dates (the merge of polygons across tiles needs it).
    public var geo: GeoReference?
    /// The job's classes.
    public var classes: [ClassDefinition]
    /// Class code (decimal) → pixels of the job's class raster.
    public var classPixels: [String: Int]
    /// Codes counted as affected.
    public var affectedClasses: [Int]
    /// Thresholds the job used.
    public var thresholds: [String: Double]
    /// Polygons of the affected classes (pixel coordinates of this tile).
    public var polygons: [TracedPolygon]
    /// Change matrix `pixels[from][to]` over `changeClasses` (job `change`).
    public var changeClasses: [Int]?, changePixels: [[Int]]?
    /// Intersection over union of the affected mask against `truth-event.tif` of the post-date tile.
    public var iou: Double?
    /// |affected ∩ truth| and |affected ∪ truth| in pixels (sums over tiles give the job's IoU).
    public var iouIntersection: Int?, iouUnion: Int?
    /// Class raster COG and quicklook, relative to the run folder.
    public var raster: String?, quicklook: String?
    /// Files written, with hashes.
    public var outputs: [OutputRecord]
    /// Why the pair could not be processed (grid mismatch, unreadable product), when it failed.
    public var failure: String?

    /// Affected pixels.
    public var affectedPixels: Int { affectedClasses.reduce(0) { $0 + (classPixels[String($1)] ?? 0) } }
}

/// The second phase of `run`: pairs the done tiles of two dates by grid position and runs the `monitor:` jobs and
/// the class change matrix on each pair, one pair at a time (memory: two tiles' planes), reading the index and
/// class COGs the first phase wrote.
public enum PairPhase {
    /// A tile the phase can use.
    struct Dated { var id: String; var path: String; var date: String; var results: TileResults }

    /// Groups the done tiles by their id without date tokens; a group with two or more dates is a pair candidate.
    static func groups(_ rows: [TileRecord]) -> [(key: String, tiles: [Dated])] {
        var byKey: [String: [Dated]] = [:]
        for r in rows where r.status == "done" {
            guard let res = r.results, let date = res.date else { continue }
            byKey[PairPhase.pairKey(r.id), default: []].append(Dated(id: r.id, path: r.path, date: date, results: res))
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

    /// Runs every pair job over `rows` (this shard's done tiles), writing products under `pairs/`.
    public static func run(rows: [TileRecord], monitor: [MonitorJobSpec], directory: String, provenance: Provenance,
                           classification: Bool, codec: CloudOptimizedGeoTIFF.Codec = .deflate, tileSize: Int = 512) -> [PairResult] {
        var out: [PairResult] = []
        for (key, tiles) in groups(rows) {
            if classification, let a = tiles.first, let b = tiles.last {
                out.append(guarded(job: "change", key: key, a: a, b: b) { try change(key: key, a: a, b: b, directory: directory) })
            }
            // inputs[].role: the latest pre-event and the earliest post-event tile bracket the event.
            let pre = tiles.last { $0.results.role == "pre" }, post = tiles.first { $0.results.role == "post" }
            for spec in monitor where spec.kind != "change" {
                let a = spec.before.flatMap { d in tiles.first { $0.date == d } } ?? (spec.before == nil ? pre ?? tiles.first : nil)
                let b = spec.after.flatMap { d in tiles.last { $0.date == d } } ?? (spec.after == nil ? post ?? tiles.last : nil)
                guard let a, let b, a.date < b.date else { continue }
                guard let index = indexFor(spec, a: a, b: b) else { continue }   // this sensor cannot do this job
                out.append(guarded(job: spec.kind, key: key, a: a, b: b) {
                    try disaster(spec: spec, index: index, key: key, a: a, b: b, directory: directory, provenance: provenance,
                                 codec: codec, tileSize: tileSize)
                })
            }
        }
        return out
    }

    /// The index a job compares, or nil when either date lacks it (e.g. burn on a sensor without SWIR).
    static func indexFor(_ spec: MonitorJobSpec, a: Dated, b: Dated) -> String? {
        let has = { (i: String) in a.results.indexFiles[i] != nil && b.results.indexFiles[i] != nil }
        if let i = spec.index { return has(i) ? i : nil }
        switch spec.kind {
        case "flood": return has("mndwi") ? "mndwi" : (has("ndwi") ? "ndwi" : nil)
        case "burn": return has("nbr") ? "nbr" : nil
        default: return has("ndvi") ? "ndvi" : nil
        }
    }

    static func guarded(job: String, key: String, a: Dated, b: Dated, _ body: () throws -> PairResult) -> PairResult {
        do { return try body() } catch {
            return PairResult(id: "\(job):\(key):\(a.date):\(b.date)", job: job, key: key, before: a.date, after: b.date,
                              beforeTile: a.id, afterTile: b.id, index: nil, pixelAreaM2: a.results.pixelAreaM2,
                              width: a.results.width, height: a.results.height, geo: nil, classes: [], classPixels: [:],
                              affectedClasses: [], thresholds: [:], polygons: [], outputs: [], failure: "\(error)")
        }
    }

    static func readFloat(_ dir: String, _ rel: String?) throws -> (values: [Float], geo: GeoReference?, w: Int, h: Int) {
        guard let rel else { throw PipelineError.badTile(path: dir, reason: "product missing") }
        let r = try GeoTIFFReader(path: (dir as NSString).appendingPathComponent(rel))
        // Index COGs stored as int16 (outputs.cog.dtype) carry scale/offset: physical = raw × scale + offset.
        let info = r.description.bands[0], raw = try r.readFloatBand(0)
        let values = info.scale == 1 && info.offset == 0 ? raw : raw.map { Float(Double($0) * info.scale + info.offset) }
        return (values, r.description.geo, r.description.width, r.description.height)
    }

    static func readClasses(_ dir: String, _ rel: String?) throws -> (codes: [UInt8], geo: GeoReference?, w: Int, h: Int) {
        guard let rel else { throw PipelineError.badTile(path: dir, reason: "class map missing") }
        let r = try GeoTIFFReader(path: (dir as NSString).appendingPathComponent(rel))
        let raster: Raster<UInt8> = try r.read(UInt8.self, window: nil, bands: [0])
        return (raster.samples, r.description.geo, raster.width, raster.height)
    }

    /// Ground-station quality codes from a land-use map: 0 → nodata (1), cloud (6) → 3, shadow (7) → 4.
    static func quality(_ classes: [UInt8]) -> [UInt8] {
        classes.map { c in c == LandUse.nodata ? 1 : c == LandUse.cloud ? 3 : c == LandUse.cloudShadow ? 4 : 0 }
    }

    static func change(key: String, a: Dated, b: Dated, directory: String) throws -> PairResult {
        let ca = try readClasses(directory, a.results.classMap), cb = try readClasses(directory, b.results.classMap)
        try GridPairing.requireSameGrid(ca.geo, width: ca.w, height: ca.h, cb.geo, width: cb.w, height: cb.h,
                                        names: (a.id, b.id))
        let m = try ChangeMatrix(before: ca.codes, beforeGeo: ca.geo, after: cb.codes, afterGeo: cb.geo, width: ca.w, height: ca.h)
        return PairResult(id: "change:\(key):\(a.date):\(b.date)", job: "change", key: key, before: a.date, after: b.date,
                          beforeTile: a.id, afterTile: b.id, index: nil, pixelAreaM2: a.results.pixelAreaM2, width: ca.w, height: ca.h,
                          geo: ca.geo, classes: LandUse.classes, classPixels: [:], affectedClasses: [], thresholds: [:], polygons: [],
                          changeClasses: m.classes.map(Int.init), changePixels: m.pixels, outputs: [])
    }

    static func disaster(spec: MonitorJobSpec, index: String, key: String, a: Dated, b: Dated, directory: String,
                         provenance: Provenance, codec: CloudOptimizedGeoTIFF.Codec, tileSize: Int) throws -> PairResult {
        let ia = try readFloat(directory, a.results.indexFiles[index]), ib = try readFloat(directory, b.results.indexFiles[index])
        try GridPairing.requireSameGrid(ia.geo, width: ia.w, height: ia.h, ib.geo, width: ib.w, height: ib.h, names: (a.id, b.id))
        let qa = try? readClasses(directory, a.results.classMap), qb = try? readClasses(directory, b.results.classMap)
        let qualityA = qa.map { quality($0.codes) }, qualityB = qb.map { quality($0.codes) }
        let area = a.results.pixelAreaM2
        let minPixels = spec.minAreaM2.map { area > 0 ? max(1, Int(($0 / area).rounded(.up))) : 9 } ?? 9
        let result: DisasterResult
        let ramp: ColorRamp
        switch spec.kind {
        case "flood":
            result = try FloodJob(index: index, threshold: Float(spec.threshold ?? 0), minimumPolygonPixels: minPixels)
                .run(before: ia.values, after: ib.values, qualityBefore: qualityA, qualityAfter: qualityB, width: ia.w, height: ia.h, geo: ia.geo)
            ramp = classRamp(FloodJob.classes, name: "flood", title: "Flood")
        case "burn":
            result = try BurnSeverityJob(minimumPolygonPixels: minPixels, minimumMappingUnit: minPixels)
                .run(nbrBefore: ia.values, nbrAfter: ib.values, qualityBefore: qualityA, qualityAfter: qualityB, width: ia.w, height: ia.h, geo: ia.geo)
            ramp = .burnSeverity
        case "drought":
            result = try DroughtJob(index: index, minimumPolygonPixels: minPixels)
                .run(current: ib.values, quality: qualityB, baseline: [ia.values], baselineQuality: [qualityA], width: ia.w, height: ia.h, geo: ia.geo)
            ramp = classRamp(result.classes, name: "drought", title: "Drought")
        default:
            result = try VegetationLossJob(kind: spec.kind == "landslide" ? "landslide" : "vegetation_loss", drop: Float(spec.threshold ?? 0.2),
                                           minimumPolygonPixels: minPixels)
                .run(ndviBefore: ia.values, ndviAfter: ib.values, qualityBefore: qualityA, qualityAfter: qualityB, width: ia.w, height: ia.h, geo: ia.geo)
            ramp = classRamp(result.classes, name: spec.kind, title: spec.kind.capitalized)
        }
        var counts = [Int](repeating: 0, count: 256)
        for c in result.classRaster { counts[Int(c)] += 1 }
        var classPixels: [String: Int] = [:]
        for (c, n) in counts.enumerated() where n > 0 { classPixels[String(c)] = n }
        // Write the class raster COG and its quicklook.
        let base = "pairs/\(spec.kind)/\(key)_\(a.date)_\(b.date)"
        let dir = (directory as NSString).appendingPathComponent("pairs/\(spec.kind)")
        try OutputTree.createDirectory(atPath: dir)
        var outputs: [OutputRecord] = []
        func record(_ rel: String) {
            let full = (directory as NSString).appendingPathComponent(rel)
            let size = ((try? FileManager.default.attributesOfItem(atPath: full))?[.size] as? NSNumber)?.intValue ?? 0
            outputs.append(OutputRecord(path: rel, tileId: b.id, hash: Fingerprint.file(full) ?? "", bytes: size))
        }
        var prov = provenance
        prov.inputs = [a.id, b.id]
        prov.extra["TILEPIPE_PAIR"] = "\(a.id) \(b.id)"
        try CloudOptimizedGeoTIFF.write(result.raster(geo: ia.geo), to: (directory as NSString).appendingPathComponent(base + ".tif"),
                                        kind: .classes(ramp), provenance: prov, codec: codec, tileSize: tileSize)
        record(base + ".tif")
        let q = try Quicklook.render(values: result.classRaster.map(Float.init), width: ia.w, height: ia.h, geo: ia.geo, ramp: ramp,
                                     title: .init(satellite: b.results.satellite ?? "", date: "\(a.date) → \(b.date)", tile: key,
                                                  product: ramp.title))
        try q.write(to: (directory as NSString).appendingPathComponent(base + ".png"))
        record(base + ".png")
        if q.transform != nil { record(base + ".pgw") }
        // IoU against the post date's truth-event.tif (1 event, 0 none, 255 outside).
        var iou: Double?, inter: Int?, union: Int?
        let truthPath = ((b.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("truth-event.tif")
        if FileManager.default.fileExists(atPath: truthPath), let t = try? GeoTIFFReader(path: truthPath),
           let truth: Raster<UInt8> = try? t.read(UInt8.self, window: nil, bands: [0]), truth.samples.count == result.classRaster.count {
            let affected = Set(result.affectedClasses)
            var i = 0, u = 0
            for (t, c) in zip(truth.samples, result.classRaster) where t != 255 && c != 0 {
                let p = affected.contains(c), e = t == 1
                if p && e { i += 1 }
                if p || e { u += 1 }
            }
            inter = i; union = u
            iou = u > 0 ? Double(i) / Double(u) : nil
        }
        return PairResult(id: "\(spec.kind):\(key):\(a.date):\(b.date)", job: spec.kind, key: key, before: a.date, after: b.date,
                          beforeTile: a.id, afterTile: b.id, index: index, pixelAreaM2: area, width: ia.w, height: ia.h, geo: ia.geo,
                          classes: result.classes, classPixels: classPixels, affectedClasses: result.affectedClasses.map(Int.init),
                          thresholds: result.thresholds,
                          polygons: spec.vectorize == false ? [] : result.polygons.filter { result.affectedClasses.contains($0.classCode) },
                          iou: iou, iouIntersection: inter, iouUnion: union, raster: base + ".tif", quicklook: base + ".png", outputs: outputs)
    }

    /// A categorical ramp from class definitions (code 0 transparent).
    static func classRamp(_ classes: [ClassDefinition], name: String, title: String) -> ColorRamp {
        var stops = [ColorRamp.Stop(0, "#000000", "No data")]
        for c in classes where c.code != 0 { stops.append(ColorRamp.Stop(Double(c.code), c.color, c.name)) }
        return ColorRamp(name: name, title: title, stops: stops, interpolation: .categorical, nodataCode: 0)
    }
}
