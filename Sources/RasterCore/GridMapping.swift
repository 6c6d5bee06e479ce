/// Where each target pixel falls in a source raster: source pixel coordinates (corner convention, source pixel
/// (i, j) covers [i, i+1) × [j, j+1)) as a function of target pixel coordinates.
///
/// The exact mapping is target pixel → target CRS (affine) → source CRS (a point transform, PROJ in RasterIO; none
/// when both grids share a CRS) → source pixel (inverse affine). It is evaluated exactly on a lattice of target
/// pixel corners every `step` pixels and interpolated bilinearly in between, as `gdalwarp`'s approximate
/// transformer does (GDAL interpolates along rows with a 0.125-pixel error threshold by default).
///
/// Error bound: `build` starts with a 64-pixel lattice and halves the step until the interpolated coordinates at
/// the centre of every lattice cell are within `tolerance` source pixels (default 0.01) of the exact ones, or the
/// step is 1 (or the lattice would pass about 4 M nodes). `maxError` is the largest difference measured. For a smooth transform the interpolation error of a
/// bilinear patch is largest near the cell centre, so this bounds the error everywhere up to higher-order terms;
/// for grids that share a CRS the mapping is affine and the lattice is exact (`maxError` = 0 up to rounding).
/// Lattice nodes that the point transform cannot map (outside a projection's domain) are NaN; target pixels in
/// their cells map to NaN and are never covered.
public struct GridMapping: Sendable {
    /// Maps points from the target CRS to the source CRS in place; a point that cannot be mapped becomes NaN.
    public typealias PointTransform = (_ xs: inout [Double], _ ys: inout [Double]) -> Void

    /// Target grid size.
    public let targetWidth: Int, targetHeight: Int
    /// Source grid size.
    public let sourceWidth: Int, sourceHeight: Int
    /// Lattice spacing in target pixels.
    public let step: Int
    /// Largest interpolation error measured at the lattice cell centres, in source pixels.
    public let maxError: Double
    /// Target pixel-space x (and y) of the lattice nodes: 0, step, 2·step, …, width (height).
    let nodeXs: [Double], nodeYs: [Double]
    /// Source pixel coordinates at the nodes, row-major (`nodeYs.count` rows of `nodeXs.count`).
    let nodeSX: [Double], nodeSY: [Double]

    /// The mapping from `target` onto `source`. `transform` maps target CRS coordinates to source CRS coordinates;
    /// nil when both grids share a CRS (the mapping is then affine and exact).
    public static func build(source: RasterGrid, target: RasterGrid, transform: PointTransform?,
                             tolerance: Double = 0.01, initialStep: Int = 64) -> GridMapping {
        let exact = { (us: [Double], vs: [Double]) -> ([Double], [Double]) in
            let tt = target.geo.transform, st = source.geo.transform
            var xs = [Double](repeating: 0, count: us.count), ys = xs
            for i in us.indices { (xs[i], ys[i]) = tt.apply(column: us[i], row: vs[i]) }
            transform?(&xs, &ys)
            for i in us.indices {
                if xs[i].isFinite, ys[i].isFinite, let p = st.invert(x: xs[i], y: ys[i]) { (xs[i], ys[i]) = (p.column, p.row) }
                else { (xs[i], ys[i]) = (.nan, .nan) }
            }
            return (xs, ys)
        }
        // The lattice holds at most about 4 M nodes (64 MB), whatever the grid: below that step the tolerance is
        // given up and `maxError` says what was reached.
        let minStep = max(1, Int((Double(target.width) * Double(target.height) / 4_000_000).squareRoot().rounded(.up)))
        var step = transform == nil ? max(target.width, target.height, 1) : max(minStep, initialStep)
        while true {
            let m = lattice(source: source, target: target, step: step, exact: exact)
            if transform == nil || m.maxError <= tolerance || step <= minStep { return m }
            step = max(minStep, step / 2)
        }
    }

    /// The lattice at one step, with its error measured at the cell centres.
    private static func lattice(source: RasterGrid, target: RasterGrid, step: Int,
                                exact: ([Double], [Double]) -> ([Double], [Double])) -> GridMapping {
        func nodes(_ n: Int) -> [Double] {
            var v = Swift.stride(from: 0, to: n, by: step).map(Double.init)
            v.append(Double(n))
            return v
        }
        let nx = nodes(target.width), ny = nodes(target.height)
        var us: [Double] = [], vs: [Double] = []
        us.reserveCapacity(nx.count * ny.count); vs.reserveCapacity(nx.count * ny.count)
        for y in ny { for x in nx { us.append(x); vs.append(y) } }
        let (sx, sy) = exact(us, vs)
        var m = GridMapping(targetWidth: target.width, targetHeight: target.height, sourceWidth: source.width,
                            sourceHeight: source.height, step: step, maxError: 0, nodeXs: nx, nodeYs: ny, nodeSX: sx, nodeSY: sy)
        // Cell centres: exact vs interpolated.
        var cu: [Double] = [], cv: [Double] = []
        for j in 0..<(ny.count - 1) { for i in 0..<(nx.count - 1) { cu.append((nx[i] + nx[i + 1]) / 2); cv.append((ny[j] + ny[j + 1]) / 2) } }
        let (ex, ey) = exact(cu, cv)
        var worst = 0.0
        for k in cu.indices where ex[k].isFinite {
            let (ix, iy) = m.point(u: cu[k], v: cv[k])
            if ix.isFinite { worst = max(worst, ((ix - ex[k]) * (ix - ex[k]) + (iy - ey[k]) * (iy - ey[k])).squareRoot()) }
        }
        m = GridMapping(targetWidth: m.targetWidth, targetHeight: m.targetHeight, sourceWidth: m.sourceWidth,
                        sourceHeight: m.sourceHeight, step: step, maxError: worst, nodeXs: nx, nodeYs: ny, nodeSX: sx, nodeSY: sy)
        return m
    }

    /// The lattice cell holding `p` among `nodes` and the fraction across it.
    @inline(__always) private static func cell(_ p: Double, _ nodes: [Double]) -> (Int, Double) {
        let last = nodes.count - 2
        var i = Int(p / (nodes[1] - nodes[0]))
        i = min(max(i, 0), last)
        return (i, (p - nodes[i]) / (nodes[i + 1] - nodes[i]))
    }

    /// Source pixel coordinates of target pixel-space point (u, v).
    public func point(u: Double, v: Double) -> (x: Double, y: Double) {
        let (i, s) = Self.cell(u, nodeXs), (j, t) = Self.cell(v, nodeYs)
        let n = nodeXs.count
        let a = j * n + i, b = a + n
        let x = (nodeSX[a] * (1 - s) + nodeSX[a + 1] * s) * (1 - t) + (nodeSX[b] * (1 - s) + nodeSX[b + 1] * s) * t
        let y = (nodeSY[a] * (1 - s) + nodeSY[a + 1] * s) * (1 - t) + (nodeSY[b] * (1 - s) + nodeSY[b + 1] * s) * t
        return (x, y)
    }

    /// Fills `xs[k]`, `ys[k]` with the source pixel coordinates of target pixel-space points (u0 + k, v),
    /// k in 0..<count. One lattice-row blend per call, then one linear interpolation per point.
    public func fillRow(v: Double, u0: Double, count: Int, xs: UnsafeMutablePointer<Double>, ys: UnsafeMutablePointer<Double>) {
        let (j, t) = Self.cell(v, nodeYs)
        let n = nodeXs.count
        // Blend the two lattice rows around v.
        var rx = [Double](repeating: 0, count: n), ry = rx
        let a = j * n, b = a + n
        for i in 0..<n {
            rx[i] = nodeSX[a + i] * (1 - t) + nodeSX[b + i] * t
            ry[i] = nodeSY[a + i] * (1 - t) + nodeSY[b + i] * t
        }
        let stepD = nodeXs[1] - nodeXs[0]
        var k = 0
        while k < count {
            let u = u0 + Double(k)
            var i = Int(u / stepD)
            i = min(max(i, 0), n - 2)
            let x0 = nodeXs[i], x1 = nodeXs[i + 1], span = x1 - x0
            let ax = rx[i], ay = ry[i], dx = (rx[i + 1] - ax) / span, dy = (ry[i + 1] - ay) / span
            // Every k whose u lies in this cell (the last cell also takes u beyond the last node).
            var end = i == n - 2 ? count : min(count, Int((x1 - u0).rounded(.up)))
            if end <= k { end = k + 1 }
            for kk in k..<end {
                let d = u0 + Double(kk) - x0
                xs[kk] = ax + dx * d
                ys[kk] = ay + dy * d
            }
            k = end
        }
    }

    /// The source window the target `window` reads from, grown by `margin` source pixels (bilinear needs 1) and
    /// clipped to the source; nil when the window maps entirely outside the source.
    public func sourceWindow(for window: Window, margin: Int = 1) -> Window? {
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        if window == .full(width: targetWidth, height: targetHeight) {
            // Bilinear patches take their extremes at their corners: the nodes bound the whole grid's image.
            for k in nodeSX.indices where nodeSX[k].isFinite && nodeSY[k].isFinite {
                minX = min(minX, nodeSX[k]); maxX = max(maxX, nodeSX[k]); minY = min(minY, nodeSY[k]); maxY = max(maxY, nodeSY[k])
            }
            return clip(minX, minY, maxX, maxY, margin: margin)
        }
        var xs = [Double](repeating: 0, count: window.width + 1), ys = xs
        for r in [Double(window.y)] + (0..<window.height).map({ Double(window.y + $0) + 0.5 }) + [Double(window.y + window.height)] {
            xs.withUnsafeMutableBufferPointer { xp in ys.withUnsafeMutableBufferPointer { yp in
                fillRow(v: r, u0: Double(window.x), count: window.width + 1, xs: xp.baseAddress!, ys: yp.baseAddress!)
            } }
            for k in xs.indices where xs[k].isFinite && ys[k].isFinite {
                minX = min(minX, xs[k]); maxX = max(maxX, xs[k]); minY = min(minY, ys[k]); maxY = max(maxY, ys[k])
            }
        }
        return clip(minX, minY, maxX, maxY, margin: margin)
    }

    /// The source window spanning [minX, maxX] × [minY, maxY] grown by `margin`, clipped to the source.
    private func clip(_ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double, margin: Int) -> Window? {
        guard minX.isFinite, minY.isFinite, maxX.isFinite, maxY.isFinite,
              maxX > -Double(margin) - 1, maxY > -Double(margin) - 1,
              minX < Double(sourceWidth + margin + 1), minY < Double(sourceHeight + margin + 1) else { return nil }
        // Clamped before the Int conversion, so that far-away coordinates cannot overflow it.
        let x0 = max(0, Int(max(minX, -1).rounded(.down)) - margin), y0 = max(0, Int(max(minY, -1).rounded(.down)) - margin)
        let x1 = min(sourceWidth, Int(min(maxX, Double(sourceWidth) + 1).rounded(.up)) + margin)
        let y1 = min(sourceHeight, Int(min(maxY, Double(sourceHeight) + 1).rounded(.up)) + margin)
        guard x1 > x0, y1 > y0 else { return nil }
        return Window(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}
