/// Bringing bands of different resolutions to the finest grid of a scene.
///
/// Method: nearest-neighbour replication by an integer factor k = fine size / coarse size (each coarse
/// pixel becomes a k×k block), which keeps values exactly and never invents intermediate reflectances.
/// Both bands must share the upper-left corner (true for Landsat, Sentinel-2 and MODIS tiles). A factor
/// that is not an integer is refused (`ManifestError.gridMismatch`); when k·coarse exceeds the fine size
/// by less than k (edge rounding) the extra is cropped, and a shortfall is padded with NaN.
public enum GridAlignment {
    /// Replicates `values` (`width`×`height`, row-major) by `factor` in both directions, then crops or
    /// NaN-pads to `targetWidth`×`targetHeight`.
    public static func replicate(_ values: [Float], width: Int, height: Int, factor: Int, targetWidth: Int, targetHeight: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: targetWidth * targetHeight)
        for y in 0..<targetHeight {
            let sy = y / factor
            guard sy < height else { break }
            for x in 0..<targetWidth {
                let sx = x / factor
                guard sx < width else { break }
                out[y * targetWidth + x] = values[sy * width + sx]
            }
        }
        return out
    }

    /// The integer factor that takes `size` to `target`, or nil when there is none.
    public static func factor(from size: Int, to target: Int) -> Int? {
        guard size > 0, target >= size else { return nil }
        let k = Int((Double(target) / Double(size)).rounded())
        guard k >= 1, abs(k * size - target) < k else { return nil }
        return k
    }
}
