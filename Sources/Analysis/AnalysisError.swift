public import RasterCore

/// Typed errors of the Analysis module. Each case names the input (file, key or raster role) and the cause.
public enum AnalysisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An interval expression such as `[0.1,0.3)` could not be parsed.
    case badInterval(expression: String, reason: String)
    /// A classification rule or scheme is inconsistent (unknown class code, empty rule list, ...).
    case badScheme(key: String, reason: String)
    /// A buffer has the wrong number of samples for the stated width × height.
    case sizeMismatch(name: String, expected: Int, actual: Int)
    /// Two rasters of a two-date job are not on the same grid; `differences` says what differs.
    case gridMismatch(differences: [String])
    /// A raster needed for areas has no georeference, or its CRS is geographic (pixel area not in metres).
    case noPixelArea(reason: String)
    /// A GeoJSON file or document could not be read or does not hold what is expected.
    case badGeoJSON(file: String, reason: String)
    /// A coordinate transformation (PROJ) failed.
    case projection(reason: String)
    /// A disaster job was given inconsistent inputs (e.g. no baseline dates).
    case badJobInput(job: String, reason: String)

    /// A one-line explanation that names the file or key and the cause.
    public var description: String {
        switch self {
        case let .badInterval(e, r): return "interval '\(e)': \(r)"
        case let .badScheme(k, r): return "classification scheme, \(k): \(r)"
        case let .sizeMismatch(n, e, a): return "buffer '\(n)': expected \(e) samples, got \(a)"
        case let .gridMismatch(d): return "rasters are not on the same grid: " + d.joined(separator: "; ")
        case let .noPixelArea(r): return "cannot compute pixel area: \(r)"
        case let .badGeoJSON(f, r): return "GeoJSON \(f): \(r)"
        case let .projection(r): return "projection: \(r)"
        case let .badJobInput(j, r): return "\(j) job: \(r)"
        }
    }
}

/// Helpers shared by the jobs: buffer-size checks and pixel area.
enum Check {
    /// Throws `sizeMismatch` unless `count == expected`.
    static func size(_ name: String, _ count: Int, _ expected: Int) throws(AnalysisError) {
        if count != expected { throw .sizeMismatch(name: name, expected: expected, actual: count) }
    }
}
