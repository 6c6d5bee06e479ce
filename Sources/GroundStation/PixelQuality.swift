/// Per-pixel quality codes, one UInt8 per pixel.
///
/// When several conditions hold for one pixel the first in this priority order wins:
/// nodata > saturated > cloud > cirrus > shadow > snow (see `QualityMask.combine`).
public enum PixelQuality: UInt8, Sendable, CaseIterable {
    /// Usable surface observation.
    case valid = 0
    /// Declared nodata, fill outside the footprint, or missing in any loaded band.
    case nodata = 1
    /// At least one band at the sensor's saturation value.
    case saturated = 2
    /// Cloud (QA bits, SCL 8/9, or the spectral test).
    case cloud = 3
    /// Cloud shadow.
    case shadow = 4
    /// Snow or ice.
    case snow = 5
    /// Thin cirrus.
    case cirrus = 6

    /// Rank used when combining masks: lower wins.
    var priority: Int {
        switch self {
        case .nodata: 0
        case .saturated: 1
        case .cloud: 2
        case .cirrus: 3
        case .shadow: 4
        case .snow: 5
        case .valid: 6
        }
    }
}
