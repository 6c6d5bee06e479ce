import Foundation
import RasterCore

/// Sentinel-2 STAC item reader (Element 84 earth-search layout: assets keyed by common name, `raster:bands`,
/// `s2:processing_baseline`, `view:sun_elevation`). Asset hrefs are matched by file name in the item's folder.
///
/// Calibration: reflectance = (DN + offset) / 10000, where offset is −1000 when the processing baseline is
/// 04.00 or later and the item does not say the offset was already applied (`earthsearch:boa_offset_applied`),
/// else 0 (domain.md §3 item 4). The `raster:bands` offset is not trusted (Element84/earth-search#66, #71).
public enum STACItem {
    /// Parses a STAC item object read from `path`.
    public static func parse(_ obj: [String: Any], path: String) throws -> SceneManifest {
        guard let props = obj["properties"] as? [String: Any] else { throw ManifestError.missingKey(file: path, key: "properties") }
        guard let id = obj["id"] as? String else { throw ManifestError.missingKey(file: path, key: "id") }
        guard let platform = props["platform"] else { throw ManifestError.missingKey(file: path, key: "properties.platform") }
        guard let platformName = platform as? String else {
            throw ManifestError.wrongType(file: path, key: "properties.platform", expected: "a string", found: "\(platform)")
        }
        guard let profile = SensorCatalog.profile(forSatellite: platformName), profile.id == SensorCatalog.sentinel2MSI.id else {
            throw ManifestError.unknownSatellite(file: path, key: "properties.platform", value: platformName)
        }
        func number(_ key: String) throws -> Double? {
            guard let v = props[key] else { return nil }
            guard let n = v as? NSNumber, !(v is Bool) else {
                throw ManifestError.wrongType(file: path, key: "properties.\(key)", expected: "a number", found: "\(v)")
            }
            return n.doubleValue
        }
        var date: Date?
        if let dt = props["datetime"] {
            guard let s = dt as? String, let d = ISO8601.parse(s) else {
                throw ManifestError.wrongType(file: path, key: "properties.datetime", expected: "an RFC 3339 time", found: "\(dt)")
            }
            date = d
        }
        let baseline = props["s2:processing_baseline"] as? String
        let applied = (props["earthsearch:boa_offset_applied"] as? Bool) ?? false
        let offset = applied ? 0 : Calibration.sentinel2Offset(processingBaseline: baseline)
        let productType = props["s2:product_type"] as? String
        let level = productType.map { $0.hasSuffix("2A") ? "L2A" : $0.hasSuffix("1C") ? "L1C" : $0 }
        let info = SceneInfo(satellite: SensorCatalog.displayName(forSatellite: platformName), sensor: "MSI", sceneID: id,
                             acquired: date, sunElevation: try number("view:sun_elevation"),
                             sunAzimuth: try number("view:sun_azimuth"), cloudCover: try number("eo:cloud_cover"),
                             processingLevel: level, isTOA: level != "L2A")
        guard let assets = obj["assets"] as? [String: Any] else { throw ManifestError.missingKey(file: path, key: "assets") }
        let dir = (path as NSString).deletingLastPathComponent
        func localFile(_ key: String) throws -> String? {
            guard let a = assets[key] as? [String: Any] else { return nil }
            guard let href = a["href"] as? String else { throw ManifestError.missingKey(file: path, key: "assets.\(key).href") }
            let f = (dir as NSString).appendingPathComponent((href as NSString).lastPathComponent)
            return FileManager.default.fileExists(atPath: f) ? f : nil
        }
        var bands = [ManifestBand]()
        for sb in profile.bands where sb.commonName != "qa" {
            guard assets[sb.commonName] != nil else { continue }
            bands.append(ManifestBand(name: sb.name, commonName: sb.commonName, file: try localFile(sb.commonName),
                                      calibration: .scaleOffset(scale: 1e-4, offset: offset / 10000),
                                      fill: 0, saturation: profile.saturation))
        }
        guard !bands.isEmpty else { throw ManifestError.missingKey(file: path, key: "assets.red") }
        var quality = [ManifestQuality]()
        if let scl = try localFile("scl") { quality.append(ManifestQuality(kind: .sentinel2SCL, file: scl)) }
        let distance: Double
        if let rcf = try number("s2:reflectance_conversion_factor"), rcf > 0 { distance = 1 / rcf.squareRoot() }
        else { distance = date.map(Calibration.earthSunDistance(on:)) ?? 1 }
        return SceneManifest(path: path, format: .stacItem, info: info, profile: profile, earthSunDistance: distance,
                             epsg: try number("proj:epsg").map { Int($0) }, bands: bands, quality: quality)
    }
}
