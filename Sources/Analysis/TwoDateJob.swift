public import RasterCore

/// The two dates of one tile pair that a two-date job reads: one index plane per date and each date's
/// ground-station quality codes (`PixelQuality`; codes `LandUse.isMasked` holds for are masked), on one grid.
public struct DatePair: Sendable {
    /// Index values before and after (NaN = invalid), `width × height` each.
    public var before: [Float], after: [Float]
    /// Quality codes of each date, when known.
    public var qualityBefore: [UInt8]?, qualityAfter: [UInt8]?
    /// Grid size.
    public var width: Int, height: Int
    /// The grid both dates share.
    public var geo: GeoReference?

    /// A pair from its parts.
    public init(before: [Float], after: [Float], qualityBefore: [UInt8]? = nil, qualityAfter: [UInt8]? = nil,
                width: Int, height: Int, geo: GeoReference?) {
        self.before = before; self.after = after; self.qualityBefore = qualityBefore; self.qualityAfter = qualityAfter
        self.width = width; self.height = height; self.geo = geo
    }

    /// Pixels per plane.
    public var count: Int { width * height }

    /// Checks every buffer against the grid (names prefixed by `roles`, e.g. `nbr`) and returns the validity mask:
    /// true where neither date's quality code is masked and both values are finite.
    func validated(roles: (before: String, after: String)) throws(AnalysisError) -> [Bool] {
        try Check.size(roles.before, before.count, count)
        try Check.size(roles.after, after.count, count)
        if let q = qualityBefore { try Check.size("qualityBefore", q.count, count) }
        if let q = qualityAfter { try Check.size("qualityAfter", q.count, count) }
        return Validity.mask(count: count, quality: [qualityBefore, qualityAfter], values: [before, after])
    }
}

/// What a two-date job decides per pixel, before areas, alert and polygons are derived.
public struct TwoDateClassification: Sendable {
    /// Class codes (0 = masked), `width × height`.
    public var classes: [UInt8]
    /// Continuous layers the job computed (`dnbr`, `anomaly`, ...), NaN where masked.
    public var layers: [String: [Float]]
    /// Thresholds actually used.
    public var thresholds: [String: Double]

    /// A classification from its parts.
    public init(classes: [UInt8], layers: [String: [Float]] = [:], thresholds: [String: Double]) {
        self.classes = classes; self.layers = layers; self.thresholds = thresholds
    }
}

/// How a two-date job reports its affected area (every job has these two settings).
public struct AffectedAreaRules: Sendable, Equatable, Codable {
    /// Area thresholds that raise an alert, applied to the sum over the affected classes.
    public var alert: AlertRules
    /// Regions smaller than this many pixels are not turned into polygons (areas still count them); default 9,
    /// the UN-SPIDER flood practice of dropping regions of ≤ 8 connected pixels.
    public var minimumPolygonPixels: Int

    /// Rules from their parts.
    public init(alert: AlertRules = AlertRules(), minimumPolygonPixels: Int = 9) {
        self.alert = alert
        self.minimumPolygonPixels = minimumPolygonPixels
    }
}

/// A job that compares the two dates of a tile pair (flood, burn severity, vegetation loss / landslide, drought).
///
/// A job only says how valid pixels are classified (`classify`); `run` does the rest once for every job:
/// checks the buffers against the grid, masks pixels whose quality code is masked or whose value is NaN at
/// either date (class 0), and assembles the `DisasterResult` (areas, alert, polygons of the affected classes).
public protocol TwoDateJob: Sendable {
    /// The job's label in results (`flood`, `burn_severity`, `vegetation_loss`, `landslide`, `drought`).
    var jobName: String { get }
    /// What the affected area is, for the alert rule (`newly flooded area`).
    var affectedWhat: String { get }
    /// Names of the before/after buffers in size errors (`nbrBefore`, `nbrAfter`).
    var roles: (before: String, after: String) { get }
    /// The job's classes (codes, names, colours), 0 = masked.
    var classDefinitions: [ClassDefinition] { get }
    /// Codes counted as affected.
    var affectedClasses: [UInt8] { get }
    /// Alert area thresholds and the smallest region traced into polygons.
    var affectedArea: AffectedAreaRules { get }

    /// Classifies the pixels where `valid` holds (the others stay 0).
    func classify(_ pair: DatePair, valid: [Bool]) throws(AnalysisError) -> TwoDateClassification
}

extension TwoDateJob {
    /// Runs the job on one pair: validate, classify, assemble.
    public func run(_ pair: DatePair) throws(AnalysisError) -> DisasterResult {
        let valid = try pair.validated(roles: roles)
        return try assemble(pair, try classify(pair, valid: valid))
    }

    /// The result of a classification of `pair`: areas, alert and polygons (`DisasterResult.assemble`).
    func assemble(_ pair: DatePair, _ c: TwoDateClassification) throws(AnalysisError) -> DisasterResult {
        try DisasterResult.assemble(job: jobName, what: affectedWhat, classRaster: c.classes, width: pair.width, height: pair.height,
                                    geo: pair.geo, classes: classDefinitions, affected: affectedClasses, rules: affectedArea.alert,
                                    minimumPolygonPixels: affectedArea.minimumPolygonPixels, layers: c.layers, thresholds: c.thresholds)
    }
}

extension ClassDefinition {
    /// The classes of a two-date job map: 0 masked (transparent), then `names` coded 1, 2, … with `colors`.
    public static func twoDateJobClasses(_ names: [String], colors: [String]) -> [ClassDefinition] {
        precondition(names.count == colors.count, "one colour per class")
        return [ClassDefinition(code: 0, name: "masked", color: "#00000000")]
            + zip(names, colors).enumerated().map { ClassDefinition(code: UInt8($0.offset + 1), name: $0.element.0, color: $0.element.1) }
    }
}
