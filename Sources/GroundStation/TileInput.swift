public import Foundation
public import RasterCore
public import RasterIO

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
    ///
    /// With `window` only that part is read (see `windowGrid`), and the sanity check is left to the caller
    /// (`ReflectanceSanity.Tally`, with `checksReflectance`); `readers` lends already open readers.
    public func load(bands: [String]?, limits: ResourceLimits, options: TileLoadOptions = TileLoadOptions(),
                     window: Window? = nil, readers: GeoTIFFReaderPool? = nil) throws -> ReflectanceTile {
        switch source {
        case .manifest(let m):
            var t = try m.load(bands: bands, limits: limits, options: options, window: window, readers: readers)
            t.id = id
            return t
        case .loose(let path, let map):
            return try LooseTile.load(path: path, id: id, bandMap: map, bands: bands, limits: limits, options: options,
                                      window: window, readers: readers)
        }
    }

    /// The grid of the tile when it can be read in windows (`load(window:)`): a GeoTIFF loose tile, or a scene whose
    /// files for `bands` (and its quality layers) share one grid. Nil for PNG tiles and scenes whose bands must be
    /// aligned (different resolutions): those are read whole.
    public func windowGrid(bands: [String]?, limits: ResourceLimits, options: TileLoadOptions = TileLoadOptions()) throws -> (width: Int, height: Int, geo: GeoReference?)? {
        switch source {
        case .manifest(let m):
            return try m.windowGrid(bands: bands, options: options, limits: limits)
        case .loose(let path, _):
            do {
                guard try RasterFile.sniff(path) != .png else { return nil }
                let d = try GeoTIFFReader(path: path, limits: limits, forWindows: true).description
                return (d.width, d.height, d.geo)
            } catch let e as RasterIOError where e.kind == "io" {
                throw e
            } catch let e as RasterIOError {
                throw ManifestError.raster(file: e.path, reason: e.reason)
            }
        }
    }

    /// True when a whole-tile `load` with `options` runs `ReflectanceSanity` (a windowed load leaves it to the caller).
    public static func checksReflectance(_ options: TileLoadOptions) -> Bool {
        options.checkReflectance && options.calibration != .none
    }
}
