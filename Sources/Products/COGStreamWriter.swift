import Foundation
public import RasterCore
public import RasterIO

/// What a streamed product write produced: the file (size and hash computed while writing), the statistics written
/// into it, and the sidecars written beside it (a class map's `.aux.xml` and `.qml`).
public struct WrittenCOG: Sendable, Equatable {
    /// The product file.
    public let file: WrittenFile
    /// The statistics items written into the file, one per band (empty for a plain GeoTIFF).
    public let statistics: [BandStatistics]
    /// Files written beside the product (a class map's GIS sidecars), each with its hash.
    public let sidecars: [WrittenFile]
}

/// Writes one product (`CloudOptimizedGeoTIFF`'s policy) block by block, so a scene never has to be in memory.
///
/// Blocks are the output's tiles: block (bx, by) covers columns `bx·tileSize ..< min((bx+1)·tileSize, width)` and
/// the rows likewise, samples band-sequential over that clipped size. `write` may be called for the blocks in any
/// order and from several threads at once (each block once); the block is encoded on the calling thread, so the
/// caller's parallelism is the encode parallelism. `finish` builds what remains of the overviews, assembles the
/// Cloud-Optimized GeoTIFF atomically at `path` and returns its record; `abort` drops everything and leaves nothing.
/// The bytes are those `CloudOptimizedGeoTIFF.write` gives for the same raster (the whole-raster call is this
/// writer fed every block).
public final class COGStreamWriter<S: RasterSample>: @unchecked Sendable {
    /// The output path.
    public let path: String
    /// Full-resolution size.
    public let width: Int, height: Int
    /// The block (tile) side.
    public let tileSize: Int
    /// Blocks across and down.
    public var blocksAcross: Int { (width + tileSize - 1) / tileSize }
    /// Blocks down.
    public var blocksDown: Int { (height + tileSize - 1) / tileSize }

    let core: ProductStreamCore<S, S>

    /// A writer for a `width × height` product with `bands` (one `BandInfo` per band), georeferenced by `geo`.
    /// `overviews: false` writes a plain tiled GeoTIFF of the bands as given (no overviews, statistics or
    /// provenance). Throws `ProductsError.invalidInput` for an empty size, a class map that is not one UInt8 band,
    /// or a tile size that is not a positive multiple of 16. `photometric: .rgb` marks a 3-band UInt8 picture.
    public init(path: String, width: Int, height: Int, bands: [BandInfo], geo: GeoReference?,
                kind: CloudOptimizedGeoTIFF.Kind, provenance: Provenance, codec: CloudOptimizedGeoTIFF.Codec = .deflate,
                tileSize: Int = 512, overviews: Bool = true, metadata: [String: String] = [:],
                photometric: GeoTIFFWriter.Photometric = .minIsBlack) throws {
        self.path = path
        self.width = width
        self.height = height
        self.tileSize = tileSize
        core = try ProductStreamCore(path: path, width: width, height: height, bands: bands, geo: geo, kind: kind,
                                     provenance: provenance, codec: codec, tileSize: tileSize, cog: overviews,
                                     metadata: metadata, store: nil, photometric: photometric)
    }

    /// Adds block (`blockX`, `blockY`): band-sequential samples of its clipped size. Thread-safe.
    /// Throws `ProductsError.invalidInput` for a block outside the grid, written twice, or of the wrong size.
    public func write(blockX: Int, blockY: Int, samples: [S]) throws {
        try samples.withUnsafeBufferPointer { try core.write(blockX: blockX, blockY: blockY, samples: $0) }
    }

    /// Adds block (`blockX`, `blockY`) from a buffer (see `write(blockX:blockY:samples:)`).
    public func write(blockX: Int, blockY: Int, buffer: UnsafeBufferPointer<S>) throws {
        try core.write(blockX: blockX, blockY: blockY, samples: buffer)
    }

    /// Completes the file once every block was written: statistics items from `statistics` (one per band, the
    /// caller's figures for the full-resolution samples) or, when nil, from the blocks. Returns the file's record.
    /// Throws when a block is missing or the file cannot be written; nothing is left at `path` then.
    public func finish(statistics: [BandStatistics]? = nil) throws -> WrittenCOG {
        try core.finish(statistics: statistics)
    }

    /// Drops the blocks and any scratch data; nothing is written. Idempotent.
    public func abort() { core.abort() }
}

/// Writes an index plane (Float, NaN or its nodata = no value) block by block, stored as
/// `CloudOptimizedGeoTIFF.IndexDataType` exactly as `CloudOptimizedGeoTIFF.writeIndex` stores it: for `int16`
/// each block is quantised (round(v × 10000), nodata −32768, scale 0.0001), overviews are averaged from the Float
/// values and then quantised, and the statistics items are those of the stored integers.
public final class COGIndexStreamWriter: @unchecked Sendable {
    /// The output path.
    public let path: String
    /// How the plane is stored.
    public let dataType: CloudOptimizedGeoTIFF.IndexDataType
    /// Full-resolution size.
    public let width: Int, height: Int
    /// The block (tile) side.
    public let tileSize: Int
    /// Blocks across.
    public var blocksAcross: Int { (width + tileSize - 1) / tileSize }
    /// Blocks down.
    public var blocksDown: Int { (height + tileSize - 1) / tileSize }

    private enum Core { case float(ProductStreamCore<Float, Float>), int16(ProductStreamCore<Float, Int16>) }
    private let core: Core

    /// A writer for a `width × height` index product with `bands` (usually one, nodata NaN). `cog: false` writes a
    /// plain tiled GeoTIFF (no overviews, statistics or provenance), as `writeIndex(cog: false)` does.
    /// `statisticsGiven: true` promises that `finish` will be given the statistics (the caller measured the plane
    /// anyway): a `float32` writer then gathers none per block. `int16` files carry the stored integers' figures,
    /// so they are gathered per block whatever the flag says.
    public init(path: String, width: Int, height: Int, bands: [BandInfo], geo: GeoReference?,
                dataType: CloudOptimizedGeoTIFF.IndexDataType, cog: Bool = true, provenance: Provenance,
                codec: CloudOptimizedGeoTIFF.Codec = .deflate, tileSize: Int = 512, statisticsGiven: Bool = false) throws {
        self.path = path
        self.dataType = dataType
        self.width = width
        self.height = height
        self.tileSize = tileSize
        switch dataType {
        case .float32:
            core = .float(try ProductStreamCore(path: path, width: width, height: height, bands: bands, geo: geo,
                                                kind: .continuous, provenance: provenance, codec: codec, tileSize: tileSize,
                                                cog: cog, metadata: [:], store: nil, blockStatistics: !statisticsGiven))
        case .int16:
            core = .int16(try ProductStreamCore(path: path, width: width, height: height, bands: bands, geo: geo,
                                                kind: .continuous, provenance: provenance, codec: codec, tileSize: tileSize,
                                                cog: cog, metadata: [:], store: CloudOptimizedGeoTIFF.quantize,
                                                storedBand: CloudOptimizedGeoTIFF.IndexDataType.int16.storedBand))
        }
    }

    /// Adds block (`blockX`, `blockY`): band-sequential Float samples of its clipped size. Thread-safe.
    public func write(blockX: Int, blockY: Int, samples: [Float]) throws {
        try samples.withUnsafeBufferPointer { try write(blockX: blockX, blockY: blockY, buffer: $0) }
    }

    /// Adds block (`blockX`, `blockY`) from a buffer.
    public func write(blockX: Int, blockY: Int, buffer: UnsafeBufferPointer<Float>) throws {
        switch core {
        case .float(let c): try c.write(blockX: blockX, blockY: blockY, samples: buffer)
        case .int16(let c): try c.write(blockX: blockX, blockY: blockY, samples: buffer)
        }
    }

    /// Completes the file. `statistics` (the caller's Float figures) are written for `float32` only; `int16` files
    /// carry the statistics of the stored integers, computed from the blocks.
    public func finish(statistics: [BandStatistics]? = nil) throws -> WrittenCOG {
        switch core {
        case .float(let c):
            guard statistics != nil || c.blockStatistics || !c.cog else {
                c.abort()
                throw ProductsError.invalidInput(item: path, reason: "statistics were promised to finish and not given")
            }
            return try c.finish(statistics: statistics)
        case .int16(let c): return try c.finish(statistics: nil)   // the stored integers' figures, from the blocks
        }
    }

    /// Drops everything; nothing is written. Idempotent.
    public func abort() {
        switch core {
        case .float(let c): c.abort()
        case .int16(let c): c.abort()
        }
    }
}
