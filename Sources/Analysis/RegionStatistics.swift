public import RasterCore

/// Class areas and index means per region (townships, villages, parcels), weighted by fractional coverage.
///
/// - area of class c in region R = Σ_{pixels i, class(i) = c} coverage_R(i) × pixel area;
/// - mean of index X in R = Σ coverage_R(i)·X(i) / Σ coverage_R(i) over pixels where X(i) is finite
///   (nil when no such pixel), so NaN (masked) pixels never pull a mean;
/// - `coveredHa` is the region's area on the tile, `validFraction` the share of it with a class other than 0.
public struct RegionStatistics: Sendable, Equatable, Codable {
    /// Region id.
    public var regionId: String
    /// Region name.
    public var name: String
    /// Hectares of the region inside the tile.
    public var coveredHa: Double
    /// Hectares per class code (only classes present), keyed by the code as a string for JSON.
    public var classHa: [String: Double]
    /// Coverage-weighted mean of each index (nil where no valid pixel).
    public var means: [String: Double?]
    /// Share of the covered area with a class other than 0.
    public var validFraction: Double

    /// Statistics of every region on one tile.
    public static func compute(regions: [Region], coverage: [RegionCoverage], classes: [UInt8]?,
                               indices: [String: [Float]], width: Int, height: Int,
                               geo: GeoReference) throws(AnalysisError) -> [RegionStatistics] {
        let n = width * height
        if let classes { try Check.size("classes", classes.count, n) }
        for (k, v) in indices { try Check.size(k, v.count, n) }
        let ha = try PixelArea.hectares(geo)
        var out: [RegionStatistics] = []
        for (region, cov) in zip(regions, coverage) {
            var classW = [Double](repeating: 0, count: 256)
            var total = 0.0
            for (p, f) in zip(cov.pixels, cov.fractions) {
                total += Double(f)
                if let classes { classW[Int(classes[p])] += Double(f) }
            }
            var classHa: [String: Double] = [:]
            for (c, w) in classW.enumerated() where w > 0 { classHa[String(c)] = w * ha }
            var means: [String: Double?] = [:]
            for (name, buf) in indices {
                var s = 0.0, w = 0.0
                for (p, f) in zip(cov.pixels, cov.fractions) where buf[p].isFinite {
                    s += Double(f) * Double(buf[p]); w += Double(f)
                }
                means[name] = w > 0 ? s / w : nil
            }
            let valid = classes == nil ? 1 : (total > 0 ? (total - classW[0]) / total : 0)
            out.append(RegionStatistics(regionId: region.id, name: region.name, coveredHa: total * ha, classHa: classHa,
                                        means: means, validFraction: valid))
        }
        return out
    }
}
