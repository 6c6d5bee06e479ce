/// Otsu's automatic threshold (Otsu 1979): the cut of a histogram that maximises the between-class variance
/// `σ²_B(t) = ω0(t)·ω1(t)·(μ0(t) − μ1(t))²`.
public enum Otsu {
    /// The threshold for `values` over a `bins`-bin histogram of [`lower`, `upper`].
    ///
    /// NaN and out-of-range values are ignored. The returned t is the upper edge of the last bin of the low
    /// class, so the classes are `v ≤ t` (approximately; within one bin width) and `v > t`. When several cuts
    /// tie, the middle of the tied run is returned. Returns nil when fewer than two bins are populated.
    public static func threshold(_ values: [Float], lower: Float, upper: Float, bins: Int = 256) -> Float? {
        guard bins >= 2, upper > lower else { return nil }
        var hist = [Double](repeating: 0, count: bins)
        let scale = Float(bins) / (upper - lower)
        for v in values where v >= lower && v <= upper {
            hist[min(bins - 1, Int((v - lower) * scale))] += 1
        }
        return threshold(histogram: hist, lower: lower, upper: upper)
    }

    /// The threshold for a precomputed histogram whose bins evenly cover [`lower`, `upper`].
    public static func threshold(histogram hist: [Double], lower: Float, upper: Float) -> Float? {
        let bins = hist.count
        guard bins >= 2, hist.filter({ $0 > 0 }).count >= 2 else { return nil }
        let total = hist.reduce(0, +)
        var sumAll = 0.0
        for (i, h) in hist.enumerated() { sumAll += Double(i) * h }
        var w0 = 0.0, sum0 = 0.0
        var best = -1.0
        var bestFirst = 0, bestLast = 0
        for t in 0..<(bins - 1) {
            w0 += hist[t]
            sum0 += Double(t) * hist[t]
            let w1 = total - w0
            if w0 == 0 || w1 == 0 { continue }
            let m0 = sum0 / w0, m1 = (sumAll - sum0) / w1
            let between = w0 * w1 * (m0 - m1) * (m0 - m1)
            if between > best * (1 + 1e-12) { best = between; bestFirst = t; bestLast = t }
            else if abs(between - best) <= best * 1e-12 && bestLast == t - 1 { bestLast = t }
        }
        guard best >= 0 else { return nil }
        let width = (upper - lower) / Float(bins)
        let cut = Float(bestFirst + bestLast) / 2 + 1
        return lower + cut * width
    }
}
