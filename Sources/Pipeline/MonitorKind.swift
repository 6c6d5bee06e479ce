import Analysis
import Products

/// The kinds of `monitor:` jobs. Each kind knows the index it compares by default, the job that classifies a
/// pair, its palette and the words the report uses for its affected area.
public enum MonitorKind: String, Sendable, Codable, CaseIterable {
    /// The land-use change matrix of every pair (no index; needs a class map).
    case change
    /// Newly flooded area from a water index.
    case flood
    /// Burn severity from NBR.
    case burn
    /// Vegetation loss (landslide scars) from NDVI.
    case landslide
    /// Drought: NDVI anomaly against the earlier date.
    case drought

    /// Indices the job can compare, in order of preference (the first both dates have is used).
    public var defaultIndices: [String] {
        switch self {
        case .change: return []
        case .flood: return ["mndwi", "ndwi"]
        case .burn: return ["nbr"]
        case .landslide, .drought: return ["ndvi"]
        }
    }

    /// What the affected area is, in the report's alert rule.
    public var label: String {
        switch self {
        case .change: return "changed area"
        case .flood: return "newly flooded area"
        case .burn: return "burned area"
        case .drought: return "drought-stressed area"
        case .landslide: return "vegetation loss"
        }
    }

    /// The job for one pair: `index` compared, `threshold` from the config (nil: the job's default), polygons of
    /// fewer than `minimumPolygonPixels` pixels not traced. Nil for `change`, which is not a two-date index job.
    public func job(index: String, threshold: Double?, minimumPolygonPixels: Int) -> (any TwoDateJob)? {
        switch self {
        case .change: return nil
        case .flood: return FloodJob(index: index, threshold: Float(threshold ?? 0), minimumPolygonPixels: minimumPolygonPixels)
        case .burn: return BurnSeverityJob(minimumPolygonPixels: minimumPolygonPixels, minimumMappingUnit: minimumPolygonPixels)
        case .drought: return DroughtJob(index: index, minimumPolygonPixels: minimumPolygonPixels)
        case .landslide: return VegetationLossJob(kind: "landslide", drop: Float(threshold ?? 0.2), minimumPolygonPixels: minimumPolygonPixels)
        }
    }

    /// The class map's palette for the job's classes (code 0 transparent).
    public func palette(_ classes: [ClassDefinition]) -> ColorRamp {
        if self == .burn { return .burnSeverity }
        var stops = [ColorRamp.Stop(0, "#000000", "No data")]
        for c in classes where c.code != 0 { stops.append(ColorRamp.Stop(Double(c.code), c.color, c.name)) }
        let title = self == .landslide ? "Landslide" : rawValue.prefix(1).uppercased() + rawValue.dropFirst()
        return ColorRamp(name: rawValue, title: title, stops: stops, interpolation: .categorical, nodataCode: 0)
    }
}
