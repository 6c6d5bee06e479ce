import Foundation
import RasterCore

/// Landsat MTL metadata readers: the ODL text form (`GROUP = …` / `KEY = value`, pre-collection, Collection 1
/// and Collection 2) and its JSON rendering (`{"L1_METADATA_FILE": {"IMAGE_ATTRIBUTES": {…}}}` as rio-toa and
/// USGS's MTL.json write it). Both are flattened to group → key → value and read by one mapping.
public enum LandsatMTL {
    /// Group → key → value (strings unquoted).
    typealias Groups = [String: [String: String]]

    /// Parses MTL text.
    public static func parse(text: String, path: String) throws -> SceneManifest {
        var groups = Groups()
        var stack = [String]()
        for (lineNo, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line == "END" { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw ManifestError.unreadable(file: path, reason: "line \(lineNo + 1): expected KEY = value, found '\(line)'")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            switch key {
            case "GROUP": stack.append(value)
            case "END_GROUP": _ = stack.popLast()
            default: groups[stack.last ?? "", default: [:]][key] = value
            }
        }
        return try manifest(groups, path: path, format: .mtlText)
    }

    /// Parses an MTL.json object.
    public static func parse(json: [String: Any], path: String) throws -> SceneManifest {
        var groups = Groups()
        func walk(_ obj: [String: Any], group: String) {
            for (k, v) in obj {
                if let sub = v as? [String: Any] { walk(sub, group: k) }
                else if let s = v as? String { groups[group, default: [:]][k] = s }
                else if let n = v as? NSNumber { groups[group, default: [:]][k] = n.stringValue }
            }
        }
        walk(json, group: "")
        return try manifest(groups, path: path, format: .mtlJSON)
    }

    /// A lookup over the flattened groups that reports the group-qualified key in errors.
    struct Lookup {
        let groups: Groups
        let path: String

        /// The first group holding `key`, preferring `groups` in order, then any group.
        func find(_ key: String, in preferred: [String] = []) -> (group: String, value: String)? {
            for g in preferred { if let v = groups[g]?[key] { return (g, v) } }
            for g in groups.keys.sorted() { if let v = groups[g]?[key] { return (g, v) } }
            return nil
        }
        func string(_ key: String, in preferred: [String] = []) -> String? { find(key, in: preferred)?.value }
        func double(_ key: String, in preferred: [String] = []) throws -> Double? {
            guard let (g, v) = find(key, in: preferred) else { return nil }
            guard let d = Double(v) else {
                throw ManifestError.wrongType(file: path, key: g.isEmpty ? key : "\(g).\(key)", expected: "a number", found: "'\(v)'")
            }
            return d
        }
        func requireDouble(_ key: String, in preferred: [String] = []) throws -> Double {
            guard let d = try double(key, in: preferred) else { throw ManifestError.missingKey(file: path, key: key) }
            return d
        }
    }

    static func manifest(_ groups: Groups, path: String, format: SceneManifest.Format) throws -> SceneManifest {
        let m = Lookup(groups: groups, path: path)
        guard let craft = m.string("SPACECRAFT_ID") else { throw ManifestError.missingKey(file: path, key: "SPACECRAFT_ID") }
        guard let profile = SensorCatalog.profile(forSatellite: craft), profile.id == SensorCatalog.landsatOLI.id else {
            throw ManifestError.unknownSatellite(file: path, key: "SPACECRAFT_ID", value: craft)
        }
        let contents = ["PRODUCT_CONTENTS", "PRODUCT_METADATA", "METADATA_FILE_INFO"]
        guard let sceneID = m.string("LANDSAT_PRODUCT_ID", in: contents) ?? m.string("LANDSAT_SCENE_ID", in: contents) else {
            throw ManifestError.missingKey(file: path, key: "LANDSAT_SCENE_ID")
        }
        let level = m.string("PROCESSING_LEVEL", in: contents) ?? m.string("DATA_TYPE", in: contents)
        let isL2 = level?.hasPrefix("L2") ?? false
        let elevation = try m.requireDouble("SUN_ELEVATION")
        let date = try acquisitionDate(m)
        let info = SceneInfo(satellite: SensorCatalog.displayName(forSatellite: craft), sensor: m.string("SENSOR_ID") ?? "OLI_TIRS",
                             sceneID: sceneID, acquired: date, sunElevation: elevation,
                             sunAzimuth: try m.double("SUN_AZIMUTH"), cloudCover: try m.double("CLOUD_COVER"),
                             processingLevel: level, isTOA: !isL2)
        let distance = try m.double("EARTH_SUN_DISTANCE") ?? date.map(Calibration.earthSunDistance(on:)) ?? 1
        let epsg = try m.double("UTM_ZONE").map { 32600 + Int($0) }
        let dir = (path as NSString).deletingLastPathComponent
        let l1Groups = ["RADIOMETRIC_RESCALING", "LEVEL1_RADIOMETRIC_RESCALING"]
        let l2Groups = ["LEVEL2_SURFACE_REFLECTANCE_PARAMETERS"]
        var bands = [ManifestBand]()
        for sb in profile.bands where sb.commonName != "qa" {
            let n = sb.name.dropFirst()  // "5" of "B5"
            let fileName = m.string("FILE_NAME_BAND_\(n)", in: contents) ?? m.string("FILE_NAME_BAND_ST_B\(n)", in: contents)
            let cal: BandCalibration
            if isL2, let mult = try m.double("REFLECTANCE_MULT_BAND_\(n)", in: l2Groups), groups["LEVEL2_SURFACE_REFLECTANCE_PARAMETERS"]?["REFLECTANCE_MULT_BAND_\(n)"] != nil {
                cal = .reflectance(mult: mult, add: try m.requireDouble("REFLECTANCE_ADD_BAND_\(n)", in: l2Groups), sunCorrected: false)
            } else if !isL2, let mult = try m.double("REFLECTANCE_MULT_BAND_\(n)", in: l1Groups) {
                cal = .reflectance(mult: mult, add: try m.requireDouble("REFLECTANCE_ADD_BAND_\(n)", in: l1Groups), sunCorrected: true)
            } else if !isL2, let g = try m.double("RADIANCE_MULT_BAND_\(n)", in: l1Groups) {
                // Thermal bands: brightness temperature (K) when K1/K2 are given, else radiance.
                let add = try m.requireDouble("RADIANCE_ADD_BAND_\(n)", in: l1Groups)
                if let k1 = try m.double("K1_CONSTANT_BAND_\(n)"), let k2 = try m.double("K2_CONSTANT_BAND_\(n)") {
                    cal = .brightnessTemperature(gain: g, offset: add, k1: k1, k2: k2)
                } else {
                    cal = .scaleOffset(scale: g, offset: add)
                }
            } else {
                continue
            }
            guard let fileName else { continue }
            let file = resolve(fileName, bandSuffix: sb.name, sceneID: m.string("LANDSAT_SCENE_ID") ?? sceneID, in: dir)
            bands.append(ManifestBand(name: sb.name, commonName: sb.commonName, file: file, calibration: cal,
                                      fill: profile.fill, saturation: profile.saturation))
        }
        guard !bands.isEmpty else { throw ManifestError.missingKey(file: path, key: "REFLECTANCE_MULT_BAND_1") }
        var quality = [ManifestQuality]()
        if let q = m.string("FILE_NAME_QUALITY_L1_PIXEL", in: contents),
           let f = resolve(q, bandSuffix: "QA_PIXEL", sceneID: sceneID, in: dir) {
            quality.append(ManifestQuality(kind: .landsatC2QAPixel, file: f))
        } else if let q = m.string("FILE_NAME_BAND_QUALITY", in: contents),
                  let f = resolve(q, bandSuffix: "BQA", sceneID: m.string("LANDSAT_SCENE_ID") ?? sceneID, in: dir) {
            // Pre-collection products have no LANDSAT_PRODUCT_ID and use the older BQA bit layout.
            let kind: QualityBandKind = m.string("LANDSAT_PRODUCT_ID", in: contents) == nil ? .landsatPreBQA : .landsatC1BQA
            quality.append(ManifestQuality(kind: kind, file: f))
        }
        return SceneManifest(path: path, format: format, info: info, profile: profile, earthSunDistance: distance,
                             epsg: epsg, bands: bands, quality: quality)
    }

    /// `DATE_ACQUIRED` + `SCENE_CENTER_TIME` (`18:55:50.7858220Z`, up to 7 fractional digits) as a UTC date.
    static func acquisitionDate(_ m: Lookup) throws -> Date? {
        guard let day = m.string("DATE_ACQUIRED") ?? m.string("ACQUISITION_DATE") else { return nil }
        guard let base = ISO8601.parse(day) else {
            throw ManifestError.wrongType(file: m.path, key: "DATE_ACQUIRED", expected: "YYYY-MM-DD", found: "'\(day)'")
        }
        guard let t = m.string("SCENE_CENTER_TIME") ?? m.string("SCENE_CENTER_SCAN_TIME") else { return base }
        let parts = t.replacingOccurrences(of: "Z", with: "").split(separator: ":")
        guard parts.count == 3, let h = Double(parts[0]), let mi = Double(parts[1]), let s = Double(parts[2]) else {
            throw ManifestError.wrongType(file: m.path, key: "SCENE_CENTER_TIME", expected: "HH:MM:SS.sssZ", found: "'\(t)'")
        }
        return base.addingTimeInterval(h * 3600 + mi * 60 + s)
    }

    /// The band file in `dir`: the exact name when present, else the one file whose stem ends with
    /// `_<suffix>` (case-insensitive), preferring names that contain the scene id (test crops are renamed).
    static func resolve(_ name: String, bandSuffix: String, sceneID: String, in dir: String) -> String? {
        let exact = (dir as NSString).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: exact) { return exact }
        let suffix = "_" + bandSuffix.uppercased()
        let all = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        let candidates = all.filter { f in
            let stem = (f as NSString).deletingPathExtension.uppercased()
            let ext = (f as NSString).pathExtension.lowercased()
            return (ext == "tif" || ext == "tiff") && stem.hasSuffix(suffix)
        }.sorted()
        let withID = candidates.filter { $0.uppercased().contains(sceneID.uppercased()) }
        if let f = withID.first { return (dir as NSString).appendingPathComponent(f) }
        // A lone candidate is used unless its name carries another Landsat scene id.
        if candidates.count == 1, candidates[0].range(of: #"L[COTEM]\d{8,}"#, options: .regularExpression) == nil {
            return (dir as NSString).appendingPathComponent(candidates[0])
        }
        return nil
    }
}
