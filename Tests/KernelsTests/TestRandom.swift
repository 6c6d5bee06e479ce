import RasterCore

/// Random reflectance-like bands: mostly in [0, 1], a few exact zeros and negatives, and NaN
/// (nodata) with probability `nanRate`, independently per band and pixel.
func randomBands(_ names: [String], count: Int, nanRate: Double, rng: inout SplitMix64) -> [String: [Float]] {
    var out: [String: [Float]] = [:]
    for name in names {
        out[name] = (0..<count).map { _ -> Float in
            let u = Double.random(in: 0..<1, using: &rng)
            if u < nanRate { return .nan }
            if u < nanRate + 0.02 { return 0 }
            if u < nanRate + 0.03 { return -Float.random(in: 0..<0.05, using: &rng) }
            return Float.random(in: 0..<1, using: &rng)
        }
    }
    return out
}

/// True when a and b are both NaN, or equal within `tolerance` relative to max(1, |b|).
func close(_ a: Float, _ b: Float, tolerance: Float = 1e-5) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a.isInfinite || b.isInfinite { return a == b }
    return abs(a - b) <= tolerance * max(1, abs(b))
}
