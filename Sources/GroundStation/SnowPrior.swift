public import Foundation
public import RasterCore
import RasterIO

/// Where and when seasonal snow is physically plausible, from the scene-centre latitude and the acquisition date
/// (no DEM, no thermal band): the prior that keeps the NDSI snow rule from calling bright, SWIR-dark surfaces
/// "snow" in a Californian August.
///
/// - |latitude| ≥ 50°: plausible all year (boreal/polar regions; mountains at these latitudes keep snow fields
///   through summer);
/// - 23.44° ≤ |latitude| < 50°: plausible in the local cold half-year only — November to April in the
///   northern hemisphere, May to October in the southern one;
/// - |latitude| < 23.44° (the tropics): not plausible;
/// - unknown date or location: plausible (no evidence against; the spectral tests decide alone).
///
/// Known limitation (stated in docs/land-cover.md): summer snow and glaciers of high mountains below 50°
/// (Alps, Himalaya, Andes, Kilimanjaro) are not labelled snow without an elevation model; they fall to the
/// remaining rules (usually cloud via brightness, or bare soil).
public enum SnowPrior {
    /// The latitude limit of the tropics (degrees).
    public static let tropics = 23.44
    /// The latitude from which snow is plausible all year (degrees).
    public static let polewardOfAllYear = 50.0

    /// The prior for a scene at `latitude` (degrees, nil unknown) on `date` (nil unknown).
    public static func plausible(latitude: Double?, date: Date?) -> Bool {
        guard let latitude, let date else { return true }
        let a = abs(latitude)
        if a >= polewardOfAllYear { return true }
        if a < tropics { return false }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let month = cal.component(.month, from: date)
        let northernWinter = month >= 11 || month <= 4
        return latitude >= 0 ? northernWinter : !northernWinter
    }

    /// The prior for a raster of `width × height` on `geo` acquired on `date`.
    public static func plausible(geo: GeoReference?, width: Int, height: Int, date: Date?) -> Bool {
        plausible(latitude: centreLatitude(geo: geo, width: width, height: height), date: date)
    }

    /// Latitude of the raster's centre (PROJ), or nil without a usable CRS.
    public static func centreLatitude(geo: GeoReference?, width: Int, height: Int) -> Double? {
        guard let geo, let crs = geo.crs else { return nil }
        let p = geo.transform.apply(column: Double(width) / 2, row: Double(height) / 2)
        if crs.isGeographic { return p.y }
        guard let def = crs.projDefinition, let t = try? CRSTransform.toWGS84(from: def), let ll = try? t.transform(x: p.x, y: p.y),
              ll.y.isFinite, abs(ll.y) <= 90 else { return nil }
        return ll.y
    }
}
