public import RasterCore

/// Vegetation loss / landslide scars: NDVI drop on previously vegetated pixels.
///
/// vegetated before = NDVI_before ≥ `vegetatedMinimum` (default 0.3, domain.md §4.3);
/// loss = vegetated before and NDVI_before − NDVI_after ≥ `drop` (default 0.2).
/// Classes: 0 masked (masked quality code at either date, or NaN), 1 not vegetated before, 2 vegetation kept,
/// 3 vegetation loss (affected).
public struct VegetationLossJob: Sendable, Equatable, Codable {
    /// Job label in results: `vegetation_loss` or `landslide`.
    public var kind: String
    /// NDVI at or above which a pixel counts as vegetated before the event.
    public var vegetatedMinimum: Float
    /// NDVI drop that counts as loss.
    public var drop: Float
    /// How the affected area is reported: alert thresholds and the smallest region traced into polygons.
    public var affectedArea: AffectedAreaRules

    /// Class definitions: 0 masked, 1 not vegetated before, 2 vegetation kept, 3 vegetation loss.
    public static let classes = ClassDefinition.twoDateJobClasses(["not vegetated before", "vegetation kept", "vegetation loss"],
                                                                  colors: ["#d9d9d9", "#41ab5d", "#8c510a"])

    /// A job with defaults.
    public init(kind: String = "vegetation_loss", vegetatedMinimum: Float = 0.3, drop: Float = 0.2,
                alert: AlertRules = AlertRules(), minimumPolygonPixels: Int = 9) {
        self.kind = kind
        self.vegetatedMinimum = vegetatedMinimum
        self.drop = drop
        affectedArea = AffectedAreaRules(alert: alert, minimumPolygonPixels: minimumPolygonPixels)
    }

    /// Runs the job on one tile pair of NDVI buffers on grid `geo`.
    public func run(ndviBefore: [Float], ndviAfter: [Float], qualityBefore: [UInt8]? = nil, qualityAfter: [UInt8]? = nil,
                    width: Int, height: Int, geo: GeoReference?) throws(AnalysisError) -> DisasterResult {
        try run(DatePair(before: ndviBefore, after: ndviAfter, qualityBefore: qualityBefore, qualityAfter: qualityAfter,
                         width: width, height: height, geo: geo))
    }
}

extension VegetationLossJob: TwoDateJob {
    /// `vegetation_loss` or `landslide` (`kind`).
    public var jobName: String { kind }
    /// `vegetation loss area`.
    public var affectedWhat: String { "vegetation loss area" }
    /// `ndviBefore`, `ndviAfter`.
    public var roles: (before: String, after: String) { ("ndviBefore", "ndviAfter") }
    /// `VegetationLossJob.classes`.
    public var classDefinitions: [ClassDefinition] { Self.classes }
    /// Class 3, vegetation loss.
    public var affectedClasses: [UInt8] { [3] }

    /// Not vegetated before / kept / lost per valid pixel.
    public func classify(_ pair: DatePair, valid: [Bool]) -> TwoDateClassification {
        var out = [UInt8](repeating: 0, count: pair.count)
        var delta = [Float](repeating: .nan, count: pair.count)
        for i in 0..<pair.count where valid[i] {
            let b = pair.before[i], a = pair.after[i]
            delta[i] = a - b
            if b < vegetatedMinimum { out[i] = 1 } else { out[i] = b - a >= drop ? 3 : 2 }
        }
        return TwoDateClassification(classes: out, layers: ["ndvi_change": delta],
                                     thresholds: ["vegetated_minimum": Double(vegetatedMinimum), "drop": Double(drop)])
    }
}
