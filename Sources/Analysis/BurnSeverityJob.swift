public import RasterCore

/// Burn severity from pre- and post-fire NBR (Key & Benson 2006; UN-SPIDER recommended practice).
///
/// - dNBR = NBR_pre − NBR_post (unscaled; the USGS table's ×1000 values divided by 1000).
/// - RdNBR = (dNBR − `dnbrOffset`) / √|NBR_pre| (Miller & Thode 2007, as MTBS computes it: the offset is the
///   mean dNBR of unburned land, 0 by default); |NBR_pre| is floored at 0.001 so bare, NBR ≈ 0 pixels do not
///   divide by zero (A: the floor is ours).
/// - Seven classes from six ascending breakpoints b1..b6 (default −0.25, −0.1, 0.1, 0.27, 0.44, 0.66):
///   code = 1 + #{k : value ≥ b_k}. Each breakpoint belongs to the class **above** it, as in domain.md's table
///   (−0.25 → enhanced regrowth low, −0.1 → unburned, 0.1 → low, 0.27 → moderate-low, 0.44 → moderate-high,
///   0.66 → high). Comparisons are in Float32, so a Float32 dNBR equal to `Float(0.27)` is moderate-low.
///   Codes: 1 enhanced regrowth high, 2 enhanced regrowth low, 3 unburned, 4 low, 5 moderate-low,
///   6 moderate-high, 7 high severity; 0 masked (a masked quality code, `LandUse.isMasked`, at either date, or NaN NBR).
/// - Affected (burned) classes: 4...7 (low severity and above). Colours: UN-SPIDER palette.
public struct BurnSeverityJob: Sendable, Equatable, Codable {
    /// Six ascending breakpoints (dNBR units, or RdNBR units when `classifyRdNBR`).
    public var breakpoints: [Float]
    /// Classify RdNBR instead of dNBR (breakpoints must then be in RdNBR units).
    public var classifyRdNBR: Bool
    /// dNBR of unburned land, subtracted before relativising (MTBS `dNBR_offst` / 1000); 0 by default.
    public var dnbrOffset: Float
    /// How the affected area is reported: alert thresholds and the smallest region traced into polygons.
    public var affectedArea: AffectedAreaRules
    /// Minimum mapping unit in pixels of the burned / unburned partition (`AffectedAreaSieve`; 0 or 1 = none):
    /// smaller burned patches become unburned (3), smaller unburned holes take their burned neighbours' class.
    public var minimumMappingUnit: Int = 0

    /// USGS breakpoints (unscaled dNBR).
    public static let usgsBreakpoints: [Float] = [-0.25, -0.1, 0.1, 0.27, 0.44, 0.66]

    /// The seven USGS classes with the UN-SPIDER palette (and 0 masked).
    public static let classes = ClassDefinition.twoDateJobClasses(
        ["enhanced regrowth, high", "enhanced regrowth, low", "unburned", "low severity", "moderate-low severity",
         "moderate-high severity", "high severity"],
        colors: ["#7a8737", "#acbe4d", "#0ae042", "#fff70b", "#ffaf38", "#ff641b", "#a41fd6"])

    /// A job with the USGS breakpoints.
    public init(breakpoints: [Float] = BurnSeverityJob.usgsBreakpoints, classifyRdNBR: Bool = false, dnbrOffset: Float = 0,
                alert: AlertRules = AlertRules(), minimumPolygonPixels: Int = 9, minimumMappingUnit: Int = 0) {
        self.minimumMappingUnit = minimumMappingUnit
        self.breakpoints = breakpoints
        self.classifyRdNBR = classifyRdNBR
        self.dnbrOffset = dnbrOffset
        affectedArea = AffectedAreaRules(alert: alert, minimumPolygonPixels: minimumPolygonPixels)
    }

    /// Class code of one value: 0 for NaN, else 1 + number of breakpoints ≤ value.
    @inlinable public static func severityClass(_ value: Float, breakpoints: [Float] = usgsBreakpoints) -> UInt8 {
        guard !value.isNaN else { return 0 }
        var c: UInt8 = 1
        for b in breakpoints where value >= b { c += 1 }
        return c
    }

    /// Runs the job on one tile pair of NBR buffers on grid `geo`.
    public func run(nbrBefore: [Float], nbrAfter: [Float], qualityBefore: [UInt8]? = nil, qualityAfter: [UInt8]? = nil,
                    width: Int, height: Int, geo: GeoReference?) throws(AnalysisError) -> DisasterResult {
        try run(DatePair(before: nbrBefore, after: nbrAfter, qualityBefore: qualityBefore, qualityAfter: qualityAfter,
                         width: width, height: height, geo: geo))
    }
}

extension BurnSeverityJob: TwoDateJob {
    /// `burn_severity`.
    public var jobName: String { "burn_severity" }
    /// `burned area`.
    public var affectedWhat: String { "burned area" }
    /// `nbrBefore`, `nbrAfter`.
    public var roles: (before: String, after: String) { ("nbrBefore", "nbrAfter") }
    /// `BurnSeverityJob.classes`.
    public var classDefinitions: [ClassDefinition] { Self.classes }
    /// Classes 4–7 (low severity and above).
    public var affectedClasses: [UInt8] { [4, 5, 6, 7] }

    /// dNBR and RdNBR per valid pixel, classified by the breakpoints.
    public func classify(_ pair: DatePair, valid: [Bool]) throws(AnalysisError) -> TwoDateClassification {
        guard breakpoints.count == 6, zip(breakpoints, breakpoints.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .badJobInput(job: "burn_severity", reason: "breakpoints must be six ascending values, got \(breakpoints)")
        }
        let n = pair.count
        var dnbr = [Float](repeating: .nan, count: n), rdnbr = [Float](repeating: .nan, count: n)
        var out = [UInt8](repeating: 0, count: n)
        for i in 0..<n where valid[i] {
            let d = pair.before[i] - pair.after[i]
            dnbr[i] = d
            rdnbr[i] = (d - dnbrOffset) / max(abs(pair.before[i]), 0.001).squareRoot()
            out[i] = Self.severityClass(classifyRdNBR ? rdnbr[i] : d, breakpoints: breakpoints)
        }
        out = AffectedAreaSieve.apply(out, width: pair.width, height: pair.height, affected: Set(affectedClasses), unaffected: 3,
                                      minimumPixels: minimumMappingUnit)
        var th: [String: Double] = [:]
        for (k, b) in breakpoints.enumerated() { th["breakpoint_\(k + 1)"] = Double(b) }
        if minimumMappingUnit > 1 { th["minimum_mapping_unit_pixels"] = Double(minimumMappingUnit) }
        return TwoDateClassification(classes: out, layers: ["dnbr": dnbr, "rdnbr": rdnbr], thresholds: th)
    }
}
