import Foundation
import RasterIO

/// The source-CRS coordinates of every pixel centre of a Web Mercator tile, from PROJ at a coarse lattice of pixel
/// centres (every `step` pixels, and the last row and column) and bilinear interpolation in between, as GDAL's
/// approximate transformer does for a warp. PROJ runs on about 1 % of the pixels instead of all of them.
///
/// `maxError` is measured, not assumed: PROJ also transforms the middle of every lattice cell and of each of its
/// edges, where bilinear interpolation is worst (between two conformal projections the curvature terms cancel at a
/// cell's centre, so the edge middles carry the largest error), and the largest distance between those and the
/// interpolated points (source-CRS units) is kept; a lattice with a node PROJ could not transform has an infinite
/// error. The renderer uses the lattice only
/// when `maxError` is a small fraction of the source pixel it reads, and PROJ per pixel otherwise.
struct PixelLattice {
    /// Source-CRS x and y per tile pixel, row-major (`size × size`).
    let xs: [Double], ys: [Double]
    /// The largest interpolation error found at the cell middles, in source-CRS units (infinite: unusable).
    let maxError: Double

    /// The lattice of a `size`-pixel tile whose top-left corner is (`minX`, `maxY`) in EPSG:3857 with `res` metres
    /// per pixel, through `transform` (EPSG:3857 → source CRS).
    init(minX: Double, maxY: Double, res: Double, size: Int, step: Int = 16, transform: CRSTransform) {
        var nodes = Array(stride(from: 0, to: size - 1, by: step))
        nodes.append(size - 1)
        let n = nodes.count
        // Lattice nodes (pixel centres), then check points: (row, column) in lattice units, fractional at the middles.
        var lx: [Double] = [], ly: [Double] = []
        for r in nodes { for c in nodes { lx.append(minX + (Double(c) + 0.5) * res); ly.append(maxY - (Double(r) + 0.5) * res) } }
        var checks: [(row: Double, column: Double)] = []
        for k in 0..<n {
            for c in 0..<n {
                if c + 1 < n { checks.append((Double(k), Double(c) + 0.5)) }                          // horizontal edge middle
                if k + 1 < n { checks.append((Double(k) + 0.5, Double(c))) }                          // vertical edge middle
                if c + 1 < n && k + 1 < n { checks.append((Double(k) + 0.5, Double(c) + 0.5)) }       // cell middle
            }
        }
        func pixel(_ lattice: Double) -> Double {   // lattice units → pixel position
            let k = min(Int(lattice), n - 2), t = lattice - Double(k)
            return Double(nodes[k]) * (1 - t) + Double(nodes[k + 1]) * t
        }
        for p in checks { lx.append(minX + (pixel(p.column) + 0.5) * res); ly.append(maxY - (pixel(p.row) + 0.5) * res) }
        transform.transformMarkingFailures(xs: &lx, ys: &ly)

        // Cell and weight of every pixel along one axis.
        var cell = [Int](repeating: 0, count: size), weight = [Double](repeating: 0, count: size)
        for i in 0..<size {
            var k = 0
            while k < n - 2 && nodes[k + 1] <= i { k += 1 }
            cell[i] = k
            weight[i] = Double(i - nodes[k]) / Double(nodes[k + 1] - nodes[k])
        }
        func interpolate(_ v: [Double], row k: Int, _ tr: Double, column c: Int, _ tc: Double) -> Double {
            let a = v[k * n + c], b = v[k * n + c + 1], d = v[(k + 1) * n + c], e = v[(k + 1) * n + c + 1]
            return (a * (1 - tc) + b * tc) * (1 - tr) + (d * (1 - tc) + e * tc) * tr
        }
        var error = 0.0
        for (m, p) in checks.enumerated() {
            let k = min(Int(p.row), n - 2), c = min(Int(p.column), n - 2)
            let tr = p.row - Double(k), tc = p.column - Double(c)
            let ix = interpolate(lx, row: k, tr, column: c, tc), iy = interpolate(ly, row: k, tr, column: c, tc)
            let e = hypot(ix - lx[n * n + m], iy - ly[n * n + m])
            error = e.isFinite ? max(error, e) : .infinity
        }
        for k in 0..<(n * n) where !(lx[k].isFinite && ly[k].isFinite) { error = .infinity }
        maxError = error
        var xs = [Double](repeating: .nan, count: size * size), ys = xs
        if error.isFinite {
            for j in 0..<size {
                for i in 0..<size {
                    xs[j * size + i] = interpolate(lx, row: cell[j], weight[j], column: cell[i], weight[i])
                    ys[j * size + i] = interpolate(ly, row: cell[j], weight[j], column: cell[i], weight[i])
                }
            }
        }
        self.xs = xs
        self.ys = ys
    }
}
