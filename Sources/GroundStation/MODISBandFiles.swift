import Foundation
import RasterCore
import RasterIO

/// MODIS products delivered as one GeoTIFF per band with no manifest (as the rio-tiler / AWS MODIS buckets
/// serve them): `MCD43A4.A2017006.h21v11.006.2017018074804_B01.TIF`, `MYD13A1.A2020153…_RR_B04.TIF`.
///
/// Files of one folder that share the product prefix form one scene. The product (MCD43A4, MOD09/MYD09,
/// MOD13/MYD13) chooses the sensor profile; the acquisition date comes from the `AYYYYDDD` field; each band's
/// reflectance = DN·scale + offset with the file's scale/offset (a MODIS-convention scale > 1 is read as a
/// divisor), else the profile's 1e-4. Nodata comes from the file's nodata tag and the profile's fill value.
/// These are surface-reflectance products, so the spectral cloud test does not run.
enum MODISBandFiles {
    /// Scenes found among `files` (one folder); returns the manifests and the files they consumed.
    static func scenes(in files: [String]) -> [(manifest: SceneManifest, consumed: [String])] {
        var groups = [String: [(layer: String, file: String)]]()
        for f in files {
            let name = (f as NSString).lastPathComponent
            guard let m = name.range(of: #"^(M[OYC]D[0-9]{2}[A-Z0-9]*\.A[0-9]{7}\.[^_]+)_(?:([A-Z]+)_)?B([0-9]{2})\.TIF+$"#,
                                     options: [.regularExpression, .caseInsensitive]) else { continue }
            _ = m
            let stem = (name as NSString).deletingPathExtension
            let parts = stem.split(separator: "_")
            let prefix = String(parts[0])
            let layer = parts.count == 3 ? String(parts[1]).uppercased() : String(parts.last!).uppercased()
            groups[prefix, default: []].append((layer, f))
        }
        var out = [(manifest: SceneManifest, consumed: [String])]()
        for prefix in groups.keys.sorted() {
            let product = prefix.prefix(while: { $0 != "." }).uppercased()
            let profile: SensorProfile
            if product.hasPrefix("MCD43") { profile = SensorCatalog.modisMCD43A4 }
            else if product.hasPrefix("MOD13") || product.hasPrefix("MYD13") { profile = SensorCatalog.modisMYD13 }
            else if product.hasPrefix("MOD09") || product.hasPrefix("MYD09") { profile = SensorCatalog.modisMOD09 }
            else { continue }
            var bands = [ManifestBand]()
            var consumed = [String]()
            for (layer, file) in groups[prefix]!.sorted(by: { $0.file < $1.file }) {
                let key = profile.id == SensorCatalog.modisMYD13.id ? layer : "B" + layer.suffix(2)
                guard let sb = profile.bands.first(where: { $0.name == key || SensorProfile.canonicalBandName($0.name) == SensorProfile.canonicalBandName(key) }) else { continue }
                var scale = profile.defaultScale, offset = profile.defaultOffset
                if let d = try? GeoTIFFReader(path: file).description, let b = d.bands.first, b.scale != 1 || b.offset != 0 {
                    if b.scale > 1 { scale = 1 / b.scale; offset = -b.offset / b.scale } else { scale = b.scale; offset = b.offset }
                }
                bands.append(ManifestBand(name: sb.name, commonName: sb.commonName, file: file,
                                          calibration: .scaleOffset(scale: scale, offset: offset), fill: profile.fill))
                consumed.append(file)
            }
            guard !bands.isEmpty else { continue }
            let craft = product.hasPrefix("MOD") ? "Terra" : product.hasPrefix("MYD") ? "Aqua" : "Terra+Aqua"
            let info = SceneInfo(satellite: craft, sensor: "MODIS", sceneID: prefix, acquired: date(prefix),
                                 processingLevel: product, isTOA: false)
            let m = SceneManifest(path: consumed.sorted()[0], format: .modisBandFiles, info: info, profile: profile,
                                  earthSunDistance: date(prefix).map(Calibration.earthSunDistance(on:)) ?? 1, bands: bands)
            out.append((m, consumed))
        }
        return out
    }

    /// `…A2017006…` -> 2017-01-06 00:00 UTC.
    static func date(_ prefix: String) -> Date? {
        guard let r = prefix.range(of: #"\.A[0-9]{7}\."#, options: .regularExpression) else { return nil }
        let s = prefix[r].dropFirst(2).dropLast()
        guard let year = Int(s.prefix(4)), let doy = Int(s.suffix(3)) else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        guard let jan1 = cal.date(from: DateComponents(year: year, month: 1, day: 1)) else { return nil }
        return cal.date(byAdding: .day, value: doy - 1, to: jan1)
    }
}
