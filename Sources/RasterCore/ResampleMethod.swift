/// How values are taken from a source grid onto a target grid (`gdalwarp -r`).
///
/// - `nearest`: the source pixel the target pixel centre falls in. For classes, masks and quality codes: it never
///   invents a value.
/// - `bilinear`: the four source pixels around the target pixel centre, weighted by distance (pixel-centre
///   convention, as GDAL's 4-sample bilinear). For reflectance when the target pixel is as fine as, or finer than,
///   the source pixel (10 m from 20 m).
/// - `average`: every source pixel the target pixel's footprint covers, weighted by the covered fraction (GDAL ≥ 3.1
///   `average`). For reflectance when the target pixel is coarser than the source pixel (60 m from 10 m).
///
/// NaN source samples (nodata) are left out of `bilinear` and `average` and the weights renormalised over the valid
/// ones; a target pixel with no valid contribution is NaN.
public enum ResampleMethod: String, Sendable, CaseIterable, Codable {
    case nearest, bilinear, average

    /// The method for reflectance-like continuous values going from `sourcePixelSize` to `targetPixelSize` (same
    /// units): `average` when the target pixel is more than 1.5 times coarser, otherwise `bilinear`.
    public static func continuous(sourcePixelSize: Double, targetPixelSize: Double) -> ResampleMethod {
        targetPixelSize > 1.5 * sourcePixelSize ? .average : .bilinear
    }
}
