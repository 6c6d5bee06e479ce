import Foundation
import RasterCore
import RasterIO

/// The engine behind `COGStreamWriter` and `COGIndexStreamWriter`: blocks of `In` samples in, a product of `Out`
/// samples (`store` converts a block: identity, or int16 quantisation of an index) out.
///
/// First version: the blocks are gathered into the full raster and written by the whole-raster policy at `finish`.
final class ProductStreamCore<In: RasterSample, Out: RasterSample>: @unchecked Sendable {
    let path: String, width: Int, height: Int, tileSize: Int
    let bands: [BandInfo], geo: GeoReference?, kind: CloudOptimizedGeoTIFF.Kind, provenance: Provenance
    let codec: CloudOptimizedGeoTIFF.Codec, cog: Bool, metadata: [String: String]
    let store: (Raster<In>) -> Raster<Out>
    private let lock = NSLock()
    private var raster: Raster<In>?
    private var written: Set<Int> = []

    init(path: String, width: Int, height: Int, bands: [BandInfo], geo: GeoReference?, kind: CloudOptimizedGeoTIFF.Kind,
         provenance: Provenance, codec: CloudOptimizedGeoTIFF.Codec, tileSize: Int, cog: Bool, metadata: [String: String],
         store: @escaping (Raster<In>) -> Raster<Out>) throws {
        guard width > 0, height > 0, !bands.isEmpty else {
            throw ProductsError.invalidInput(item: path, reason: "empty raster \(width)x\(height)x\(bands.count)")
        }
        guard tileSize >= 16, tileSize % 16 == 0 else {
            throw ProductsError.invalidInput(item: path, reason: "tile size \(tileSize) is not a positive multiple of 16")
        }
        if case .continuous = kind {} else {
            guard Out.sampleType == .uint8, bands.count == 1 else {
                throw ProductsError.invalidInput(item: path, reason: "a class map must be one UInt8 band, not \(bands.count) band(s) of \(Out.sampleType)")
            }
        }
        (self.path, self.width, self.height, self.tileSize) = (path, width, height, tileSize)
        (self.bands, self.geo, self.kind, self.provenance) = (bands, geo, kind, provenance)
        (self.codec, self.cog, self.metadata, self.store) = (codec, cog, metadata, store)
        raster = Raster<In>(width: width, height: height, bandCount: bands.count, bands: bands, geo: geo, metadata: metadata)
    }

    var blocksAcross: Int { (width + tileSize - 1) / tileSize }
    var blocksDown: Int { (height + tileSize - 1) / tileSize }

    func write(blockX: Int, blockY: Int, samples: UnsafeBufferPointer<In>) throws {
        guard (0..<blocksAcross).contains(blockX), (0..<blocksDown).contains(blockY) else {
            throw ProductsError.invalidInput(item: path, reason: "block (\(blockX), \(blockY)) outside the \(blocksAcross)x\(blocksDown) grid")
        }
        let x0 = blockX * tileSize, y0 = blockY * tileSize
        let cw = min(tileSize, width - x0), ch = min(tileSize, height - y0)
        guard samples.count == cw * ch * bands.count else {
            throw ProductsError.invalidInput(item: path, reason: "block (\(blockX), \(blockY)) has \(samples.count) samples, expected \(cw)x\(ch)x\(bands.count)")
        }
        try lock.withLock {
            guard var r = raster else { throw ProductsError.invalidInput(item: path, reason: "write after finish or abort") }
            guard written.insert(blockY * blocksAcross + blockX).inserted else {
                throw ProductsError.invalidInput(item: path, reason: "block (\(blockX), \(blockY)) written twice")
            }
            raster = nil
            for b in 0..<bands.count {
                r.withMutableBand(b) { d in
                    for y in 0..<ch {
                        for x in 0..<cw { d[(y0 + y) * width + x0 + x] = samples[b * cw * ch + y * cw + x] }
                    }
                }
            }
            raster = r
        }
    }

    func finish(statistics: [BandStatistics]?) throws -> WrittenCOG {
        let r: Raster<In> = try lock.withLock {
            guard let r = raster else { throw ProductsError.invalidInput(item: path, reason: "finish after finish or abort") }
            guard written.count == blocksAcross * blocksDown else {
                throw ProductsError.invalidInput(item: path, reason: "\(blocksAcross * blocksDown - written.count) block(s) never written")
            }
            raster = nil
            return r
        }
        var stats: [BandStatistics] = []
        var sidecars: [WrittenFile] = []
        if In.self == Out.self {
            let out = store(r)
            if cog {
                stats = try CloudOptimizedGeoTIFF.write(out, to: path, kind: kind, provenance: provenance, codec: codec,
                                                        tileSize: tileSize, statistics: statistics)
                if let ramp = kind.classRamp { sidecars = GISSidecars.paths(beside: path).compactMap { Self.readBack($0) }; _ = ramp }
            } else {
                try GeoTIFFWriter.write(out, to: path, options: CloudOptimizedGeoTIFF.writerOptions(codec, tileSize: tileSize))
            }
        } else if let f = r as? Raster<Float> {
            stats = try CloudOptimizedGeoTIFF.writeIndex(f, to: path, dataType: .int16, cog: cog, provenance: provenance,
                                                         codec: codec, tileSize: tileSize)
        }
        guard let file = Self.readBack(path) else { throw ProductsError.io(path: path, reason: "cannot read back the written file") }
        return WrittenCOG(file: file, statistics: stats, sidecars: sidecars)
    }

    func abort() { lock.withLock { raster = nil } }

    /// Temporary: the record of a written file, hashed by reading it (the streaming assembly hashes while writing).
    static func readBack(_ path: String) -> WrittenFile? {
        guard let d = FileManager.default.contents(atPath: path) else { return nil }
        var h = XXH64()
        d.withUnsafeBytes { h.add($0) }
        return WrittenFile(path: path, bytes: d.count, hash: h.hex)
    }
}
