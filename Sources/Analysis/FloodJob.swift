public import RasterCore

/// Flood mapping between two dates from a water index (MNDWI or NDWI; domain.md §4.3 "Optical water").
///
/// water(date) = index > threshold (default 0.0, or Otsu per date when `threshold` is nil).
/// Classes: 0 masked (a masked quality code, `LandUse.isMasked`, at either date, or NaN index), 1 dry, 2 permanent water
/// (water at both dates, or in the permanent-water mask), 3 flooded (water after and not before, not
/// permanent), 4 water receded (water before, dry after, not permanent). Class 3 is the affected class.
public struct FloodJob: Sendable, Equatable, Codable {
    /// Index name, for reports (`mndwi` or `ndwi`).
    public var index: String
    /// Water threshold; nil = Otsu on each date's valid index values (clamped to [−0.3, 0.5]).
    public var threshold: Float?
    /// How the affected area is reported: alert thresholds and the smallest region traced into polygons.
    public var affectedArea: AffectedAreaRules

    /// The class definitions of a flood map: 0 masked, 1 dry, 2 permanent water, 3 flooded, 4 water receded.
    public static let classes = ClassDefinition.twoDateJobClasses(["dry", "permanent water", "flooded", "water receded"],
                                                                  colors: ["#f5f5dc", "#08306b", "#4292c6", "#a1d99b"])

    /// A job with defaults from domain.md (threshold 0.0).
    public init(index: String = "mndwi", threshold: Float? = 0, alert: AlertRules = AlertRules(), minimumPolygonPixels: Int = 9) {
        self.index = index
        self.threshold = threshold
        affectedArea = AffectedAreaRules(alert: alert, minimumPolygonPixels: minimumPolygonPixels)
    }

    /// Runs the job on one tile pair (buffers `width × height`, same grid `geo`); `permanentWater` marks pixels
    /// that are permanent water whatever the dates say.
    public func run(before: [Float], after: [Float], qualityBefore: [UInt8]? = nil, qualityAfter: [UInt8]? = nil,
                    permanentWater: [Bool]? = nil, width: Int, height: Int, geo: GeoReference?) throws(AnalysisError) -> DisasterResult {
        let pair = DatePair(before: before, after: after, qualityBefore: qualityBefore, qualityAfter: qualityAfter,
                            width: width, height: height, geo: geo)
        let valid = try pair.validated(roles: roles)
        if let p = permanentWater { try Check.size("permanentWater", p.count, pair.count) }
        return try assemble(pair, classify(pair, valid: valid, permanentWater: permanentWater))
    }

    /// Water at each date (index > threshold, or Otsu per date), then dry / permanent / flooded / receded.
    func classify(_ pair: DatePair, valid: [Bool], permanentWater: [Bool]?) -> TwoDateClassification {
        let n = pair.count
        func cut(_ v: [Float]) -> Float {
            if let threshold { return threshold }
            let sample = (0..<n).filter { valid[$0] }.map { v[$0] }
            return min(max(Otsu.threshold(sample, lower: -1, upper: 1) ?? 0, -0.3), 0.5)
        }
        let tb = cut(pair.before), ta = cut(pair.after)
        var out = [UInt8](repeating: 0, count: n)
        for i in 0..<n where valid[i] {
            let wb = pair.before[i] > tb, wa = pair.after[i] > ta
            let permanent = permanentWater?[i] ?? false
            if permanent || (wb && wa) { out[i] = 2 } else if wa { out[i] = 3 } else if wb { out[i] = 4 } else { out[i] = 1 }
        }
        return TwoDateClassification(classes: out, thresholds: ["water_before": Double(tb), "water_after": Double(ta)])
    }
}

extension FloodJob: TwoDateJob {
    /// `flood`.
    public var jobName: String { "flood" }
    /// `newly flooded area`.
    public var affectedWhat: String { "newly flooded area" }
    /// `before`, `after`.
    public var roles: (before: String, after: String) { ("before", "after") }
    /// `FloodJob.classes`.
    public var classDefinitions: [ClassDefinition] { Self.classes }
    /// Class 3, flooded.
    public var affectedClasses: [UInt8] { [3] }
    /// Classifies without a permanent-water mask.
    public func classify(_ pair: DatePair, valid: [Bool]) -> TwoDateClassification {
        classify(pair, valid: valid, permanentWater: nil)
    }
}
