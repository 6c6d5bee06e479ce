import Foundation
import RasterCore
import Analysis
import RasterIO
import Products

extension PairPhase {
    /// One band of a product the first phase wrote, with its grid.
    struct Plane<S> { var values: [S]; var geo: GeoReference?; var width: Int; var height: Int }

    static func read<S: RasterSample>(_ type: S.Type, _ dir: String, _ rel: String?, what: String) throws -> Plane<S> {
        guard let rel else { throw PipelineError.badTile(path: dir, reason: "\(what) missing") }
        let r = try GeoTIFFReader(path: (dir as NSString).appendingPathComponent(rel))
        let raster: Raster<S> = try r.read(S.self, window: nil, bands: [0])
        return Plane(values: raster.samples, geo: r.description.geo, width: raster.width, height: raster.height)
    }

    /// An index COG in physical units: int16 storage (`outputs.cog.dtype`) carries scale/offset, raw × scale + offset.
    static func readIndex(_ dir: String, _ rel: String?, what: String) throws -> Plane<Float> {
        guard let rel else { throw PipelineError.badTile(path: dir, reason: "\(what) missing") }
        let r = try GeoTIFFReader(path: (dir as NSString).appendingPathComponent(rel))
        let info = r.description.bands[0], raw = try r.readFloatBand(0)
        let values = info.scale == 1 && info.offset == 0 ? raw : raw.map { Float(Double($0) * info.scale + info.offset) }
        return Plane(values: values, geo: r.description.geo, width: r.description.width, height: r.description.height)
    }

    /// The persisted quality mask of a tile (nil when it had none).
    static func quality(_ dir: String, _ t: Dated) throws -> [UInt8]? {
        guard let rel = t.result.products.qualityMask else { return nil }
        return try read(UInt8.self, dir, rel, what: "quality mask").values
    }

    /// The from/to class matrix of the pair's class maps over the tile's scheme (`ChangeMatrix`).
    static func change(key: String, a: Dated, b: Dated, directory: String) throws -> PairResult {
        let ca = try read(UInt8.self, directory, a.result.products.classMap, what: "class map")
        let cb = try read(UInt8.self, directory, b.result.products.classMap, what: "class map")
        try GridPairing.requireSameGrid(ca.geo, width: ca.width, height: ca.height, cb.geo, width: cb.width, height: cb.height,
                                        names: (a.id, b.id))
        let scheme = a.result.classes?.scheme ?? LandUse.classes
        let m = try ChangeMatrix(before: ca.values, beforeGeo: ca.geo, after: cb.values, afterGeo: cb.geo, width: ca.width, height: ca.height,
                                 classes: scheme.map(\.code), masked: ChangeMatrix.maskedClasses(of: scheme),
                                 qualityBefore: try quality(directory, a), qualityAfter: try quality(directory, b))
        return PairResult(id: "change:\(key):\(a.date):\(b.date)", job: MonitorKind.change.rawValue, key: key, before: a.date, after: b.date,
                          beforeTile: a.id, afterTile: b.id, index: nil, pixelAreaM2: a.result.pixelAreaM2, width: ca.width, height: ca.height,
                          geo: ca.geo, classes: scheme, classPixels: [:], affectedClasses: [], thresholds: [:], polygons: [],
                          changeClasses: m.classes.map(Int.init), changePixels: m.pixels, outputs: [])
    }

    /// One `monitor:` job on one pair: the index planes and quality masks of both dates through the kind's
    /// `TwoDateJob`, its class map written, the overlap with `truth-event.tif` of the after date measured.
    static func disaster(spec: MonitorJobSpec, kind: MonitorKind, index: String, key: String, a: Dated, b: Dated,
                         settings: Settings) throws -> PairResult {
        let dir = settings.directory
        let ia = try readIndex(dir, a.result.products.indexFiles[index], what: "\(index) product")
        let ib = try readIndex(dir, b.result.products.indexFiles[index], what: "\(index) product")
        try GridPairing.requireSameGrid(ia.geo, width: ia.width, height: ia.height, ib.geo, width: ib.width, height: ib.height, names: (a.id, b.id))
        let area = a.result.pixelAreaM2
        let minPixels = spec.minAreaM2.map { area > 0 ? max(1, Int(($0 / area).rounded(.up))) : 9 } ?? 9
        guard let job = kind.job(index: index, threshold: spec.threshold, minimumPolygonPixels: minPixels) else {
            throw PipelineError.badTile(path: key, reason: "\(kind.rawValue) is not a two-date index job")
        }
        let pair = DatePair(before: ia.values, after: ib.values, qualityBefore: try quality(dir, a), qualityAfter: try quality(dir, b),
                            width: ia.width, height: ia.height, geo: ia.geo)
        let result = try job.run(pair)
        let base = "pairs/\(spec.kind)/\(key)_\(a.date)_\(b.date)"
        let outputs = try writeProducts(result, geo: ia.geo, kind: kind, base: base, a: a, b: b, key: key, settings: settings)
        let overlap = try eventOverlap(result, after: b)
        let counts = ClassCounts(classMap: result.classRaster, scheme: result.classes, pixelHectares: area / 10_000)
        return PairResult(id: "\(spec.kind):\(key):\(a.date):\(b.date)", job: spec.kind, key: key, before: a.date, after: b.date,
                          beforeTile: a.id, afterTile: b.id, index: index, pixelAreaM2: area, width: ia.width, height: ia.height, geo: ia.geo,
                          classes: result.classes, classPixels: counts.pixels, affectedClasses: result.affectedClasses.map(Int.init),
                          thresholds: result.thresholds,
                          polygons: spec.vectorize == false ? [] : result.polygons.filter { result.affectedClasses.contains($0.classCode) },
                          iou: overlap.flatMap { $0.union > 0 ? Double($0.intersection) / Double($0.union) : nil },
                          iouIntersection: overlap?.intersection, iouUnion: overlap?.union,
                          raster: base + ".tif", quicklook: base + ".png", outputs: outputs)
    }

    /// The job's class map COG and its quicklook (with world file), recorded with hashes.
    static func writeProducts(_ result: DisasterResult, geo: GeoReference?, kind: MonitorKind, base: String, a: Dated, b: Dated, key: String,
                              settings: Settings) throws -> [OutputRecord] {
        let directory = settings.directory
        try OutputTree.createDirectory(atPath: (directory as NSString).appendingPathComponent((base as NSString).deletingLastPathComponent))
        var outputs: [OutputRecord] = []
        func record(_ rel: String) {
            let full = (directory as NSString).appendingPathComponent(rel)
            let size = ((try? FileManager.default.attributesOfItem(atPath: full))?[.size] as? NSNumber)?.intValue ?? 0
            outputs.append(OutputRecord(path: rel, tileId: b.id, hash: Fingerprint.file(full) ?? "", bytes: size))
        }
        var prov = settings.provenance
        prov.inputs = [a.id, b.id]
        prov.extra["TILEPIPE_PAIR"] = "\(a.id) \(b.id)"
        let ramp = kind.palette(result.classes)
        try CloudOptimizedGeoTIFF.write(result.raster(geo: geo), to: (directory as NSString).appendingPathComponent(base + ".tif"),
                                        kind: .classes(ramp), provenance: prov, codec: settings.codec, tileSize: settings.tileSize)
        record(base + ".tif")
        let q = try Quicklook.render(values: result.classRaster.map(Float.init), width: result.width, height: result.height, geo: geo,
                                     ramp: ramp, title: .init(satellite: b.result.satellite ?? "", date: "\(a.date) → \(b.date)", tile: key,
                                                              product: ramp.title))
        try q.write(to: (directory as NSString).appendingPathComponent(base + ".png"))
        record(base + ".png")
        if q.transform != nil { record(base + ".pgw") }
        return outputs
    }

    /// The overlap of the job's affected classes with `truth-event.tif` next to the after date's input, when present.
    static func eventOverlap(_ result: DisasterResult, after b: Dated) throws -> (intersection: Int, union: Int)? {
        let truthPath = ((b.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("truth-event.tif")
        guard FileManager.default.fileExists(atPath: truthPath), let t = try? GeoTIFFReader(path: truthPath),
              let truth: Raster<UInt8> = try? t.read(UInt8.self, window: nil, bands: [0]),
              truth.samples.count == result.classRaster.count else { return nil }
        return try result.overlap(truth: truth.samples)
    }
}
