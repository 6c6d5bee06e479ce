public import RasterCore
import GroundStation

/// One class of a class map: its code, a short name and a display colour.
public struct ClassDefinition: Sendable, Equatable, Hashable, Codable {
    /// The code stored in the UInt8 class raster.
    public var code: UInt8
    /// A short name (`water`, `built-up`, ...).
    public var name: String
    /// Display colour as `#rrggbb` (or `#rrggbbaa`).
    public var color: String

    /// A class from its parts.
    public init(code: UInt8, name: String, color: String) {
        self.code = code
        self.name = name
        self.color = color
    }
}

/// The default land-use codes (0 nodata ... 8 snow) and the ground station's quality-mask codes, as used by
/// classification and the disaster jobs. Both are GroundStation's (`LandCoverClass`, `PixelQuality`): one scheme
/// for the simulator's truth files, the classifier and every product.
public enum LandUse {
    /// 0: no data (outside the scene, invalid inputs).
    public static let nodata = LandCoverClass.nodata.rawValue
    /// 1: open water.
    public static let water = LandCoverClass.water.rawValue
    /// 2: built-up (roofs, roads, villages).
    public static let builtUp = LandCoverClass.builtUp.rawValue
    /// 3: bare soil and rock.
    public static let bareSoil = LandCoverClass.bareSoil.rawValue
    /// 4: cropland and sparse vegetation.
    public static let cropland = LandCoverClass.cropland.rawValue
    /// 5: tea plantations, forest and other dense vegetation.
    public static let denseVegetation = LandCoverClass.denseVegetation.rawValue
    /// 6: cloud.
    public static let cloud = LandCoverClass.cloud.rawValue
    /// 7: cloud shadow.
    public static let cloudShadow = LandCoverClass.cloudShadow.rawValue
    /// 8: snow and ice.
    public static let snow = LandCoverClass.snow.rawValue

    /// Codes, names and colours of the default land-use scheme.
    public static let classes: [ClassDefinition] = LandCoverClass.allCases.map {
        ClassDefinition(code: $0.rawValue, name: $0.name, color: $0.color.a == 255 ? $0.color.hex : $0.color.hex + "00")
    }

    /// Ground-station quality-mask codes (`PixelQuality`): 0 valid, 1 nodata, 2 saturated, 3 cloud, 4 shadow,
    /// 5 snow, 6 cirrus. Codes not listed here mean "classify from the indices".
    public enum Quality {
        /// Quality code for a usable pixel.
        public static let valid = PixelQuality.valid.rawValue
        /// Quality code for no data.
        public static let nodata = PixelQuality.nodata.rawValue
        /// Quality code for a saturated band.
        public static let saturated = PixelQuality.saturated.rawValue
        /// Quality code for cloud.
        public static let cloud = PixelQuality.cloud.rawValue
        /// Quality code for cloud shadow.
        public static let shadow = PixelQuality.shadow.rawValue
        /// Quality code for snow.
        public static let snow = PixelQuality.snow.rawValue
        /// Quality code for thin cirrus.
        public static let cirrus = PixelQuality.cirrus.rawValue
    }

    /// The land-use class a quality code forces, or nil when the pixel is to be classified:
    /// nodata 1 → 0, cloud 3 → 6, shadow 4 → 7, snow 5 → 8 (as the issue specifies), and also
    /// saturated 2 → 0 (reflectance unusable) and cirrus 6 → 6 (cloud).
    @inlinable public static func forcedClass(quality q: UInt8) -> UInt8? {
        switch q {
        case Quality.nodata, Quality.saturated: return nodata
        case Quality.cloud, Quality.cirrus: return cloud
        case Quality.shadow: return cloudShadow
        case Quality.snow: return snow
        default: return nil
        }
    }

    /// True when a quality code excludes the pixel from change detection (nodata, saturated, cloud, shadow,
    /// snow, cirrus): such pixels are class 0 in every disaster job and never count as change.
    @inlinable public static func isMasked(quality q: UInt8) -> Bool { forcedClass(quality: q) != nil }

    /// A GeoTIFF colour table (256 entries) for a list of classes; codes not listed are transparent black.
    public static func colorTable(for classes: [ClassDefinition]) -> ColorTable {
        var entries = [RGBA](repeating: RGBA(0, 0, 0, 0), count: 256)
        for c in classes { entries[Int(c.code)] = RGBA(hex: c.color) ?? RGBA(0, 0, 0, 0) }
        return ColorTable(entries: entries)
    }
}
