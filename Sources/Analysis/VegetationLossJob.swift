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
    /// Alert area thresholds applied to the loss area.
    public var alert: AlertRules
    /// Regions smaller than this many pixels are not turned into polygons (areas still count them); default 9.
    public var minimumPolygonPixels: Int

    /// Class definitions.
    public static let classes: [ClassDefinition] = [
        ClassDefinition(code: 0, name: "masked", color: "#00000000"),
        ClassDefinition(code: 1, name: "not vegetated before", color: "#d9d9d9"),
        ClassDefinition(code: 2, name: "vegetation kept", color: "#41ab5d"),
        ClassDefinition(code: 3, name: "vegetation loss", color: "#8c510a"),
    ]

    /// A job with defaults.
    public init(kind: String = "vegetation_loss", vegetatedMinimum: Float = 0.3, drop: Float = 0.2,
                alert: AlertRules = AlertRules(), minimumPolygonPixels: Int = 9) {
        self.kind = kind
        self.vegetatedMinimum = vegetatedMinimum
        self.drop = drop
        self.alert = alert
        self.minimumPolygonPixels = minimumPolygonPixels
    }

    /// Runs the job on one tile pair of NDVI buffers on grid `geo`.
    public func run(ndviBefore: [Float], ndviAfter: [Float], qualityBefore: [UInt8]? = nil, qualityAfter: [UInt8]? = nil,
                    width: Int, height: Int, geo: GeoReference?) throws(AnalysisError) -> DisasterResult {
        let n = width * height
        try Check.size("ndviBefore", ndviBefore.count, n)
        try Check.size("ndviAfter", ndviAfter.count, n)
        if let q = qualityBefore { try Check.size("qualityBefore", q.count, n) }
        if let q = qualityAfter { try Check.size("qualityAfter", q.count, n) }
        let valid = Validity.mask(count: n, quality: [qualityBefore, qualityAfter], values: [ndviBefore, ndviAfter])
        var out = [UInt8](repeating: 0, count: n)
        var delta = [Float](repeating: .nan, count: n)
        for i in 0..<n where valid[i] {
            delta[i] = ndviAfter[i] - ndviBefore[i]
            if ndviBefore[i] < vegetatedMinimum { out[i] = 1 }
            else { out[i] = ndviBefore[i] - ndviAfter[i] >= drop ? 3 : 2 }
        }
        return try DisasterResult.assemble(job: kind, what: "vegetation loss area", classRaster: out, width: width, height: height,
                                           geo: geo, classes: Self.classes, affected: [3], rules: alert,
                                           minimumPolygonPixels: minimumPolygonPixels, layers: ["ndvi_change": delta],
                                           thresholds: ["vegetated_minimum": Double(vegetatedMinimum), "drop": Double(drop)])
    }
}
