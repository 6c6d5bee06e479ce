// Decoding with defaults: pipeline.yaml gives only the keys a user wants to change (`monitor:` jobs,
// `classification:`), so every field that has a default may be omitted. Encoding stays synthesized.

extension AlertRules {
    /// Decodes `watchHa`, `warningHa`, `emergencyHa`, each optional (defaults 1, 10, 100 ha when absent;
    /// an explicit null disables the level).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        let d = AlertRules()
        watchHa = c.contains("watchHa") ? try c.decodeIfPresent(Double.self, forKey: "watchHa") : d.watchHa
        warningHa = c.contains("warningHa") ? try c.decodeIfPresent(Double.self, forKey: "warningHa") : d.warningHa
        emergencyHa = c.contains("emergencyHa") ? try c.decodeIfPresent(Double.self, forKey: "emergencyHa") : d.emergencyHa
    }
}

extension FloodJob {
    /// Decodes with defaults (`index` mndwi, `threshold` 0.0 — write `threshold: otsu` for the automatic one).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        let d = FloodJob()
        index = try c.decodeIfPresent(String.self, forKey: "index") ?? d.index
        if let text = try? c.decodeIfPresent(String.self, forKey: "threshold"), text.lowercased() == "otsu" {
            threshold = nil
        } else if c.contains("threshold") {
            threshold = try c.decodeIfPresent(Float.self, forKey: "threshold")
        } else {
            threshold = d.threshold
        }
        alert = try c.decodeIfPresent(AlertRules.self, forKey: "alert") ?? d.alert
        minimumPolygonPixels = try c.decodeIfPresent(Int.self, forKey: "minimumPolygonPixels") ?? d.minimumPolygonPixels
    }
}

extension BurnSeverityJob {
    /// Decodes with defaults (USGS breakpoints, dNBR classification).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        let d = BurnSeverityJob()
        breakpoints = try c.decodeIfPresent([Float].self, forKey: "breakpoints") ?? d.breakpoints
        classifyRdNBR = try c.decodeIfPresent(Bool.self, forKey: "classifyRdNBR") ?? d.classifyRdNBR
        dnbrOffset = try c.decodeIfPresent(Float.self, forKey: "dnbrOffset") ?? d.dnbrOffset
        alert = try c.decodeIfPresent(AlertRules.self, forKey: "alert") ?? d.alert
        minimumPolygonPixels = try c.decodeIfPresent(Int.self, forKey: "minimumPolygonPixels") ?? d.minimumPolygonPixels
    }
}

extension VegetationLossJob {
    /// Decodes with defaults (vegetated at NDVI ≥ 0.3, loss at a drop ≥ 0.2).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        let d = VegetationLossJob()
        kind = try c.decodeIfPresent(String.self, forKey: "kind") ?? d.kind
        vegetatedMinimum = try c.decodeIfPresent(Float.self, forKey: "vegetatedMinimum") ?? d.vegetatedMinimum
        drop = try c.decodeIfPresent(Float.self, forKey: "drop") ?? d.drop
        alert = try c.decodeIfPresent(AlertRules.self, forKey: "alert") ?? d.alert
        minimumPolygonPixels = try c.decodeIfPresent(Int.self, forKey: "minimumPolygonPixels") ?? d.minimumPolygonPixels
    }
}

extension DroughtJob {
    /// Decodes with defaults (NDVI, −0.1 / −0.2 / +0.1, one baseline date needed).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        let d = DroughtJob()
        index = try c.decodeIfPresent(String.self, forKey: "index") ?? d.index
        moderate = try c.decodeIfPresent(Float.self, forKey: "moderate") ?? d.moderate
        severe = try c.decodeIfPresent(Float.self, forKey: "severe") ?? d.severe
        wetter = try c.decodeIfPresent(Float.self, forKey: "wetter") ?? d.wetter
        minimumBaselineDates = try c.decodeIfPresent(Int.self, forKey: "minimumBaselineDates") ?? d.minimumBaselineDates
        alert = try c.decodeIfPresent(AlertRules.self, forKey: "alert") ?? d.alert
        minimumPolygonPixels = try c.decodeIfPresent(Int.self, forKey: "minimumPolygonPixels") ?? d.minimumPolygonPixels
    }
}

extension ClassificationScheme {
    /// Decodes a scheme; `classes` defaults to the land-use classes and `rules` to the default land-use rules,
    /// so `classification: {autoWater: {index: mndwi, class: 1}}` tunes the default scheme.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: ConfigKey.self)
        let d = ClassificationScheme.default
        classes = try c.decodeIfPresent([ClassDefinition].self, forKey: "classes") ?? d.classes
        rules = try c.decodeIfPresent([Rule].self, forKey: "rules") ?? d.rules
        defaultClass = try c.decodeIfPresent(UInt8.self, forKey: "defaultClass") ?? d.defaultClass
        autoWater = try c.decodeIfPresent(AutoThreshold.self, forKey: "autoWater")
        minimumMappingUnit = try c.decodeIfPresent(Int.self, forKey: "minimumMappingUnit")
    }
}

/// A string coding key for decoding configs written by hand (pipeline.yaml).
struct ConfigKey: CodingKey, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { stringValue = value }
}
