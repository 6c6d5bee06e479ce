import Foundation
import RasterCore
import GroundStation
import RasterIO

extension IndexJob {
    /// Loads the needed bands through GroundStation (manifest calibration and masks, or the loose tile's band map,
    /// scale/offset and nodata → NaN); `calibration.mode: scale` then applies `DN × scale + offset`.
    /// A tile that lacks a band some indices need (a 4-band sensor and `nbr`) is loaded with the bands it has; the
    /// indices it cannot compute are skipped and reported as a warning of the tile (none computable is a failure).
    /// An operating-system read failure (`RasterIOError.io`) is retried under `retry`; corrupt input is not.
    public func ingest(_ item: TileSource) throws -> Loaded {
        try retry.run { try ingestOnce(item) }
    }

    /// One attempt of `ingest`.
    func ingestOnce(_ item: TileSource) throws -> Loaded {
        var tile: ReflectanceTile
        let needed = neededBands
        do { tile = try item.input.load(bands: needed, limits: limits, options: loadOptions) } catch ManifestError.missingBand {
            let all = try item.input.load(bands: nil, limits: limits, options: loadOptions)
            var t = all
            t.bands = all.bands.filter { needed.contains($0.key) }
            tile = t
        }
        if let referenceGrid { tile = try referenceGrid.apply(to: tile) }
        let bands = tile.bands   // calibrated and masked by GroundStation with `loadOptions`
        return Loaded(width: tile.width, height: tile.height, geo: tile.geo, bands: bands,
                      quality: tile.quality.count == tile.width * tile.height ? tile.quality : nil,
                      scene: tile.scene, date: item.input.date ?? tile.scene?.acquired,
                      truth: try readTruth(item, width: tile.width, height: tile.height))
    }

    /// `truth-landcover.tif` of the tile's folder when accuracy is on and it has the tile's size.
    func readTruth(_ item: TileSource, width: Int, height: Int) throws -> (name: String, codes: [UInt8])? {
        guard products.scheme != nil, products.accuracy else { return nil }
        let folder = ((item.files.first ?? item.path) as NSString).deletingLastPathComponent
        let path = (folder as NSString).appendingPathComponent("truth-landcover.tif")
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let r: Raster<UInt8> = try GeoTIFFReader(path: path).read(UInt8.self, window: nil, bands: [0])
        return r.width == width && r.height == height ? ("truth-landcover.tif", r.samples) : nil
    }
}
