import ArgumentParser
import Foundation
import Pipeline
import Products
import RasterCore
import RasterIO

/// `tilepipe index` and `calc` in windows: when every `--band` is a GeoTIFF on one grid, the output is computed one
/// 512² block at a time through the `TileExecutor` (blocks in parallel, a bounded number in flight) and streamed
/// to the Float32 DEFLATE GeoTIFF, so memory depends on the block size, not on the scene. Each block gets the
/// arithmetic of the whole-raster route (raw × scale + offset in Float, nodata → NaN, the same kernels), so the
/// values are the same bit for bit. Bands on different grids and PNG inputs are read whole (`LoadedBands`).
struct BandWindows: WindowedTileStage {
    /// The one item: the output file.
    struct Item: TileItem { var id: String; var path: String }

    /// The opened job: grid, windows, the writer.
    final class Plan: @unchecked Sendable {
        let width: Int, height: Int
        let windows: [Window]
        let writer: COGStreamWriter<Float>
        let readers: GeoTIFFReaderPool
        init(width: Int, height: Int, windows: [Window], writer: COGStreamWriter<Float>, readers: GeoTIFFReaderPool) {
            self.width = width; self.height = height; self.windows = windows; self.writer = writer; self.readers = readers
        }
    }

    /// The bands (role, file, 1-based band) and the scale and offset applied to each.
    let specs: [BandSpec]
    let scaleOffset: [String: (scale: Double, offset: Double)]
    /// Output band names, in order.
    let names: [String]
    /// Reflectance per role (`count` values each) → one plane per output band, in `names` order.
    let evaluate: @Sendable ([String: [Float]], Int) throws -> [[Float]]
    let width: Int, height: Int
    let geo: GeoReference?
    let output: String
    let tileSize = 512

    /// A windowed job when every spec is a GeoTIFF band on one grid (nil otherwise: read whole). `fileScale` and
    /// `scale`/`offset` as in `LoadedBands.load`; the notes of interpreted conventions are returned for stderr.
    static func make(_ specs: [BandSpec], scale: Double?, offset: Double?, fileScale: Bool, names: [String], output: String,
                     evaluate: @escaping @Sendable ([String: [Float]], Int) throws -> [[Float]]) throws -> (job: BandWindows, notes: [String])? {
        var descriptions: [String: RasterDescription] = [:]
        var so: [String: (Double, Double)] = [:]
        var notes: [String] = []
        var grid: (width: Int, height: Int, geo: GeoReference?)?
        for spec in specs {
            guard try RasterFile.sniff(spec.path) != .png else { return nil }
            let d = try descriptions[spec.path] ?? GeoTIFFReader(path: spec.path, forWindows: true).description
            descriptions[spec.path] = d
            guard spec.band <= d.bandCount else {
                throw ValidationError("--band \(spec.role)=\(spec.path):\(spec.band): the file has \(d.bandCount) band(s)")
            }
            if let g = grid {
                guard g.width == d.width, g.height == d.height else { return nil }
                switch (g.geo, d.geo) {
                case (nil, nil): break
                case let (a?, b?): guard RasterGrid(width: g.width, height: g.height, geo: a).sameGrid(as: RasterGrid(width: d.width, height: d.height, geo: b)) else { return nil }
                default: return nil
                }
            } else {
                grid = (d.width, d.height, d.geo)
            }
            let (s, o, note) = fileScale ? LoadedBands.scaleOffset(info: d.bands[spec.band - 1], metadata: d.metadata, scale: scale, offset: offset)
                : (scale ?? 1, offset ?? 0, nil)
            if let note { notes.append("\(spec.role)=\(spec.path):\(spec.band): \(note)") }
            so[spec.role] = (s, o)
        }
        guard let grid else { return nil }
        return (BandWindows(specs: specs, scaleOffset: so.mapValues { (scale: $0.0, offset: $0.1) }, names: names, evaluate: evaluate,
                            width: grid.width, height: grid.height, geo: grid.geo, output: output), notes)
    }

    /// Runs the job on both cores; throws the failure (naming the file) when it fails.
    func run() throws {
        let (results, _) = TileExecutor(options: .init()).run([Item(id: (output as NSString).lastPathComponent, path: output)], stage: self) { _, _, _ in }
        if case .failure(let f)? = results.first { throw f }
    }

    func plan(_ item: Item) throws -> Plan? {
        var windows: [Window] = []
        for y in stride(from: 0, to: height, by: tileSize) {
            for x in stride(from: 0, to: width, by: tileSize) {
                windows.append(Window(x: x, y: y, width: min(tileSize, width - x), height: min(tileSize, height - y)))
            }
        }
        let writer = try COGStreamWriter<Float>(path: output, width: width, height: height, bands: names.map { BandInfo(description: $0, nodata: .nan) },
                                                geo: geo, kind: .continuous, provenance: Provenance(version: "", pipelineHash: "", inputs: []),
                                                codec: .deflate, tileSize: tileSize, overviews: false)
        return Plan(width: width, height: height, windows: windows, writer: writer, readers: GeoTIFFReaderPool())
    }

    func windowCount(_ plan: Plan) -> Int { plan.windows.count }

    func window(_ index: Int, of plan: Plan, item: Item, fanOut: FanOut) throws -> Int {
        let w = plan.windows[index]
        var bands: [String: [Float]] = [:]
        for spec in specs {
            var values = try plan.readers.withReader(path: spec.path) { try $0.read(window: w, bands: [spec.band - 1]).floatBand(0) }
            apply(scaleOffset[spec.role]!, to: &values)
            bands[spec.role] = values
        }
        let planes = try evaluate(bands, w.width * w.height)
        try plan.writer.write(blockX: w.x / tileSize, blockY: w.y / tileSize, samples: planes.flatMap { $0 })
        return index
    }

    func finish(_ plan: Plan, parts: [Int], item: Item, fanOut: FanOut) throws -> Int {
        _ = try plan.writer.finish()
        plan.readers.close()
        return parts.count
    }

    func abort(_ plan: Plan) {
        plan.writer.abort()
        plan.readers.close()
    }

    // The whole-raster route (not taken: `plan` always opens the job), kept so the stage is complete.
    func ingest(_ item: Item) throws -> [String: [Float]] {
        var bands: [String: [Float]] = [:]
        for spec in specs {
            var values = try RasterFile.read(path: spec.path, bands: [spec.band - 1]).floatBand(0)
            apply(scaleOffset[spec.role]!, to: &values)
            bands[spec.role] = values
        }
        return bands
    }
    func compute(_ loaded: [String: [Float]], item: Item) throws -> [[Float]] { try evaluate(loaded, width * height) }
    func write(_ computed: [[Float]], item: Item) throws -> Int {
        try writeFloatBands(zip(names, computed).map { (name: $0, values: $1) }, width: width, height: height, geo: geo, to: output)
        return 1
    }

    /// raw × scale + offset, as `LoadedBands.load` applies it.
    func apply(_ so: (scale: Double, offset: Double), to values: inout [Float]) {
        guard so.scale != 1 || so.offset != 0 else { return }
        let fs = Float(so.scale), fo = Float(so.offset)
        values.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] = p[i] * fs + fo } }
    }
}
