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

    /// A tile input from its parts.
    public init(id: String, files: [String], date: Date?, source: Source) {
        self.id = id
        self.files = files
        self.date = date
        self.source = source
    }

    /// Reads, calibrates and masks the tile; `bands` are common names (nil = all bands).
    public func load(bands: [String]?, limits: ResourceLimits) throws -> ReflectanceTile {
        switch source {
        case .manifest(let m):
            var t = try m.load(bands: bands, limits: limits)
            t.id = id
            return t
        case .loose(let path, let map):
            return try LooseTile.load(path: path, id: id, bandMap: map, bands: bands, limits: limits)
        }
    }
}
