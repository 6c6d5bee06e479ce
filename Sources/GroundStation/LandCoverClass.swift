public import RasterCore

/// The default land-use scheme: class codes, names and colours of `truth-landcover.tif` and of the
/// classification products (documented in docs/land-cover.md).
public enum LandCoverClass: UInt8, Sendable, CaseIterable {
    /// Outside the footprint / no data.
    case nodata = 0
    /// Open water: rivers, reservoirs, ponds, flood water.
    case water = 1
    /// Built-up: towns, villages, roads.
    case builtUp = 2
    /// Bare soil and rock, burn scars, landslide scars, fallow fields.
    case bareSoil = 3
    /// Cropland (paddies, vegetables) and sparse vegetation.
    case cropland = 4
    /// Tea plantations, forest and other dense vegetation.
    case denseVegetation = 5
    /// Cloud.
    case cloud = 6
    /// Cloud shadow.
    case cloudShadow = 7
    /// Snow and ice.
    case snow = 8

    /// Display name.
    public var name: String {
        switch self {
        case .nodata: "nodata"
        case .water: "water"
        case .builtUp: "built-up"
        case .bareSoil: "bare soil"
        case .cropland: "cropland / sparse vegetation"
        case .denseVegetation: "tea / forest / dense vegetation"
        case .cloud: "cloud"
        case .cloudShadow: "cloud shadow"
        case .snow: "snow"
        }
    }

    /// Legend colour.
    public var color: RGBA {
        switch self {
        case .nodata: RGBA(0, 0, 0, 0)
        case .water: RGBA(0x1f, 0x78, 0xb4)
        case .builtUp: RGBA(0xe3, 0x1a, 0x1c)
        case .bareSoil: RGBA(0xc8, 0xa0, 0x6e)
        case .cropland: RGBA(0xf0, 0xe6, 0x8c)
        case .denseVegetation: RGBA(0x1a, 0x7a, 0x2e)
        case .cloud: RGBA(0xf5, 0xf5, 0xf5)
        case .cloudShadow: RGBA(0x50, 0x50, 0x50)
        case .snow: RGBA(0xa6, 0xe1, 0xf0)
        }
    }

    /// A 256-entry colour table for UInt8 class maps (entries past the scheme are transparent black).
    public static var colorTable: ColorTable {
        var e = [RGBA](repeating: RGBA(0, 0, 0, 0), count: 256)
        for c in allCases { e[Int(c.rawValue)] = c.color }
        return ColorTable(entries: e)
    }
}
