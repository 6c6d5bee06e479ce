import Foundation
import RasterCore

/// How a band's digital numbers become reflectance.
public enum BandCalibration: Sendable, Equatable {
    /// Landsat style: ρ = (mult·DN + add) / sin(sun elevation) when `sunCorrected`, else mult·DN + add
    /// (Collection 2 Level-2 surface reflectance is already sun-corrected).
    case reflectance(mult: Double, add: Double, sunCorrected: Bool)
    /// Radiance L = gain·DN + offset, then ρ = π·L·d² / (ESUN·sin(sun elevation)).
    case radiance(gain: Double, offset: Double, esun: Double)
    /// Plain ρ = DN·scale + offset (MODIS, Sentinel-2 with its BOA/RADIO offset folded in: offset = −1000/10000).
    case scaleOffset(scale: Double, offset: Double)
    /// Thermal bands: L = gain·DN + offset, then brightness temperature T = K2 / ln(K1/L + 1) in kelvin.
    case brightnessTemperature(gain: Double, offset: Double, k1: Double, k2: Double)
    /// Values are used as they are.
    case none
}

/// Where one band of a scene lives and how to calibrate it.
public struct ManifestBand: Sendable, Equatable {
    /// The sensor's band name (`B5`).
    public var name: String
    /// Common name (`nir`).
    public var commonName: String
    /// Absolute path of the file holding the band, nil when the manifest lists it but the file is absent.
    public var file: String?
    /// 1-based band number inside `file`.
    public var fileBand: Int
    /// Calibration to reflectance.
    public var calibration: BandCalibration
    /// DN that marks nodata/fill (besides any nodata tag in the file).
    public var fill: Double?
    /// DN at or above which the pixel is saturated.
    public var saturation: Double?

    /// A band from its parts.
    public init(name: String, commonName: String, file: String?, fileBand: Int = 1, calibration: BandCalibration,
                fill: Double? = nil, saturation: Double? = nil) {
        self.name = name
        self.commonName = commonName
        self.file = file
        self.fileBand = fileBand
        self.calibration = calibration
        self.fill = fill
        self.saturation = saturation
    }
}

/// A quality layer of a scene (Landsat BQA/QA_PIXEL, Sentinel-2 SCL).
public struct ManifestQuality: Sendable, Equatable {
    /// Format of the layer.
    public var kind: QualityBandKind
    /// Absolute path of the file.
    public var file: String
    /// 1-based band in the file.
    public var fileBand: Int

    /// A quality layer from its parts.
    public init(kind: QualityBandKind, file: String, fileBand: Int = 1) {
        self.kind = kind
        self.file = file
        self.fileBand = fileBand
    }
}

/// A scene as any manifest (scene.json, MTL.txt, MTL.json, STAC item) describes it.
public struct SceneManifest: Sendable, Equatable {
    /// The manifest file.
    public var path: String
    /// Which format it was read from.
    public var format: Format
    /// Satellite, sensor, time, sun and cloud facts.
    public var info: SceneInfo
    /// The sensor profile (from the satellite name).
    public var profile: SensorProfile
    /// Tile name within the scene (scene.json `tile`), nil for whole scenes.
    public var tileName: String?
    /// Earth–Sun distance in AU (from the manifest, else computed from the date, else 1).
    public var earthSunDistance: Double
    /// EPSG code the manifest declares, when it does.
    public var epsg: Int?
    /// The bands, in manifest order.
    public var bands: [ManifestBand]
    /// Quality layers.
    public var quality: [ManifestQuality]

    /// Manifest formats.
    public enum Format: String, Sendable { case sceneJSON = "scene.json", mtlText = "MTL.txt", mtlJSON = "MTL.json", stacItem = "STAC item", modisBandFiles = "MODIS band files" }

    /// A manifest from its parts.
    public init(path: String, format: Format, info: SceneInfo, profile: SensorProfile, tileName: String? = nil,
                earthSunDistance: Double, epsg: Int? = nil, bands: [ManifestBand], quality: [ManifestQuality] = []) {
        self.path = path
        self.format = format
        self.info = info
        self.profile = profile
        self.tileName = tileName
        self.earthSunDistance = earthSunDistance
        self.epsg = epsg
        self.bands = bands
        self.quality = quality
    }

    /// Stable tile id: scene id, plus `_` and the tile name when there is one.
    public var tileID: String { tileName.map { "\(info.sceneID)_\($0)" } ?? info.sceneID }

    /// Bands whose file exists (reflective bands only: `qa` excluded).
    public var availableBands: [ManifestBand] { bands.filter { $0.file != nil && $0.commonName != "qa" } }

    /// The band called `name`: a common name (`nir`) or the sensor's band name (`B5`, `B05`).
    public func band(named name: String) -> ManifestBand? {
        let key = SensorProfile.canonicalBandName(name)
        if let b = bands.first(where: { SensorProfile.canonicalBandName($0.name) == key }) { return b }
        let common = CommonBand.normalise(name) ?? name.lowercased()
        return bands.first { $0.commonName == common }
    }

    /// Every file the scene reads (manifest, band files, quality files), sorted.
    public var files: [String] {
        Array(Set([path] + bands.compactMap(\.file) + quality.map(\.file))).sorted()
    }

    /// Reads any supported manifest, choosing the reader by content (scene.json, MTL text, MTL JSON, STAC item).
    public static func read(path: String) throws -> SceneManifest {
        // An empty file is refused before reading: FileManager.contents(atPath:) leaks a 4 KiB buffer per
        // zero-byte file (found by Fuzz/FuzzManifest under LeakSanitizer; swift-foundation readBytesFromFile).
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue == 0 {
            throw ManifestError.unreadable(file: path, reason: "empty file (0 bytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ManifestError.unreadable(file: path, reason: "file missing or unreadable")
        }
        let text = String(decoding: data, as: UTF8.self)
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.hasPrefix("{") {
            guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw ManifestError.unreadable(file: path, reason: "not a JSON object")
            }
            if obj["L1_METADATA_FILE"] != nil || obj["LANDSAT_METADATA_FILE"] != nil {
                return try LandsatMTL.parse(json: obj, path: path)
            }
            if obj["stac_version"] != nil || (obj["type"] as? String) == "Feature" {
                return try STACItem.parse(obj, path: path)
            }
            return try SceneJSON.parse(data: data, path: path)
        }
        if trimmed.hasPrefix("GROUP") { return try LandsatMTL.parse(text: text, path: path) }
        throw ManifestError.unreadable(file: path, reason: "neither JSON nor an MTL 'GROUP =' file")
    }
}
