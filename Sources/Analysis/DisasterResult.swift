import RasterCore

/// Alert levels of a disaster job, in increasing order of severity.
public enum AlertLevel: String, Sendable, Codable, Comparable, CaseIterable {
    /// Nothing to report.
    case none
    /// Affected area reached the watch threshold.
    case watch
    /// Affected area reached the warning threshold.
    case warning
    /// Affected area reached the emergency threshold.
    case emergency

    /// Ordering by severity.
    public static func < (a: AlertLevel, b: AlertLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Area thresholds (hectares) that raise an alert; the affected area is the sum over the job's affected classes.
/// The highest level whose threshold is reached wins; a nil threshold disables that level.
public struct AlertRules: Sendable, Equatable, Codable {
    /// Hectares for `watch` (default 1).
    public var watchHa: Double?
    /// Hectares for `warning` (default 10).
    public var warningHa: Double?
    /// Hectares for `emergency` (default 100).
    public var emergencyHa: Double?

    /// Rules from thresholds.
    public init(watchHa: Double? = 1, warningHa: Double? = 10, emergencyHa: Double? = 100) {
        self.watchHa = watchHa
        self.warningHa = warningHa
        self.emergencyHa = emergencyHa
    }

    /// The alert for `affectedHa` hectares of `what` (e.g. "newly flooded area").
    public func assess(affectedHa: Double, what: String) -> Alert {
        let levels: [(AlertLevel, Double?)] = [(.emergency, emergencyHa), (.warning, warningHa), (.watch, watchHa)]
        for (level, t) in levels {
            if let t, affectedHa >= t {
                return Alert(level: level, affectedHa: affectedHa,
                             rule: "\(what) \(fmt(affectedHa)) ha ≥ \(level.rawValue) threshold \(fmt(t)) ha")
            }
        }
        let lowest = [watchHa, warningHa, emergencyHa].compactMap { $0 }.min()
        return Alert(level: .none, affectedHa: affectedHa,
                     rule: "\(what) \(fmt(affectedHa)) ha" + (lowest.map { " < watch threshold \(fmt($0)) ha" } ?? " (no thresholds set)"))
    }

    private func fmt(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}

/// The alert a job raised, with the rule (text) that raised it.
public struct Alert: Sendable, Equatable, Codable {
    /// The level.
    public var level: AlertLevel
    /// Affected hectares the rule was applied to.
    public var affectedHa: Double
    /// Human-readable rule, e.g. "newly flooded area 412.3 ha ≥ warning threshold 100 ha".
    public var rule: String
}

/// Pixel count and hectares of one class.
public struct ClassArea: Sendable, Equatable, Codable {
    /// Class code.
    public var code: UInt8
    /// Class name.
    public var name: String
    /// Pixels.
    public var pixels: Int
    /// Hectares (pixels × pixel area).
    public var hectares: Double
}

/// What every disaster job returns.
public struct DisasterResult: Sendable {
    /// Job kind (`flood`, `burn_severity`, `vegetation_loss`, `landslide`, `drought`).
    public var job: String
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// The class raster (UInt8, 0 = masked / nodata), row-major.
    public var classRaster: [UInt8]
    /// The job's classes (codes, names, colours); colour table via `LandUse.colorTable(for:)`.
    public var classes: [ClassDefinition]
    /// Pixels and hectares per class (every declared class, zeros included, in code order).
    public var areasHa: [ClassArea]
    /// Codes counted as affected for the alert and traced into polygons.
    public var affectedClasses: [UInt8]
    /// The alert level and the rule that raised it.
    public var alert: Alert
    /// Polygons of the affected classes, in pixel space of the input grid (see `GeoJSONWriter`).
    public var polygons: [TracedPolygon]
    /// Continuous layers the job computed (`dnbr`, `rdnbr`, `anomaly`, ...), NaN where masked.
    public var layers: [String: [Float]]
    /// Thresholds actually used (after Otsu, if any), for the report.
    public var thresholds: [String: Double]

    /// Hectares of one class.
    public func hectares(of code: UInt8) -> Double { areasHa.first { $0.code == code }?.hectares ?? 0 }

    /// Hectares summed over the affected classes.
    public var affectedHa: Double { affectedClasses.reduce(0) { $0 + hectares(of: $1) } }

    /// Assembles a result: counts classes, converts to hectares with `geo`'s pixel area, applies the alert
    /// rules to the affected classes and traces them into polygons (8-connected).
    static func assemble(job: String, what: String, classRaster: [UInt8], width: Int, height: Int, geo: GeoReference?,
                         classes: [ClassDefinition], affected: [UInt8], rules: AlertRules, minimumPolygonPixels: Int,
                         layers: [String: [Float]], thresholds: [String: Double]) throws(AnalysisError) -> DisasterResult {
        let ha = try PixelArea.hectares(geo)
        var counts = [Int](repeating: 0, count: 256)
        for v in classRaster { counts[Int(v)] += 1 }
        let areas = classes.sorted { $0.code < $1.code }.map {
            ClassArea(code: $0.code, name: $0.name, pixels: counts[Int($0.code)], hectares: Double(counts[Int($0.code)]) * ha)
        }
        let affectedHa = affected.reduce(0.0) { $0 + Double(counts[Int($1)]) * ha }
        let polygons = PolygonTracer.trace(classRaster, width: width, height: height, classes: Set(affected),
                                           minimumPixels: max(1, minimumPolygonPixels))
        return DisasterResult(job: job, width: width, height: height, classRaster: classRaster, classes: classes,
                              areasHa: areas, affectedClasses: affected, alert: rules.assess(affectedHa: affectedHa, what: what),
                              polygons: polygons, layers: layers, thresholds: thresholds)
    }
}

/// Per-pixel validity from an optional quality buffer (codes 1/3/4/5 masked) and the NaN state of inputs.
enum Validity {
    /// True where the quality code (if any) is not masked and every listed buffer is finite.
    static func mask(count n: Int, quality: [[UInt8]?], values: [[Float]]) -> [Bool] {
        var ok = [Bool](repeating: true, count: n)
        for q in quality { if let q { for i in 0..<n where LandUse.isMasked(quality: q[i]) { ok[i] = false } } }
        for v in values { for i in 0..<n where !v[i].isFinite { ok[i] = false } }
        return ok
    }
}

/// The Codable, raster-free part of a `DisasterResult`, for report.json and for merging shards
/// (areas add up across tiles; the alert is re-assessed on the sum with `AlertRules.assess`).
public struct DisasterSummary: Sendable, Equatable, Codable {
    /// Job kind.
    public var job: String
    /// Pixels and hectares per class.
    public var areasHa: [ClassArea]
    /// Affected class codes.
    public var affectedClasses: [UInt8]
    /// Alert and rule.
    public var alert: Alert
    /// Number of affected polygons.
    public var polygonCount: Int
    /// Thresholds used.
    public var thresholds: [String: Double]
}

extension DisasterResult {
    /// Overlap of the affected classes with an event reference (`truth`: 1 event, 0 none, 255 outside), over the
    /// pixels the job did not mask: |affected ∩ event| and |affected ∪ event| in pixels, so tiles add up to a job's
    /// IoU = Σ intersection / Σ union. Throws `sizeMismatch` when `truth` is not on the job's grid.
    public func overlap(truth: [UInt8]) throws(AnalysisError) -> (intersection: Int, union: Int) {
        try Check.size("truth", truth.count, classRaster.count)
        let affected = Set(affectedClasses)
        var i = 0, u = 0
        for (t, c) in zip(truth, classRaster) where t != 255 && c != 0 {
            let p = affected.contains(c), e = t == 1
            if p && e { i += 1 }
            if p || e { u += 1 }
        }
        return (i, u)
    }

    /// The Codable summary (no rasters, no polygons).
    public var summary: DisasterSummary {
        DisasterSummary(job: job, areasHa: areasHa, affectedClasses: affectedClasses, alert: alert,
                        polygonCount: polygons.count, thresholds: thresholds)
    }
}
