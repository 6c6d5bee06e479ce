/// How a tile is calibrated and masked when it is loaded: pipeline.yaml's `calibration:` and `masks:` sections,
/// as GroundStation applies them (`TileInput.load(bands:limits:options:)`).
public struct TileLoadOptions: Sendable, Equatable {
    /// DN → reflectance (`calibration.mode`).
    public enum Calibration: Sendable, Equatable {
        /// The scene manifest's calibration when there is one, else the file's scale/offset metadata.
        case auto
        /// TOA reflectance from the manifest (MTL gains, sun elevation); a tile without one fails.
        case toa
        /// reflectance = raw DN × scale + offset, instead of any manifest or file calibration.
        case scale(Double, Double)
        /// Raw values as stored, no scale or offset at all.
        case none
    }

    /// `calibration.mode` (+ `scale`, `offset`).
    public var calibration: Calibration = .auto
    /// `calibration.sun_elevation_correction`: true divides reflectance by sin(sun elevation) (manifest sun
    /// elevation, or the solar position at the scene centre and acquisition time for plain rasters), false
    /// never does; nil keeps the product's own convention (MTL TOA: corrected; L2 surface reflectance: not).
    public var sunElevationCorrection: Bool?
    /// `masks.nodata`: the file's nodata value and the sensor's fill DN are invalid (default true).
    public var nodata = true
    /// `masks.clouds`: cloud and cirrus from the quality band / spectral test are invalid (default true).
    public var clouds = true
    /// `masks.shadows`: cloud shadow from the quality band is invalid (default true).
    public var shadows = true
    /// `masks.saturated`: saturated DNs are invalid (default true).
    public var saturated = true
    /// `masks.min_reflectance`: a pixel with any loaded band below this reflectance is invalid.
    public var minReflectance: Double?
    /// `masks.max_reflectance`: a pixel with any loaded band above this reflectance is invalid.
    public var maxReflectance: Double?
    /// The reflectance sanity check (`ReflectanceSanity`) runs after calibration (default true).
    public var checkReflectance = true

    /// Defaults: product calibration, every mask on.
    public init(calibration: Calibration = .auto, sunElevationCorrection: Bool? = nil) {
        self.calibration = calibration
        self.sunElevationCorrection = sunElevationCorrection
    }

    /// True when any quality-band mask is on (the manifest loader reads QA layers only then).
    var anyQualityMask: Bool { clouds || shadows || saturated }
}
