public import Foundation
public import RasterCore

/// An input discovered on disk: a scene folder (scene.json / MTL / STAC item) or a loose multi-band tile.
public struct TileInput: Sendable {
    /// Stable tile id; sorting by id gives the canonical order.
    public var id: String
    /// Every file the tile reads (for input hashing), sorted.
    public var files: [String]
    /// Acquisition time when known (for pairing dates).
    public var date: Date?
    /// Where `date` came from (`manifest`, `config`, `metadata`, `file name`, `folder name`, `TIFFTAG_DATETIME`)
    /// and the text it was read from; nil when the tile is undated.
    public var dateSource: AcquisitionDate?
    /// Role in two-date jobs (`pre` or `post`, from `inputs[].role`), nil for a single-date input.
    public var role: String?
    /// Scene facts when a manifest describes the tile.
    public var scene: SceneInfo? {
        if case .manifest(let m) = source { return m.info }
        return nil
    }

    /// Where the tile comes from.
    public enum Source: Sendable {
        /// A scene described by a manifest.
        case manifest(SceneManifest)
        /// A multi-band file without manifest, with the pipeline's band map.
        case loose(path: String, bandMap: [String: Int]?)
    }

    /// Where the tile comes from.
    public var source: Source

    /// True when the scene carries a product quality band (Landsat QA_PIXEL/BQA, Sentinel-2 SCL, a mask listed
    /// in scene.json) whose cloud flags the loader applies: spectral cloud rules are then redundant.
    public var hasQualityBand: Bool {
        if case .manifest(let m) = source { return !m.quality.isEmpty }
        return false
    }

    /// A tile input from its parts.
    public init(id: String, files: [String], date: Date?, source: Source) {
        self.id = id
        self.files = files
        self.date = date
        self.source = source
    }

    /// Reads, calibrates and masks the tile; `bands` are common names (nil = all bands); `options` are the
    /// config's `calibration:` and `masks:` (`TileLoadOptions`). Calibrated reflectance goes through
    /// `ReflectanceSanity` (a tile whose values are not reflectance fails with `ManifestError.calibration`).
    public func load(bands: [String]?, limits: ResourceLimits, options: TileLoadOptions = TileLoadOptions()) throws -> ReflectanceTile {
        switch source {
        case .manifest(let m):
            var t = try m.load(bands: bands, limits: limits, options: options)
            t.id = id
            return t
        case .loose(let path, let map):
            return try LooseTile.load(path: path, id: id, bandMap: map, bands: bands, limits: limits, options: options)
        }
    }
}
