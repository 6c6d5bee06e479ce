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

    /// Legend label (capitalised display form of `name`).
    public var label: String {
        switch self {
        case .nodata: "No data"
        case .water: "Water"
        case .builtUp: "Built-up"
        case .bareSoil: "Bare soil"
        case .cropland: "Cropland / sparse vegetation"
        case .denseVegetation: "Tea / forest / dense vegetation"
        case .cloud: "Cloud"
        case .cloudShadow: "Cloud shadow"
        case .snow: "Snow"
        }
    }

    /// Legend colour: the Okabe–Ito colour-blind-safe set where it fits (water blue, built-up vermillion,
    /// snow sky blue); the two vegetation classes differ strongly in lightness so they separate without hue.
    /// The one palette of the scheme: class-map COGs, quicklooks and reports all use it.
    public var color: RGBA {
        switch self {
        case .nodata: RGBA(0, 0, 0, 0)
        case .water: RGBA(0x00, 0x72, 0xB2)
        case .builtUp: RGBA(0xD5, 0x5E, 0x00)
        case .bareSoil: RGBA(0xD9, 0xC2, 0x95)
        case .cropland: RGBA(0xC7, 0xE0, 0x7A)
        case .denseVegetation: RGBA(0x1B, 0x6E, 0x33)
        case .cloud: RGBA(0xF2, 0xF2, 0xF2)
        case .cloudShadow: RGBA(0x55, 0x55, 0x55)
        case .snow: RGBA(0x56, 0xB4, 0xE9)
        }
    }

    /// A 256-entry colour table for UInt8 class maps (entries past the scheme are transparent black).
    public static var colorTable: ColorTable {
        var e = [RGBA](repeating: RGBA(0, 0, 0, 0), count: 256)
        for c in allCases { e[Int(c.rawValue)] = c.color }
        return ColorTable(entries: e)
    }
}
