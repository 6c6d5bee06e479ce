public import Foundation
import RasterCore

/// The station's own scene manifest, `scene.json` (schema `tilepipe-scene/1`, documented in docs/scene-json.md).
public struct SceneDocument: Codable, Sendable, Equatable {
    /// Schema tag, `tilepipe-scene/1`.
    public var schema: String
    /// Satellite name (must be in `SensorCatalog`).
    public var satellite: String
    /// Sensor name.
    public var sensor: String
    /// Scene identifier.
    public var sceneID: String
    /// Tile name within the scene (`r0c1`), optional.
    public var tile: String?
    /// Acquisition time, ISO 8601 in UTC (`2025-06-12T02:40:00Z`).
    public var acquired: String
    /// Sun elevation at scene centre, degrees.
    public var sunElevation: Double
    /// Sun azimuth at scene centre, degrees clockwise from north.
    public var sunAzimuth: Double
    /// Earth–Sun distance in AU (computed from the date when absent).
    public var earthSunDistance: Double?
    /// Cloud cover, percent.
    public var cloudCover: Double?
    /// Processing level (`L1T` for the station's TOA-calibratable products).
    public var processingLevel: String?
    /// CRS as `EPSG:n`.
    public var crs: String?
    /// One entry per band.
    public var bands: [Band]
    /// Optional quality layer.
    public var quality: Quality?

    /// One band of a scene.json.
    public struct Band: Codable, Sendable, Equatable {
        /// Sensor band name (`B4`).
        public var name: String
        /// Common name (`nir`); taken from the sensor profile when absent.
        public var commonName: String?
        /// File holding the band, relative to the scene.json folder.
        public var file: String
        /// 1-based band in `file` (default 1).
        public var band: Int?
        /// Radiance gain: L = gain·DN + offset.
        public var gain: Double?
        /// Radiance offset.
        public var offset: Double?
        /// Reflectance multiplier M_ρ.
        public var reflectanceMult: Double?
        /// Reflectance additive term A_ρ.
        public var reflectanceAdd: Double?
        /// Mean solar exo-atmospheric irradiance, W/m²/µm.
        public var esun: Double?
        /// Fill DN (outside the footprint).
        public var fill: Double?
        /// Saturation DN.
        public var saturation: Double?

        enum CodingKeys: String, CodingKey {
            case name, commonName = "common_name", file, band, gain, offset, reflectanceMult = "reflectance_mult"
            case reflectanceAdd = "reflectance_add", esun, fill, saturation
        }

        /// A band entry from its parts.
        public init(name: String, commonName: String?, file: String, band: Int?, gain: Double?, offset: Double?,
                    reflectanceMult: Double?, reflectanceAdd: Double?, esun: Double?, fill: Double?, saturation: Double?) {
            self.name = name; self.commonName = commonName; self.file = file; self.band = band; self.gain = gain
            self.offset = offset; self.reflectanceMult = reflectanceMult; self.reflectanceAdd = reflectanceAdd
            self.esun = esun; self.fill = fill; self.saturation = saturation
        }
    }

    /// A quality layer reference.
    public struct Quality: Codable, Sendable, Equatable {
        /// `landsat-c1-bqa`, `landsat-c2-qa-pixel` or `sentinel2-scl`.
        public var kind: String
        /// File, relative to the scene.json folder.
        public var file: String
        /// 1-based band (default 1).
        public var band: Int?
    }

    enum CodingKeys: String, CodingKey {
        case schema, satellite, sensor, sceneID = "scene_id", tile, acquired, sunElevation = "sun_elevation"
        case sunAzimuth = "sun_azimuth", earthSunDistance = "earth_sun_distance", cloudCover = "cloud_cover"
        case processingLevel = "processing_level", crs, bands, quality
    }

    /// A document from its parts.
    public init(satellite: String, sensor: String, sceneID: String, tile: String?, acquired: String, sunElevation: Double,
                sunAzimuth: Double, earthSunDistance: Double?, cloudCover: Double?, processingLevel: String?, crs: String?,
                bands: [Band], quality: Quality? = nil) {
        schema = SceneJSON.schema
        self.satellite = satellite; self.sensor = sensor; self.sceneID = sceneID; self.tile = tile
        self.acquired = acquired; self.sunElevation = sunElevation; self.sunAzimuth = sunAzimuth
        self.earthSunDistance = earthSunDistance; self.cloudCover = cloudCover; self.processingLevel = processingLevel
        self.crs = crs; self.bands = bands; self.quality = quality
    }

    /// Deterministic JSON (sorted keys, pretty-printed, trailing newline).
    public func encoded() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var d = try enc.encode(self)
        d.append(0x0A)
        return d
    }
}

/// Reading scene.json into a `SceneManifest`.
public enum SceneJSON {
    /// The schema tag written and accepted.
    public static let schema = "tilepipe-scene/1"

    /// Parses `data` (the content of `path`). Errors name `path` and the JSON key.
    public static func parse(data: Data, path: String) throws -> SceneManifest {
        let doc: SceneDocument
        do {
            doc = try JSONDecoder().decode(SceneDocument.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw ManifestError.missingKey(file: path, key: keyPath(ctx.codingPath + [key]))
        } catch let DecodingError.typeMismatch(type, ctx) {
            throw ManifestError.wrongType(file: path, key: keyPath(ctx.codingPath), expected: "\(type)", found: ctx.debugDescription)
        } catch let DecodingError.valueNotFound(type, ctx) {
            throw ManifestError.wrongType(file: path, key: keyPath(ctx.codingPath), expected: "\(type)", found: "null")
        } catch {
            throw ManifestError.unreadable(file: path, reason: "\(error)")
        }
        return try manifest(from: doc, path: path)
    }

    /// Builds the manifest of a decoded document (band files resolved relative to `path`'s folder).
    public static func manifest(from doc: SceneDocument, path: String) throws -> SceneManifest {
        guard doc.schema == schema else {
            throw ManifestError.wrongType(file: path, key: "schema", expected: "\"\(schema)\"", found: "\"\(doc.schema)\"")
        }
        guard let profile = SensorCatalog.profile(forSatellite: doc.satellite) else {
            throw ManifestError.unknownSatellite(file: path, key: "satellite", value: doc.satellite)
        }
        guard let date = ISO8601.parse(doc.acquired) else {
            throw ManifestError.wrongType(file: path, key: "acquired", expected: "ISO 8601 UTC time", found: "\"\(doc.acquired)\"")
        }
        guard (-90...90).contains(doc.sunElevation) else {
            throw ManifestError.wrongType(file: path, key: "sun_elevation", expected: "degrees in [-90, 90]", found: "\(doc.sunElevation)")
        }
        var epsg: Int?
        if let crs = doc.crs {
            guard crs.uppercased().hasPrefix("EPSG:"), let code = Int(crs.dropFirst(5)) else {
                throw ManifestError.wrongType(file: path, key: "crs", expected: "\"EPSG:<code>\"", found: "\"\(crs)\"")
            }
            epsg = code
        }
        guard !doc.bands.isEmpty else { throw ManifestError.missingKey(file: path, key: "bands") }
        let dir = (path as NSString).deletingLastPathComponent
        var bands = [ManifestBand]()
        for (i, b) in doc.bands.enumerated() {
            let key = "bands[\(i)]"
            let common: String
            if let c = b.commonName {
                guard let n = CommonBand.normalise(c) else {
                    throw ManifestError.wrongType(file: path, key: "\(key).common_name", expected: "a common band name", found: "\"\(c)\"")
                }
                common = n
            } else if let pb = profile.band(named: b.name) {
                common = pb.commonName
            } else {
                throw ManifestError.missingKey(file: path, key: "\(key).common_name")
            }
            let cal: BandCalibration
            if let m = b.reflectanceMult {
                cal = .reflectance(mult: m, add: b.reflectanceAdd ?? 0, sunCorrected: true)
            } else if let g = b.gain {
                guard let esun = b.esun else { throw ManifestError.missingKey(file: path, key: "\(key).esun") }
                cal = .radiance(gain: g, offset: b.offset ?? 0, esun: esun)
            } else {
                throw ManifestError.missingKey(file: path, key: "\(key).reflectance_mult")
            }
            if let fb = b.band, fb < 1 {
                throw ManifestError.wrongType(file: path, key: "\(key).band", expected: "a 1-based band number", found: "\(fb)")
            }
            let file = (dir as NSString).appendingPathComponent(b.file)
            bands.append(ManifestBand(name: b.name, commonName: common,
                                      file: FileManager.default.fileExists(atPath: file) ? file : nil,
                                      fileBand: b.band ?? 1, calibration: cal, fill: b.fill ?? profile.fill,
                                      saturation: b.saturation ?? profile.saturation))
        }
        var quality = [ManifestQuality]()
        if let q = doc.quality {
            guard let kind = QualityBandKind(rawValue: q.kind) else {
                throw ManifestError.wrongType(file: path, key: "quality.kind", expected: "landsat-c1-bqa, landsat-c2-qa-pixel or sentinel2-scl", found: "\"\(q.kind)\"")
            }
            quality.append(ManifestQuality(kind: kind, file: (dir as NSString).appendingPathComponent(q.file), fileBand: q.band ?? 1))
        }
        let info = SceneInfo(satellite: doc.satellite, sensor: doc.sensor, sceneID: doc.sceneID, acquired: date,
                             sunElevation: doc.sunElevation, sunAzimuth: doc.sunAzimuth, cloudCover: doc.cloudCover,
                             processingLevel: doc.processingLevel, isTOA: true)
        return SceneManifest(path: path, format: .sceneJSON, info: info, profile: profile, tileName: doc.tile,
                             earthSunDistance: doc.earthSunDistance ?? Calibration.earthSunDistance(on: date),
                             epsg: epsg, bands: bands, quality: quality)
    }

    static func keyPath(_ path: [any CodingKey]) -> String {
        var s = ""
        for k in path {
            if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
        }
        return s.isEmpty ? "(root)" : s
    }
}

/// ISO 8601 parsing/formatting in UTC without shared formatter state.
enum ISO8601 {
    /// Parses `2025-06-12T02:40:00Z`, with or without fractional seconds, or a bare `2025-06-12`.
    static func parse(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withFullDate]
        return f.date(from: s)
    }

    /// `2025-06-12T02:40:00Z`.
    static func format(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }
}
