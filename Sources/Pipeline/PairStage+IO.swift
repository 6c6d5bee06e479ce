import Foundation
import RasterCore
import Analysis
import RasterIO
import Products

extension PairStage {
    /// Reads both dates' planes (index or class map, and quality mask) and the event truth of the after date.
    func ingest(_ w: PairWork) throws -> Loaded {
        var index: String?
        if case .monitor(_, _, let i) = w.job { index = i }
        return Loaded(before: try planes(w.a, index: index), after: try planes(w.b, index: index), truth: Self.eventTruth(after: w.b))
    }

    /// One date's planes: the index COG in physical units (`index` given) or the class map, and the quality mask.
    func planes(_ t: PairPhase.Dated, index: String?) throws -> DatePlanes {
        let dir = settings.directory, p = t.result.products
        let grid: GridPairing.DateGrid
        var d: DatePlanes
        if let index {
            let r = try Self.open(dir, p.indexFiles[index], what: "\(index) product", tile: t)
            grid = Self.grid(r, file: t.path)
            let info = r.description.bands[0], raw = try r.readFloatBand(0)
            // int16 storage (`outputs.cog.dtype`) carries scale/offset: raw × scale + offset.
            let values = info.scale == 1 && info.offset == 0 ? raw : raw.map { Float(Double($0) * info.scale + info.offset) }
            d = DatePlanes(grid: grid, index: values)
        } else {
            let r = try Self.open(dir, p.classMap, what: "class map", tile: t)
            grid = Self.grid(r, file: t.path)
            d = DatePlanes(grid: grid, classes: try Self.codes(r))
        }
        if let rel = p.qualityMask {
            let q = try Self.open(dir, rel, what: "quality mask", tile: t)
            try GridPairing.requireSameGrid(grid.geo, width: grid.width, height: grid.height, q.description.geo,
                                            width: q.description.width, height: q.description.height, names: (t.path, rel))
            d.quality = try Self.codes(q)
        }
        return d
    }

    /// The job's class map COG and quicklook (with world file), recorded with hashes, and its pair result.
    func write(_ c: Computed, item w: PairWork) throws -> PairResult {
        let area = w.a.result.pixelAreaM2
        switch (c, w.job) {
        case let (.change(m, grid), _):
            return PairResult(id: w.id, job: w.name, key: w.key, before: w.a.date, after: w.b.date, beforeTile: w.a.id, afterTile: w.b.id,
                              index: nil, pixelAreaM2: area, width: grid.width, height: grid.height, geo: grid.geo,
                              classes: w.a.result.classes?.scheme ?? LandUse.classes, classPixels: [:], affectedClasses: [], thresholds: [:],
                              polygons: [], changeClasses: m.classes.map(Int.init), changePixels: m.pixels, outputs: [])
        case let (.disaster(result, grid, overlap), .monitor(spec, kind, index)):
            let base = "pairs/\(spec.kind)/\(w.key)_\(w.a.date)_\(w.b.date)"
            let outputs = try writeProducts(result, geo: grid.geo, kind: kind, base: base, w)
            let counts = ClassCounts(classMap: result.classRaster, scheme: result.classes, pixelHectares: area / 10_000)
            return PairResult(id: w.id, job: w.name, key: w.key, before: w.a.date, after: w.b.date, beforeTile: w.a.id, afterTile: w.b.id,
                              index: index, pixelAreaM2: area, width: grid.width, height: grid.height, geo: grid.geo,
                              classes: result.classes, classPixels: counts.pixels, affectedClasses: result.affectedClasses.map(Int.init),
                              thresholds: result.thresholds,
                              polygons: spec.vectorize == false ? [] : result.polygons.filter { result.affectedClasses.contains($0.classCode) },
                              iou: overlap.flatMap { $0.union > 0 ? Double($0.intersection) / Double($0.union) : nil },
                              iouIntersection: overlap?.intersection, iouUnion: overlap?.union,
                              raster: base + ".tif", quicklook: base + ".png", outputs: outputs)
        case (.disaster, .change):
            throw PipelineError.badTile(path: w.path, reason: "change: a disaster result for the change matrix")
        }
    }

    /// The job's class map COG and its quicklook (with world file), each recorded with the hash computed while it
    /// was written (Products' `COGStreamWriter`, `Quicklook.writeRecorded`): no output is read back.
    func writeProducts(_ result: DisasterResult, geo: GeoReference?, kind: MonitorKind, base: String, _ w: PairWork) throws -> [OutputRecord] {
        let directory = settings.directory
        func full(_ rel: String) -> String { (directory as NSString).appendingPathComponent(rel) }
        try OutputTree.createDirectory(atPath: full((base as NSString).deletingLastPathComponent))
        var prov = settings.provenance
        prov.inputs = [w.a.id, w.b.id]
        prov.extra["TILEPIPE_PAIR"] = "\(w.a.id) \(w.b.id)"
        let ramp = kind.palette(result.classes)
        let cog = try writeClassMap(result.raster(geo: geo), to: full(base + ".tif"), ramp: ramp, provenance: prov)
        let q = try Quicklook.render(values: result.classRaster.map(Float.init), width: result.width, height: result.height, geo: geo,
                                     ramp: ramp, title: .init(satellite: w.b.result.satellite ?? "", date: "\(w.a.date) → \(w.b.date)",
                                                              tile: w.key, product: ramp.title))
        // The map, its GIS sidecars (.tif.aux.xml, .qml), the quicklook, its world file and CRS sidecar (.png.aux.xml).
        let files = [cog.file] + cog.sidecars + (try q.writeRecorded(to: full(base + ".png")))
        // Records name files relative to the run folder (every file is written beside `base`).
        let folder = (base as NSString).deletingLastPathComponent
        return files.map { f in
            OutputRecord(path: (folder as NSString).appendingPathComponent((f.path as NSString).lastPathComponent), tileId: w.b.id,
                         hash: f.hash, bytes: f.bytes)
        }
    }

    /// Writes a class map through `COGStreamWriter`, block by block (the writer's tiles); nothing is left on error.
    func writeClassMap(_ r: Raster<UInt8>, to path: String, ramp: ColorRamp, provenance: Provenance) throws -> WrittenCOG {
        let writer = try COGStreamWriter<UInt8>(path: path, width: r.width, height: r.height, bands: r.bands, geo: r.geo,
                                                kind: .classes(ramp), provenance: provenance, codec: settings.codec,
                                                tileSize: settings.tileSize, metadata: r.metadata)
        do {
            let t = writer.tileSize
            for by in 0..<writer.blocksDown {
                for bx in 0..<writer.blocksAcross {
                    let x0 = bx * t, y0 = by * t, cw = min(t, r.width - x0), ch = min(t, r.height - y0)
                    var block: [UInt8] = []
                    block.reserveCapacity(cw * ch)
                    for y in y0..<(y0 + ch) { block += r.samples[(y * r.width + x0)..<(y * r.width + x0 + cw)] }
                    try writer.write(blockX: bx, blockY: by, samples: block)
                }
            }
            return try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
    }

    /// A product of `tile` phase 1 wrote, opened.
    static func open(_ dir: String, _ rel: String?, what: String, tile: PairPhase.Dated) throws -> GeoTIFFReader {
        guard let rel else { throw PipelineError.badTile(path: tile.path, reason: "\(what) missing") }
        return try GeoTIFFReader(path: (dir as NSString).appendingPathComponent(rel))
    }

    /// The grid of an opened product, named by the tile's input file.
    static func grid(_ r: GeoTIFFReader, file: String) -> GridPairing.DateGrid {
        GridPairing.DateGrid(geo: r.description.geo, width: r.description.width, height: r.description.height, file: file)
    }

    /// The first band of a UInt8 product (class map, quality mask).
    static func codes(_ r: GeoTIFFReader) throws -> [UInt8] {
        let raster: Raster<UInt8> = try r.read(UInt8.self, window: nil, bands: [0])
        return raster.samples
    }

    /// `truth-event.tif` next to the after date's input, when present and readable.
    static func eventTruth(after b: PairPhase.Dated) -> (codes: [UInt8], geo: GeoReference?, width: Int, height: Int)? {
        let path = ((b.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("truth-event.tif")
        guard FileManager.default.fileExists(atPath: path), let r = try? GeoTIFFReader(path: path),
              let codes = try? codes(r) else { return nil }
        return (codes, r.description.geo, r.description.width, r.description.height)
    }
}
