import Foundation
import RasterCore
import RasterIO

/// The engine behind `COGStreamWriter`, `COGIndexStreamWriter` and the whole-raster `CloudOptimizedGeoTIFF.write`
/// / `writeIndex` (which feed it every block): blocks of `In` samples in, a product of `Out` samples out (`store`
/// converts a tile: identity, or the int16 quantisation of an index).
///
/// Memory stays bounded by the tiles in flight: a full-resolution block is encoded and then reduced 2× into its
/// quarter of the level-1 tile it belongs to (`OverviewPyramid.reduce` on the block alone gives the samples the
/// whole level gives, since tiles are even-sized), and is dropped. A partial overview tile waits only for its
/// siblings; when its last quarter arrives it is encoded and reduced into the next level the same way, on the
/// thread that completed it. Fed row by row, at most about one tile row per level is pending.
final class ProductStreamCore<In: RasterSample, Out: RasterSample>: @unchecked Sendable {
    let path: String, width: Int, height: Int, tileSize: Int, cog: Bool
    let kind: CloudOptimizedGeoTIFF.Kind
    /// The bands written (class names and colours for class maps, scale and nodata for int16), statistics aside.
    let productBands: [BandInfo]
    /// The bands the overviews are reduced with (their nodata is skipped and written).
    let pyramidBands: [BandInfo]
    let geo: GeoReference?
    let datasetMetadata: [String: String]
    let resampling: OverviewPyramid.Resampling
    let store: ((UnsafeBufferPointer<In>, [BandInfo]) -> [Out])?
    let blockStatistics: Bool
    private let tiles: GeoTIFFTileWriter<Out>
    private let levels: [(width: Int, height: Int)]

    private enum State { case open, finished, aborted }
    /// An overview tile whose quarters are arriving.
    private struct Pending { var samples: [In]; var received: Int; let expected: Int }
    private let lock = NSLock()
    private var state = State.open
    private var written: Set<Int> = []
    private var pending: [Int: Pending] = [:]
    private var statistics: [Int: [BandStatistics.Accumulator]] = [:]

    /// `store` nil means `In == Out` (samples written as given). `cog: false`: one level, `bands` as given, no
    /// statistics or provenance. `blockStatistics: false` when `finish` will be given the statistics.
    init(path: String, width: Int, height: Int, bands: [BandInfo], geo: GeoReference?, kind: CloudOptimizedGeoTIFF.Kind,
         provenance: Provenance, codec: CloudOptimizedGeoTIFF.Codec, tileSize: Int, cog: Bool, metadata: [String: String],
         store: ((UnsafeBufferPointer<In>, [BandInfo]) -> [Out])?, storedBand: (BandInfo) -> BandInfo = { $0 },
         blockStatistics: Bool = true, memoryLimit: Int = 16 << 20, photometric: GeoTIFFWriter.Photometric = .minIsBlack) throws {
        precondition(store != nil || In.self == Out.self, "a conversion is needed from \(In.self) to \(Out.self)")
        guard width > 0, height > 0, !bands.isEmpty else {
            throw ProductsError.invalidInput(item: path, reason: "empty raster \(width)x\(height)x\(bands.count)")
        }
        guard tileSize >= 16, tileSize % 16 == 0 else {
            throw ProductsError.invalidInput(item: path, reason: "tile size \(tileSize) is not a positive multiple of 16")
        }
        (self.path, self.width, self.height, self.tileSize, self.cog, self.kind) = (path, width, height, tileSize, cog, kind)
        (self.geo, self.store, self.blockStatistics) = (geo, store, blockStatistics)
        if cog {
            productBands = try CloudOptimizedGeoTIFF.productBands(bands.map(storedBand), kind: kind, sampleType: Out.sampleType, path: path)
            datasetMetadata = CloudOptimizedGeoTIFF.datasetMetadata(metadata, geo: geo, provenance: provenance)
            levels = OverviewPyramid.levelSizes(width: width, height: height, tileSize: tileSize)
        } else {
            productBands = bands.map(storedBand)
            datasetMetadata = metadata
            levels = [(width, height)]
        }
        // Class maps reduce with the product's nodata (defaulted from the ramp); stored types from the given bands.
        pyramidBands = store == nil ? productBands : bands
        switch kind {
        case .continuous: resampling = .average
        case .classes: resampling = .mode
        case .classesNearest: resampling = .nearest
        }
        tiles = try GeoTIFFTileWriter<Out>(path: path, levels: levels, bandCount: bands.count, nodata: productBands[0].nodata,
                                           options: CloudOptimizedGeoTIFF.writerOptions(codec, tileSize: tileSize, photometric: photometric),
                                           memoryLimit: memoryLimit)
    }

    var blocksAcross: Int { (width + tileSize - 1) / tileSize }
    var blocksDown: Int { (height + tileSize - 1) / tileSize }
    var bandCount: Int { productBands.count }

    func write(blockX: Int, blockY: Int, samples: UnsafeBufferPointer<In>) throws {
        guard (0..<blocksAcross).contains(blockX), (0..<blocksDown).contains(blockY) else {
            throw ProductsError.invalidInput(item: path, reason: "block (\(blockX), \(blockY)) outside the \(blocksAcross)x\(blocksDown) grid")
        }
        let cw = min(tileSize, width - blockX * tileSize), ch = min(tileSize, height - blockY * tileSize)
        guard samples.count == cw * ch * bandCount else {
            throw ProductsError.invalidInput(item: path, reason: "block (\(blockX), \(blockY)) has \(samples.count) samples, expected \(cw)x\(ch)x\(bandCount)")
        }
        try lock.withLock {
            guard state == .open else { throw ProductsError.invalidInput(item: path, reason: "block written after finish or abort") }
            guard written.insert(blockY * blocksAcross + blockX).inserted else {
                throw ProductsError.invalidInput(item: path, reason: "block (\(blockX), \(blockY)) written twice")
            }
        }
        try emit(level: 0, tileX: blockX, tileY: blockY, width: cw, height: ch, samples: samples)
    }

    /// Encodes tile (`tileX`, `tileY`) of `level` and passes its reduction up the pyramid.
    private func emit(level: Int, tileX: Int, tileY: Int, width cw: Int, height ch: Int, samples: UnsafeBufferPointer<In>) throws {
        let plane = cw * ch
        func encode(_ out: UnsafeBufferPointer<Out>) throws {
            try tiles.writeTile(level: level, tileX: tileX, tileY: tileY, samples: out)
            guard level == 0, blockStatistics, cog else { return }
            let acc = (0..<bandCount).map { b in
                CloudOptimizedGeoTIFF.accumulate(UnsafeBufferPointer(rebasing: out[(b * plane)..<((b + 1) * plane)]), nodata: productBands[b].nodata)
            }
            lock.withLock { statistics[tileY * blocksAcross + tileX] = acc }
        }
        if let store {
            try store(samples, pyramidBands).withUnsafeBufferPointer { try encode($0) }
        } else {
            try samples.withMemoryRebound(to: Out.self) { try encode($0) }
        }
        guard level + 1 < levels.count else { return }

        // This tile's quarter of its parent.
        let qw = (cw + 1) / 2, qh = (ch + 1) / 2
        var quarter = [In](repeating: In(clampingDouble: 0), count: qw * qh * bandCount)
        quarter.withUnsafeMutableBufferPointer { q in
            for b in 0..<bandCount {
                OverviewPyramid.reduce(UnsafeBufferPointer(rebasing: samples[(b * plane)..<((b + 1) * plane)]), width: cw, height: ch,
                                       stride: cw, info: pyramidBands[b], resampling: resampling,
                                       into: UnsafeMutableBufferPointer(rebasing: q[(b * qw * qh)..<((b + 1) * qw * qh)]), stride: qw)
            }
        }
        let parent = level + 1, px = tileX / 2, py = tileY / 2
        let pw = min(tileSize, levels[parent].width - px * tileSize), ph = min(tileSize, levels[parent].height - py * tileSize)
        let key = parentKey(level: parent, tileX: px, tileY: py)
        let ox = (tileX % 2) * (tileSize / 2), oy = (tileY % 2) * (tileSize / 2)
        let complete: [In]? = lock.withLock {
            // Taken out of the table while it is filled: a copy left in `pending` would make the write below copy
            // the whole parent tile (copy-on-write) for every quarter.
            var p = pending.removeValue(forKey: key)
                ?? Pending(samples: [In](repeating: In(clampingDouble: 0), count: pw * ph * bandCount), received: 0,
                           expected: children(level: level, parentX: px, parentY: py))
            p.samples.withUnsafeMutableBufferPointer { d in
                quarter.withUnsafeBufferPointer { q in
                    for b in 0..<bandCount {
                        for r in 0..<qh {
                            let src = b * qw * qh + r * qw, dst = b * pw * ph + (oy + r) * pw + ox
                            UnsafeMutableBufferPointer(rebasing: d[dst..<(dst + qw)]).update(fromContentsOf: q[src..<(src + qw)])
                        }
                    }
                }
            }
            p.received += 1
            if p.received == p.expected { return p.samples }
            pending[key] = p
            return nil
        }
        if let complete {
            try complete.withUnsafeBufferPointer {
                try emit(level: parent, tileX: px, tileY: py, width: pw, height: ph, samples: $0)
            }
        }
    }

    private func parentKey(level: Int, tileX: Int, tileY: Int) -> Int {
        let across = (levels[level].width + tileSize - 1) / tileSize
        return level << 40 | (tileY * across + tileX)
    }

    /// How many tiles of `level` fall in tile (`parentX`, `parentY`) of the next level (1, 2 or 4).
    private func children(level: Int, parentX: Int, parentY: Int) -> Int {
        let across = (levels[level].width + tileSize - 1) / tileSize, down = (levels[level].height + tileSize - 1) / tileSize
        return min(2, across - 2 * parentX) * min(2, down - 2 * parentY)
    }

    func finish(statistics given: [BandStatistics]?) throws -> WrittenCOG {
        let blockStats: [Int: [BandStatistics.Accumulator]] = try lock.withLock {
            guard state == .open else { throw ProductsError.invalidInput(item: path, reason: "finish after finish or abort") }
            let missing = blocksAcross * blocksDown - written.count
            guard missing == 0 else {
                state = .aborted
                tiles.abort()
                throw ProductsError.invalidInput(item: path, reason: "\(missing) block(s) never written")
            }
            precondition(pending.isEmpty, "overview tiles left pending after every block was written")
            state = .finished
            return statistics
        }
        do {
            var bands = productBands
            var stats: [BandStatistics] = []
            if cog {
                if let given {
                    guard given.count == bandCount else {
                        throw ProductsError.invalidInput(item: path, reason: "\(given.count) statistics for \(bandCount) band(s)")
                    }
                    stats = given
                } else {
                    precondition(blockStatistics, "no statistics given and none gathered")
                    stats = (0..<bandCount).map { b in
                        var acc = BandStatistics.Accumulator()
                        for k in 0..<(blocksAcross * blocksDown) { acc.merge(blockStats[k]![b]) }
                        return acc.result
                    }
                }
                for b in bands.indices { bands[b].metadata.merge(CloudOptimizedGeoTIFF.statisticsItems(stats[b])) { _, new in new } }
            }
            let file = try tiles.finish(bands: bands, geo: geo, metadata: datasetMetadata)
            let sidecars = try cog ? kind.classRamp.map { try GISSidecars.writeClassMap(ramp: $0, besideRaster: path) } ?? [] : []
            return WrittenCOG(file: file, statistics: stats, sidecars: sidecars)
        } catch {
            tiles.abort()
            throw error
        }
    }

    func abort() {
        lock.withLock {
            state = .aborted
            pending = [:]
        }
        tiles.abort()
    }
}
