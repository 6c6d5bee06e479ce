import Foundation
public import RasterCore
public import RasterIO

/// Writes a tile's true-colour picture, `<tile>_rgb.tif`: a 3-band UInt8 Cloud-Optimized GeoTIFF (photometric
/// RGB: red, green, blue; nodata 0 in every band where the input is invalid; overviews by nodata-aware average;
/// statistics, provenance and georeferencing as the index COGs), each band stretched by `TrueColorStretch`, which is
/// stated in the file (band items `STRETCH_MINIMUM`, `STRETCH_MAXIMUM`, `STRETCH_PERCENTILES`; dataset item
/// `TILEPIPE_RGB_STRETCH`).
///
/// Fed block by block (`write`, any order, thread-safe: the windowed route) or from whole planes (`writeWhole`,
/// the same blocks in turn: the whole-tile route), so both routes give the same bytes. `finish` publishes the file
/// atomically; `abort` leaves nothing.
public final class TrueColorWriter: @unchecked Sendable {
    /// The output path.
    public let path: String
    /// Full-resolution size.
    public let width: Int, height: Int
    /// The block side.
    public let tileSize: Int
    /// The stretch every block is written with.
    public let stretch: TrueColorStretch
    /// The bands written (descriptions, nodata 0, stretch items).
    public let bands: [BandInfo]
    private let writer: COGStreamWriter<UInt8>

    /// A writer for a `width × height` tile on `geo`. `overviews: false` writes a plain tiled GeoTIFF (as
    /// `outputs.cog.overviews: false` does for the index rasters).
    public init(path: String, width: Int, height: Int, geo: GeoReference?, stretch: TrueColorStretch, provenance: Provenance,
                codec: CloudOptimizedGeoTIFF.Codec = .deflate, tileSize: Int = 512, overviews: Bool = true) throws {
        self.path = path
        self.width = width
        self.height = height
        self.tileSize = tileSize
        self.stretch = stretch
        bands = TrueColorStretch.bandNames.enumerated().map { k, name in
            BandInfo(description: name, nodata: 0, metadata: stretch.bandItems(k))
        }
        writer = try COGStreamWriter<UInt8>(path: path, width: width, height: height, bands: bands, geo: geo, kind: .continuous,
                                            provenance: provenance, codec: codec, tileSize: tileSize, overviews: overviews,
                                            metadata: [TrueColorStretch.datasetItem.key: TrueColorStretch.datasetItem.value],
                                            photometric: .rgb)
    }

    /// Adds block (`blockX`, `blockY`) from its reflectance planes (the block's clipped size each).
    public func write(blockX: Int, blockY: Int, red: UnsafeBufferPointer<Float>, green: UnsafeBufferPointer<Float>,
                      blue: UnsafeBufferPointer<Float>) throws {
        try writer.write(blockX: blockX, blockY: blockY, samples: stretch.bytes(red: red, green: green, blue: blue))
    }

    /// Adds block (`blockX`, `blockY`) from its reflectance planes.
    public func write(blockX: Int, blockY: Int, red: [Float], green: [Float], blue: [Float]) throws {
        try red.withUnsafeBufferPointer { r in try green.withUnsafeBufferPointer { g in try blue.withUnsafeBufferPointer { b in
            try write(blockX: blockX, blockY: blockY, red: r, green: g, blue: b)
        } } }
    }

    /// Adds every block from the whole tile's planes (`width × height` each), row-major.
    public func writeWhole(red: [Float], green: [Float], blue: [Float]) throws {
        precondition(red.count == width * height && green.count == red.count && blue.count == red.count, "planes of another size")
        for by in 0..<writer.blocksDown {
            for bx in 0..<writer.blocksAcross {
                let x0 = bx * tileSize, y0 = by * tileSize
                let cw = min(tileSize, width - x0), ch = min(tileSize, height - y0)
                func cut(_ plane: [Float]) -> [Float] {
                    var out = [Float]()
                    out.reserveCapacity(cw * ch)
                    for r in y0..<(y0 + ch) { out.append(contentsOf: plane[(r * width + x0)..<(r * width + x0 + cw)]) }
                    return out
                }
                try write(blockX: bx, blockY: by, red: cut(red), green: cut(green), blue: cut(blue))
            }
        }
    }

    /// Completes the file (statistics from the blocks) and returns its record.
    public func finish() throws -> WrittenCOG { try writer.finish() }

    /// Drops everything; nothing is written. Idempotent.
    public func abort() { writer.abort() }

    /// The tile's STAC asset for the written file: key `rgb`, role `visual`, COG media type, the three bands with
    /// their common names and statistics.
    public func asset(href: String, statistics: [BandStatistics]) -> StacProductAsset {
        let stacBands = bands.enumerated().map { k, info in
            StacBand(name: info.description, info: info, dataType: .uint8, statistics: k < statistics.count ? statistics[k] : nil,
                     commonName: info.description)
        }
        return StacProductAsset(key: "rgb", href: href, mediaType: StacAsset.cogMediaType, roles: ["visual"],
                                title: "True colour (red, green, blue; \(Int(TrueColorStretch.lowPercent))–\(Int(TrueColorStretch.highPercent)) % stretch per band)",
                                bands: stacBands)
    }
}
