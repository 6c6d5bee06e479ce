/// Downsamples one band to a quicklook's map size.
///
/// Output pixel (ox, oy) of an `ow × oh` grid covers source columns `⌊ox·w/ow⌋ ..< max(that+1, ⌊(ox+1)·w/ow⌋)`
/// (rows likewise), so every source pixel belongs to exactly one output pixel when shrinking. Continuous data
/// take the mean of the finite samples in the box (NaN when none), classes the most frequent finite value
/// (ties → smallest, NaN when none). No upsampling: a raster that already fits is returned as is.
public enum QuicklookResampler {
    /// The output size for a longest side of `longestSide` (aspect kept, each side ≥ 1).
    public static func size(width: Int, height: Int, longestSide: Int) -> (width: Int, height: Int) {
        let longest = max(width, height)
        guard longest > longestSide, longestSide > 0 else { return (width, height) }
        let f = Double(longestSide) / Double(longest)
        return (max(1, Int((Double(width) * f).rounded())), max(1, Int((Double(height) * f).rounded())))
    }

    /// Resamples `values` (`width × height`, row-major, NaN = nodata) to `outWidth × outHeight`.
    public static func resample(_ values: [Float], width: Int, height: Int, outWidth: Int, outHeight: Int,
                                categorical: Bool) -> [Float] {
        precondition(values.count == width * height)
        if outWidth == width && outHeight == height { return values }
        var out = [Float](repeating: .nan, count: outWidth * outHeight)
        var counts: [Float: Int] = [:]
        for oy in 0..<outHeight {
            let y0 = oy * height / outHeight, y1 = max(y0 + 1, (oy + 1) * height / outHeight)
            for ox in 0..<outWidth {
                let x0 = ox * width / outWidth, x1 = max(x0 + 1, (ox + 1) * width / outWidth)
                if categorical {
                    counts.removeAll(keepingCapacity: true)
                    for y in y0..<min(y1, height) {
                        for x in x0..<min(x1, width) {
                            let v = values[y * width + x]
                            if v.isFinite { counts[v, default: 0] += 1 }
                        }
                    }
                    if let best = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) {
                        out[oy * outWidth + ox] = best.key
                    }
                } else {
                    var sum = 0.0, n = 0
                    for y in y0..<min(y1, height) {
                        for x in x0..<min(x1, width) {
                            let v = values[y * width + x]
                            if v.isFinite { sum += Double(v); n += 1 }
                        }
                    }
                    if n > 0 { out[oy * outWidth + ox] = Float(sum / Double(n)) }
                }
            }
        }
        return out
    }
}
