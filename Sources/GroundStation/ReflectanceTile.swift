import Foundation
public import RasterCore

/// One tile ready for index computation: TOA (or BOA) reflectance per common band name, NaN where invalid.
public struct ReflectanceTile: Sendable {
    /// Stable tile id (scene id + tile name, or file stem). Sorting by id gives the canonical order.
    public var id: String
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Georeferencing of the (finest) grid all bands share.
    public var geo: GeoReference?
    /// Common name -> reflectance (row-major, `width*height`), NaN where quality != valid. Thermal bands, read only
    /// when asked for by name, hold brightness temperature in kelvin.
    public var bands: [String: [Float]]
    /// `PixelQuality` raw values, one per pixel.
    public var quality: [UInt8]
    /// The acquisition, when a manifest describes it.
    public var scene: SceneInfo?
    /// Every file read to build this tile.
    public var sourceFiles: [String]

    /// A tile from its parts.
    public init(id: String, width: Int, height: Int, geo: GeoReference?, bands: [String: [Float]], quality: [UInt8],
                scene: SceneInfo?, sourceFiles: [String]) {
        self.id = id
        self.width = width
        self.height = height
        self.geo = geo
        self.bands = bands
        self.quality = quality
        self.scene = scene
        self.sourceFiles = sourceFiles
    }

    /// Pixels per band.
    public var pixelCount: Int { width * height }

    /// Number of pixels with each quality code.
    public func qualityCounts() -> [PixelQuality: Int] {
        var counts = [Int](repeating: 0, count: 256)
        for q in quality { counts[Int(q)] += 1 }
        var out = [PixelQuality: Int]()
        for q in PixelQuality.allCases where counts[Int(q.rawValue)] > 0 { out[q] = counts[Int(q.rawValue)] }
        return out
    }

    /// Band names in a stable order (spectral order of the common names, then alphabetical).
    public var bandNames: [String] { CommonBand.sorted(Array(bands.keys)) }
}
