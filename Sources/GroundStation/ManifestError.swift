/// Errors of the GroundStation module; every case names the file and, where it applies, the key.
public enum ManifestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The manifest cannot be read or parsed at all.
    case unreadable(file: String, reason: String)
    /// A required key is absent.
    case missingKey(file: String, key: String)
    /// A key holds a value of the wrong type or out of range.
    case wrongType(file: String, key: String, expected: String, found: String)
    /// The satellite is not in `SensorCatalog`.
    case unknownSatellite(file: String, key: String, value: String)
    /// A band was asked for that the scene does not hold (or whose file is missing).
    case missingBand(file: String, band: String, reason: String)
    /// Bands of one scene cannot be brought to one grid.
    case gridMismatch(file: String, reason: String)
    /// A raster file of the scene could not be read.
    case raster(file: String, reason: String)
    /// The calibrated values are not reflectance (most pixels outside the plausible range): a wrong or missing
    /// `calibration` (`ReflectanceSanity`). Failure kind `calibration`.
    case calibration(file: String, reason: String)

    /// The file the error is about.
    public var file: String {
        switch self {
        case .unreadable(let f, _), .missingKey(let f, _), .wrongType(let f, _, _, _), .unknownSatellite(let f, _, _),
             .missingBand(let f, _, _), .gridMismatch(let f, _), .raster(let f, _), .calibration(let f, _): f
        }
    }

    /// One line: `file: key: cause`.
    public var description: String {
        switch self {
        case .unreadable(let f, let r): "\(f): cannot read manifest: \(r)"
        case .missingKey(let f, let k): "\(f): missing key '\(k)'"
        case .wrongType(let f, let k, let e, let found): "\(f): key '\(k)' should be \(e), found \(found)"
        case .unknownSatellite(let f, let k, let v): "\(f): key '\(k)': unknown satellite '\(v)' (known: \(SensorCatalog.all.flatMap(\.satellites).joined(separator: ", ")))"
        case .missingBand(let f, let b, let r): "\(f): band '\(b)': \(r)"
        case .gridMismatch(let f, let r): "\(f): bands do not share a grid: \(r)"
        case .raster(let f, let r): "\(f): \(r)"
        case .calibration(let f, let r): "\(f): calibration: \(r)"
        }
    }
}
