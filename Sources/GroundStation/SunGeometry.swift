public import Foundation
public import RasterCore
import RasterIO

/// Per-pixel sun elevation from a tile's footprint and the acquisition time (rio-toa's `pixel_sunangle`).
///
/// The solar position (`Calibration.solarPosition`, NOAA equations, ≈0.5°) is computed at the nodes of a
/// lattice every `step` pixels (plus the last row/column), whose centres are taken to WGS84 with PROJ, and
/// interpolated bilinearly in between: the sun angle varies by well under 0.01° per pixel, so this equals a
/// per-pixel computation to far below the formula's own accuracy. All pixels share the scene-centre time.
public enum SunGeometry {
    /// Sun elevation in degrees for every pixel (row-major). Throws `ManifestError.raster` when the grid has
    /// no CRS PROJ can use.
    public static func elevationGrid(geo: GeoReference, width: Int, height: Int, date: Date, step: Int = 32) throws -> [Float] {
        guard let crs = geo.crs, let def = crs.projDefinition else {
            throw ManifestError.raster(file: "(grid)", reason: "per-pixel sun angles need a CRS PROJ understands")
        }
        let t: CRSTransform
        do { t = try CRSTransform.toWGS84(from: def) } catch { throw ManifestError.raster(file: "(grid)", reason: "\(error)") }
        let cols = Array(stride(from: 0, to: width - 1, by: step)) + [width - 1]
        let rows = Array(stride(from: 0, to: height - 1, by: step)) + [height - 1]
        var xs = [Double](), ys = [Double]()
        for r in rows {
            for c in cols {
                let p = geo.transform.apply(column: Double(c) + 0.5, row: Double(r) + 0.5)
                xs.append(p.x); ys.append(p.y)
            }
        }
        do { try t.transform(xs: &xs, ys: &ys) } catch { throw ManifestError.raster(file: "(grid)", reason: "\(error)") }
        let nodes = zip(xs, ys).map { Calibration.solarPosition(latitude: $0.1, longitude: $0.0, date: date).elevation }
        var out = [Float](repeating: 0, count: width * height)
        var ri = 0
        for r in 0..<height {
            while ri + 1 < rows.count - 1 && rows[ri + 1] <= r { ri += 1 }
            let r0 = rows[ri], r1 = rows[min(ri + 1, rows.count - 1)]
            let fy = r1 == r0 ? 0 : Double(r - r0) / Double(r1 - r0)
            var ci = 0
            for c in 0..<width {
                while ci + 1 < cols.count - 1 && cols[ci + 1] <= c { ci += 1 }
                let c0 = cols[ci], c1 = cols[min(ci + 1, cols.count - 1)]
                let fx = c1 == c0 ? 0 : Double(c - c0) / Double(c1 - c0)
                let n = cols.count
                let a = nodes[ri * n + ci], b = nodes[ri * n + min(ci + 1, n - 1)]
                let cc = nodes[min(ri + 1, rows.count - 1) * n + ci], d = nodes[min(ri + 1, rows.count - 1) * n + min(ci + 1, n - 1)]
                out[r * width + c] = Float(a + (b - a) * fx + (cc - a) * fy + (a - b - cc + d) * fx * fy)
            }
        }
        return out
    }

    /// Landsat-style TOA reflectance with a per-pixel sun elevation: ρ = (M·DN + A) / sin(θe(pixel)).
    public static func reflectance(dn: [Float], mult: Double, add: Double, sunElevations: [Float]) -> [Float] {
        precondition(dn.count == sunElevations.count, "one sun elevation per pixel")
        var out = [Float](repeating: .nan, count: dn.count)
        for i in 0..<dn.count where !dn[i].isNaN {
            out[i] = Float((mult * Double(dn[i]) + add) / sin(Double(sunElevations[i]) * .pi / 180))
        }
        return out
    }
}
