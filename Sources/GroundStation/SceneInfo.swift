import Foundation

/// What is known about the acquisition a tile comes from (a subset of `SceneManifest`, kept on every tile).
public struct SceneInfo: Sendable, Equatable {
    /// Satellite name as the manifest gives it, normalised (`Landsat 8`, `Sentinel-2A`, `Huaxiangyuan-1`).
    public var satellite: String
    /// Sensor name (`OLI_TIRS`, `MSI`, `HXY-MSI`).
    public var sensor: String
    /// Scene identifier from the manifest.
    public var sceneID: String
    /// Acquisition time (UTC), when known.
    public var acquired: Date?
    /// Sun elevation at scene centre, degrees.
    public var sunElevation: Double?
    /// Sun azimuth at scene centre, degrees clockwise from north.
    public var sunAzimuth: Double?
    /// Scene cloud cover in percent, as the manifest reports it.
    public var cloudCover: Double?
    /// Processing level (`L1TP`, `L2A`, `L1T`, ...).
    public var processingLevel: String?
    /// True when the values are top-of-atmosphere reflectance, false for surface (BOA) reflectance,
    /// nil when the tile holds raw values of unknown meaning (loose tiles).
    public var isTOA: Bool?

    /// A scene description from its parts.
    public init(satellite: String, sensor: String, sceneID: String, acquired: Date? = nil, sunElevation: Double? = nil,
                sunAzimuth: Double? = nil, cloudCover: Double? = nil, processingLevel: String? = nil, isTOA: Bool? = nil) {
        self.satellite = satellite
        self.sensor = sensor
        self.sceneID = sceneID
        self.acquired = acquired
        self.sunElevation = sunElevation
        self.sunAzimuth = sunAzimuth
        self.cloudCover = cloudCover
        self.processingLevel = processingLevel
        self.isTOA = isTOA
    }
}
