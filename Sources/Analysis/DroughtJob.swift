public import RasterCore

/// Drought: anomaly of NDVI or NDMI against the mean of baseline dates.
///
/// baseline(i) = mean of the valid baseline samples at pixel i (a sample is valid when finite and its quality
/// code is not masked); anomaly = current − baseline. Pixels with fewer than `minimumBaselineDates` valid
/// baseline samples, or a masked/NaN current sample, are class 0.
/// Classes: 1 normal, 2 wetter/greener (anomaly ≥ `wetter`), 3 moderate drought (`severe` < anomaly ≤
/// `moderate`), 4 severe drought (anomaly ≤ `severe`). Defaults: moderate −0.1, severe −0.2, wetter +0.1 (A).
/// Affected classes: 3 and 4.
public struct DroughtJob: Sendable, Equatable, Codable {
    /// Index name for reports (`ndvi` or `ndmi`).
    public var index: String
    /// Anomaly at or below which drought is moderate.
    public var moderate: Float
    /// Anomaly at or below which drought is severe.
    public var severe: Float
    /// Anomaly at or above which the pixel is wetter/greener than usual.
    public var wetter: Float
    /// Valid baseline dates needed per pixel.
    public var minimumBaselineDates: Int
    /// How the affected area is reported: alert thresholds and the smallest region traced into polygons.
    public var affectedArea: AffectedAreaRules

    /// Class definitions: 0 masked, 1 normal, 2 wetter/greener, 3 moderate drought, 4 severe drought.
    public static let classes = ClassDefinition.twoDateJobClasses(["normal", "wetter/greener", "moderate drought", "severe drought"],
                                                                  colors: ["#ffffbf", "#1a9641", "#fdae61", "#d7191c"])

    /// A job with defaults.
    public init(index: String = "ndvi", moderate: Float = -0.1, severe: Float = -0.2, wetter: Float = 0.1,
                minimumBaselineDates: Int = 1, alert: AlertRules = AlertRules(), minimumPolygonPixels: Int = 9) {
        self.index = index
        self.moderate = moderate
        self.severe = severe
        self.wetter = wetter
        self.minimumBaselineDates = minimumBaselineDates
        affectedArea = AffectedAreaRules(alert: alert, minimumPolygonPixels: minimumPolygonPixels)
    }

    /// Runs the job: `current` against `baseline` dates (each `width × height`, same grid `geo`).
    public func run(current: [Float], quality: [UInt8]? = nil, baseline: [[Float]], baselineQuality: [[UInt8]?]? = nil,
                    width: Int, height: Int, geo: GeoReference?) throws(AnalysisError) -> DisasterResult {
        let n = width * height
        try Check.size("current", current.count, n)
        if let q = quality { try Check.size("quality", q.count, n) }
        guard !baseline.isEmpty else { throw .badJobInput(job: "drought", reason: "no baseline dates") }
        for (k, b) in baseline.enumerated() { try Check.size("baseline[\(k)]", b.count, n) }
        if let bq = baselineQuality, bq.count != baseline.count {
            throw .badJobInput(job: "drought", reason: "\(bq.count) baseline quality buffers for \(baseline.count) baseline dates")
        }
        for (k, q) in (baselineQuality ?? []).enumerated() { if let q { try Check.size("baselineQuality[\(k)]", q.count, n) } }
        guard severe < moderate, moderate < wetter else {
            throw .badJobInput(job: "drought", reason: "thresholds must satisfy severe < moderate < wetter")
        }
        let validNow = Validity.mask(count: n, quality: [quality], values: [current])
        let pair = DatePair(before: baseline[0], after: current, qualityBefore: baselineQuality?[0], qualityAfter: quality,
                            width: width, height: height, geo: geo)
        return try assemble(pair, anomalyClasses(current: current, baseline: baseline, baselineQuality: baselineQuality, valid: validNow))
    }

    /// Anomaly against the mean of the valid baseline samples, classified, where `valid` holds for the current date.
    func anomalyClasses(current: [Float], baseline: [[Float]], baselineQuality: [[UInt8]?]?, valid: [Bool]) -> TwoDateClassification {
        let n = current.count
        var anomaly = [Float](repeating: .nan, count: n)
        var out = [UInt8](repeating: 0, count: n)
        for i in 0..<n where valid[i] {
            var sum = 0.0, count = 0
            for (k, b) in baseline.enumerated() {
                let v = b[i]
                guard v.isFinite else { continue }
                if let q = baselineQuality?[k], LandUse.isMasked(quality: q[i]) { continue }
                sum += Double(v); count += 1
            }
            guard count >= max(1, minimumBaselineDates) else { continue }
            let a = current[i] - Float(sum / Double(count))
            anomaly[i] = a
            out[i] = a <= severe ? 4 : a <= moderate ? 3 : a >= wetter ? 2 : 1
        }
        return TwoDateClassification(classes: out, layers: ["anomaly": anomaly],
                                     thresholds: ["moderate": Double(moderate), "severe": Double(severe), "wetter": Double(wetter)])
    }
}

extension DroughtJob: TwoDateJob {
    /// `drought`.
    public var jobName: String { "drought" }
    /// `<index> drought area`.
    public var affectedWhat: String { "\(index) drought area" }
    /// `baseline[0]`, `current`.
    public var roles: (before: String, after: String) { ("baseline[0]", "current") }
    /// `DroughtJob.classes`.
    public var classDefinitions: [ClassDefinition] { Self.classes }
    /// Classes 3 and 4 (moderate and severe drought).
    public var affectedClasses: [UInt8] { [3, 4] }

    /// The after date against the before date as a one-date baseline.
    public func classify(_ pair: DatePair, valid: [Bool]) throws(AnalysisError) -> TwoDateClassification {
        guard severe < moderate, moderate < wetter else {
            throw .badJobInput(job: "drought", reason: "thresholds must satisfy severe < moderate < wetter")
        }
        return anomalyClasses(current: pair.after, baseline: [pair.before], baselineQuality: [pair.qualityBefore], valid: valid)
    }
}
