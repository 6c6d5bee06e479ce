import Foundation
public import RasterCore
internal import CShims
internal import CTIFF
#if canImport(Glibc)
import Glibc
#endif

/// Writes a tiled GeoTIFF (full resolution plus optional reduced-resolution levels) tile by tile, in the layout
/// of `GeoTIFFWriter` and with the same bytes, without ever holding a level in memory.
///
/// `writeTile` may be called for any tile of any level, in any order, from several threads at once (each tile
/// once): the tile is compressed on the calling thread by a libtiff encoder (`TIFFTileEncoder`) taken from the pool
/// that every writer of the same configuration shares (`TileEncoderPool`) and given back after the tile,
/// and its compressed bytes go to an `EncodedTileStore` (memory, then a scratch file next to the output).
/// `finish` lets libtiff lay the file out in memory (IFDs, strile arrays, tiles appended raw, smallest level
/// first) and writes it front to back through `AtomicFile.writeHashed`, so the returned hash is that of the bytes
/// as they were written. `abort` drops everything. Nothing partial ever appears at `path`.
public final class GeoTIFFTileWriter<S: RasterSample>: @unchecked Sendable {
    /// The output path.
    public let path: String
    /// Size of each level, full resolution first.
    public let levels: [(width: Int, height: Int)]
    /// Samples per pixel.
    public let bandCount: Int
    /// Write options (codec, level, predictor, tile size, BigTIFF).
    public let options: GeoTIFFWriter.Options
    private let pad: S
    private let store: EncodedTileStore
    private let firstKey: [Int]
    private let lock = NSLock()
    private var closed = false

    /// A writer for `levels` (full resolution first, then each overview) of `bandCount` bands. Edge tiles are padded
    /// with `nodata` (0 when nil, or NaN for an integer type). `memoryLimit` caps the compressed bytes kept in memory
    /// before tiles go to the scratch file.
    public init(path: String, levels: [(width: Int, height: Int)], bandCount: Int, nodata: Double?,
                options: GeoTIFFWriter.Options = .init(), memoryLimit: Int = 16 << 20) throws {
        guard let main = levels.first, levels.allSatisfy({ $0.width > 0 && $0.height > 0 }), bandCount > 0 else {
            throw RasterIOError.invalidRequest(path: path, reason: "cannot write an empty raster (\(levels.first.map { "\($0.width)x\($0.height)" } ?? "no level")x\(bandCount))")
        }
        _ = main
        guard [.uint8, .int8, .uint16, .int16, .uint32, .int32, .float32, .float64].contains(S.sampleType) else {
            throw RasterIOError.unsupported(path: path, reason: "cannot write \(S.sampleType)")
        }
        guard options.tileSize >= 16, options.tileSize % 16 == 0 else {
            throw RasterIOError.invalidRequest(path: path, reason: "tile size \(options.tileSize) is not a positive multiple of 16")
        }
        guard rs_tiff_codec_configured(options.compression.code) == 1 else {
            throw RasterIOError.unsupported(path: path, reason: "compression \(options.compression.rawValue) is not available in this libtiff")
        }
        self.path = path
        self.levels = levels
        self.bandCount = bandCount
        self.options = options
        pad = S(clampingDouble: nodata.map { $0.isNaN && !S.sampleType.isFloatingPoint ? 0 : $0 } ?? 0)
        store = EncodedTileStore(outputPath: path, memoryLimit: memoryLimit)
        var keys: [Int] = [], k = 0
        for l in levels { keys.append(k); k += Self.tiles(l.width, options.tileSize) * Self.tiles(l.height, options.tileSize) }
        firstKey = keys
    }

    static func tiles(_ n: Int, _ tile: Int) -> Int { (n + tile - 1) / tile }

    /// Tiles across and down level `level`.
    public func tileGrid(level: Int) -> (across: Int, down: Int) {
        (Self.tiles(levels[level].width, options.tileSize), Self.tiles(levels[level].height, options.tileSize))
    }

    /// The clipped size of tile (`tileX`, `tileY`) of `level`.
    public func tileSize(level: Int, tileX: Int, tileY: Int) -> (width: Int, height: Int) {
        let t = options.tileSize
        return (min(t, levels[level].width - tileX * t), min(t, levels[level].height - tileY * t))
    }

    /// Whether compressed tiles went to the scratch file (tests).
    var spilled: Bool { store.spilled }

    /// Compresses and keeps tile (`tileX`, `tileY`) of `level`: `samples` band-sequential over the clipped size.
    public func writeTile(level: Int, tileX: Int, tileY: Int, samples: UnsafeBufferPointer<S>) throws {
        guard levels.indices.contains(level) else {
            throw RasterIOError.invalidRequest(path: path, reason: "level \(level) of \(levels.count)")
        }
        let grid = tileGrid(level: level)
        guard (0..<grid.across).contains(tileX), (0..<grid.down).contains(tileY) else {
            throw RasterIOError.invalidRequest(path: path, reason: "tile (\(tileX), \(tileY)) outside the \(grid.across)x\(grid.down) grid of level \(level)")
        }
        let (cw, ch) = tileSize(level: level, tileX: tileX, tileY: tileY)
        guard samples.count == cw * ch * bandCount else {
            throw RasterIOError.invalidRequest(path: path, reason: "tile (\(tileX), \(tileY)) of level \(level): \(samples.count) samples, expected \(cw)x\(ch)x\(bandCount)")
        }
        let key = firstKey[level] + tileY * grid.across + tileX
        let tile = options.tileSize, spp = bandCount
        let encoder = try takeEncoder()
        let n = cw * ch
        // A whole single-band tile is already the tile's bytes: encoded from `samples` as they are (the encoder only
        // reads them). Any other tile is laid out in the encoder's buffer: padded, bands interleaved.
        let whole = spp == 1 && cw == tile && ch == tile
        if !whole {
            let dst = encoder.tile.bindMemory(to: S.self)   // reused: every sample is written below
            if cw < tile || ch < tile { dst.initialize(repeating: pad) }
            if spp == 1 {
                // Whole rows as raw bytes: this generic function is not specialised, so an element loop would call
                // a value witness per sample.
                let rowBytes = cw * MemoryLayout<S>.stride
                let srcRaw = UnsafeRawPointer(samples.baseAddress!), dstRaw = UnsafeMutableRawPointer(dst.baseAddress!)
                for y in 0..<ch {
                    (dstRaw + y * tile * MemoryLayout<S>.stride).copyMemory(from: srcRaw + y * cw * MemoryLayout<S>.stride, byteCount: rowBytes)
                }
            } else {
                for y in 0..<ch {
                    for b in 0..<spp {
                        let s = b * n + y * cw
                        var d = y * tile * spp + b
                        for x in 0..<cw { dst[d] = samples[s + x]; d += spp }
                    }
                }
            }
        }
        let bytes: EncodedTile
        do {
            bytes = try encoder.encode(whole ? UnsafeRawBufferPointer(samples) : UnsafeRawBufferPointer(encoder.tile))
        } catch {   // the encoder is dropped: its libtiff handle may be left mid-tile
            throw RasterIOError.io(path: path, reason: "cannot encode tile (\(tileX), \(tileY)) of level \(level): \((error as? RasterIOError)?.reason ?? "\(error)")")
        }
        TileEncoderPool.shared.give([encoder], poolKey)
        try store.put(key, bytes)
    }

    /// An idle encoder of this configuration (`TileEncoderPool`, shared by every writer), else a new one.
    private func takeEncoder() throws -> TIFFTileEncoder {
        try lock.withLock {
            guard !closed else { throw RasterIOError.invalidRequest(path: path, reason: "tile written after finish or abort") }
        }
        if let e = TileEncoderPool.shared.take(poolKey) { return e }
        // Not named after this file: the encoder may go on to encode tiles of others (errors name the writer's path).
        return try TIFFTileEncoder(type: S.sampleType, bands: bandCount, tileSize: options.tileSize, options: options,
                                   reportedPath: "tile encoder")
    }

    /// The configuration under which this writer's encoders are shared.
    private var poolKey: TileEncoderPool.Key {
        TileEncoderPool.Key(type: S.sampleType, bands: bandCount, tileSize: options.tileSize, options: options)
    }

    /// Closes the writer to further tiles.
    private func close() { lock.withLock { closed = true } }

    /// Assembles the file at `path` (atomically) once every tile of every level was written: `bands` (one per band:
    /// descriptions, nodata, scale/offset, units, items, colour table of band 1), `geo` and dataset `metadata` go
    /// into the first IFD. Returns the file's size and XXH64, computed from the bytes as they were written.
    public func finish(bands: [BandInfo], geo: GeoReference?, metadata: [String: String]) throws -> WrittenFile {
        guard bands.count == bandCount else {
            throw RasterIOError.invalidRequest(path: path, reason: "\(bands.count) band descriptions for \(bandCount) band(s)")
        }
        close()
        defer { store.clear() }
        let total = firstKey.last! + tileGrid(level: levels.count - 1).across * tileGrid(level: levels.count - 1).down
        guard store.count == total else {
            throw RasterIOError.invalidRequest(path: path, reason: "\(total - store.count) of \(total) tile(s) never written")
        }
        let raw = levels.reduce(0) { $0 + $1.width * $1.height * bandCount * S.sampleType.byteWidth }
        let big = options.bigTIFF ?? (raw > Int(UInt32.max) - (64 << 20))
        let layout = VirtualTIFFFile()
        try GeoTIFFWriter.layOut(into: layout, path: path, levels: levels, type: S.sampleType, bands: bands, geo: geo,
                                 metadata: metadata, options: options, bigTIFF: big,
                                 tileLength: { try self.length(level: $0, index: $1) }, firstKey: firstKey)
        return try AtomicFile.writeHashed(to: path) { sink in
            try layout.emit({ try sink.write($0) }, placed: { key, length in
                try self.store.withBytes(key) { bytes in
                    guard bytes.count == length else {
                        throw RasterIOError.io(path: self.path, reason: "tile \(key): \(bytes.count) bytes stored, \(length) laid out")
                    }
                    try sink.write(bytes)
                }
            })
        }
    }

    private func length(level: Int, index: Int) throws -> Int {
        guard let n = store.length(firstKey[level] + index) else {
            throw RasterIOError.invalidRequest(path: path, reason: "tile \(index) of level \(level) never written")
        }
        return n
    }

    /// Drops every tile and the scratch file; nothing is written. Idempotent.
    public func abort() {
        close()
        store.clear()
    }
}
