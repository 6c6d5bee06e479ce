public import RasterCore

/// One spectral band of a sensor.
public struct SensorBand: Sendable, Equatable {
    /// The sensor's own band name (`B5`, `B8A`, `sur_refl_b01`).
    public var name: String
    /// Common name (`nir`, `swir16`, ...; see `CommonBand`).
    public var commonName: String
    /// Centre wavelength in micrometres (0 for QA bands).
    public var centerWavelength: Double
    /// Full width at half maximum in micrometres.
    public var width: Double
    /// Native ground sampling distance in metres.
    public var resolution: Double

    /// A band from its parts.
    public init(_ name: String, _ commonName: String, _ centerWavelength: Double, _ width: Double, _ resolution: Double) {
        self.name = name
        self.commonName = commonName
        self.centerWavelength = centerWavelength
        self.width = width
        self.resolution = resolution
    }
}

/// Which quality band format a sensor delivers.
public enum QualityBandKind: String, Sendable, Codable {
    /// Landsat 8 pre-collection BQA bits (2-bit confidences for water, snow, cirrus, cloud).
    case landsatPreBQA = "landsat-pre-bqa"
    /// Landsat 8 Collection 1 BQA bits.
    case landsatC1BQA = "landsat-c1-bqa"
    /// Landsat Collection 2 QA_PIXEL bits.
    case landsatC2QAPixel = "landsat-c2-qa-pixel"
    /// Sentinel-2 Sen2Cor scene classification layer.
    case sentinel2SCL = "sentinel2-scl"
    /// No QA band: the spectral cloud/shadow test applies (`SpectralCloudTest`).
    case none = "none"
}

/// A sensor as data: its bands, digital-number type, saturation and default scaling.
public struct SensorProfile: Sendable, Equatable {
    /// Short identifier (`landsat-oli-tirs`, `sentinel2-msi`, `anxi-tgy`, ...).
    public var id: String
    /// Satellites carrying the sensor, as display names (`Landsat 8`, `Sentinel-2A`).
    public var satellites: [String]
    /// The sensor's name (`OLI_TIRS`, `MSI`).
    public var sensor: String
    /// True for the project's own models of the Anxi station satellites: these are not published specifications.
    public var isModel: Bool
    /// Sample type of the delivered digital numbers.
    public var dnType: SampleType
    /// DN at which a detector saturates (flagged `PixelQuality.saturated`), nil when not defined.
    public var saturation: Double?
    /// DN that marks fill outside the footprint, nil when the sensor defines none.
    public var fill: Double?
    /// Default reflectance = DN × scale + offset when a manifest gives nothing better.
    public var defaultScale: Double
    /// Default additive offset (see `defaultScale`).
    public var defaultOffset: Double
    /// The quality band this sensor delivers.
    public var qualityBand: QualityBandKind
    /// Bands in the sensor's own order.
    public var bands: [SensorBand]

    /// A profile from its parts.
    public init(id: String, satellites: [String], sensor: String, isModel: Bool = false, dnType: SampleType,
                saturation: Double?, fill: Double?, defaultScale: Double, defaultOffset: Double,
                qualityBand: QualityBandKind, bands: [SensorBand]) {
        self.id = id
        self.satellites = satellites
        self.sensor = sensor
        self.isModel = isModel
        self.dnType = dnType
        self.saturation = saturation
        self.fill = fill
        self.defaultScale = defaultScale
        self.defaultOffset = defaultOffset
        self.qualityBand = qualityBand
        self.bands = bands
    }

    /// The band with sensor name or common name `name` (case-insensitive; `B05` matches `B5`).
    public func band(named name: String) -> SensorBand? {
        let key = SensorProfile.canonicalBandName(name)
        if let b = bands.first(where: { SensorProfile.canonicalBandName($0.name) == key }) { return b }
        let common = CommonBand.normalise(name) ?? name.lowercased()
        return bands.first { $0.commonName == common }
    }

    /// `B05` -> `B5`, `b8a` -> `B8A`: the form used to compare band names.
    static func canonicalBandName(_ s: String) -> String {
        var u = s.uppercased()
        if u.hasPrefix("B"), u.count > 2, u.dropFirst().first == "0" { u = "B" + u.dropFirst(2) }
        return u
    }

    /// The finest native resolution among the bands (pan excluded), metres.
    public var finestResolution: Double {
        bands.filter { $0.commonName != "pan" && $0.commonName != "qa" }.map(\.resolution).min() ?? 0
    }
}
