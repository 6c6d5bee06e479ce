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

    /// Statistics of every region on one tile (from `RegionPartial.measure`, so a tile's figures and the sums
    /// a run merges are the same numbers).
    public static func compute(regions: [Region], coverage: [RegionCoverage], classes: [UInt8]?,
                               indices: [String: [Float]], width: Int, height: Int,
                               geo: GeoReference) throws(AnalysisError) -> [RegionStatistics] {
        let ha = try PixelArea.hectares(geo)
        var out: [RegionStatistics] = []
        for (region, cov) in zip(regions, coverage) {
            let p = try RegionPartial.measure(cov, classes: classes, indices: indices, count: width * height, pixelHectares: ha)
            let covered = cov.coveredPixels
            let nodata = classes.map { cls in zip(cov.pixels, cov.fractions).reduce(0.0) { $0 + (cls[$1.0] == 0 ? Double($1.1) : 0) } } ?? 0
            var means: [String: Double?] = [:]
            for name in indices.keys { means[name] = p.means[name] }
            out.append(RegionStatistics(regionId: region.id, name: region.name, coveredHa: covered * ha, classHa: p.classHa,
                                        means: means, validFraction: classes == nil ? 1 : (covered > 0 ? (covered - nodata) / covered : 0)))
        }
        return out
    }
}

/// One region's partial sums on one tile (fractional coverage w ∈ [0, 1] per pixel): hectares per class
/// Σ w × pixel area, and per index Σ w·x and Σ w over finite x. Partials of several tiles add up (`merge`) to the
/// region's figures over a run; `means` divides at the end.
public struct RegionPartial: Codable, Sendable, Equatable {
    /// Class code (decimal) → hectares.
    public var classHa: [String: Double] = [:]
    /// Index → Σ w·x.
    public var weightedSums: [String: Double] = [:]
    /// Index → Σ w.
    public var weights: [String: Double] = [:]

    /// Empty sums.
    public init() {}

    /// The partial of one region's `coverage` on a tile: `classes` (optional class map) and `indices` are
    /// `count` samples each; NaN index samples are left out of that index's sums.
    public static func measure(_ coverage: RegionCoverage, classes: [UInt8]?, indices: [String: [Float]], count: Int,
                               pixelHectares: Double) throws(AnalysisError) -> RegionPartial {
        if let classes { try Check.size("classes", classes.count, count) }
        for (k, v) in indices { try Check.size(k, v.count, count) }
        var r = RegionPartial()
        if let classes {
            var classW = [Double](repeating: 0, count: 256)
            for (p, f) in zip(coverage.pixels, coverage.fractions) { classW[Int(classes[p])] += Double(f) }
            for (c, w) in classW.enumerated() where w > 0 { r.classHa[String(c)] = w * pixelHectares }
        }
        for (name, buf) in indices {
            var s = 0.0, w = 0.0
            for (p, f) in zip(coverage.pixels, coverage.fractions) where buf[p].isFinite && f > 0 {
                s += Double(f) * Double(buf[p]); w += Double(f)
            }
            r.weightedSums[name] = s; r.weights[name] = w
        }
        return r
    }

    /// Adds another tile's partial of the same region.
    public mutating func merge(_ o: RegionPartial) {
        for (k, v) in o.classHa { classHa[k, default: 0] += v }
        for (k, v) in o.weightedSums { weightedSums[k, default: 0] += v }
        for (k, v) in o.weights { weights[k, default: 0] += v }
    }

    /// Index means Σ w·x / Σ w (indices with Σ w = 0 left out).
    public var means: [String: Double] {
        var m: [String: Double] = [:]
        for (k, w) in weights where w > 0 { m[k] = (weightedSums[k] ?? 0) / w }
        return m
    }
}
