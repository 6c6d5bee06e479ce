/// Resampling of Float32 planes from a source grid onto a target grid through a `GridMapping` (nearest, bilinear,
/// average; see `ResampleMethod` for each rule). Pure functions over buffers: no I/O, no PROJ, no threads.
///
/// Coverage follows `gdalwarp`: a target pixel takes a value only when its centre maps inside the source
/// (0 ≤ x < width and 0 ≤ y < height, with GDAL's 1e-10 rounding slack) — for `average`, when its footprint overlaps
/// the source — and holds NaN otherwise. NaN samples are nodata.
///
/// Work is row by row over a target `Window`: the source coordinates of one row are interpolated from the mapping's
/// lattice once and shared by every plane; the inner loops are plain gathers over contiguous rows.
public enum Resampler {
    /// Source planes on a source window: `planes[p]` holds `window.width × window.height` samples of the source
    /// grid's `window` (pass `Window.full` for whole rasters).
    public struct Source {
        /// The planes, row-major, each `window.pixelCount` samples.
        public var planes: [UnsafeBufferPointer<Float>]
        /// Where the planes sit in the full source grid.
        public var window: Window
        /// Planes on `window` of the source grid.
        public init(planes: [UnsafeBufferPointer<Float>], window: Window) {
            precondition(planes.allSatisfy { $0.count == window.pixelCount }, "each plane must hold window.pixelCount samples")
            self.planes = planes
            self.window = window
        }
    }

    /// Resamples every plane of `source` onto `target` (a window of the mapping's target grid; the whole grid by
    /// default). Returns one plane per source plane, `target.pixelCount` samples each, NaN where not covered.
    public static func resample(_ source: Source, mapping: GridMapping, method: ResampleMethod, target: Window? = nil) -> [[Float]] {
        let win = target ?? .full(width: mapping.targetWidth, height: mapping.targetHeight)
        guard win.pixelCount > 0, !source.planes.isEmpty else {
            return [[Float]](repeating: [Float](repeating: .nan, count: win.pixelCount), count: source.planes.count)
        }
        let outs = source.planes.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: win.pixelCount) }
        defer { for o in outs { o.deallocate() } }
        for o in outs { o.initialize(repeating: .nan, count: win.pixelCount) }
        switch method {
        case .nearest, .bilinear: pointSample(source, mapping, method, win, outs)
        case .average: areaAverage(source, mapping, win, outs)
        }
        return outs.map { Array(UnsafeBufferPointer(start: $0, count: win.pixelCount)) }
    }

    /// Resamples one whole plane (`sourceWidth × sourceHeight`) onto the mapping's whole target grid.
    public static func resample(_ plane: [Float], mapping: GridMapping, method: ResampleMethod) -> [Float] {
        precondition(plane.count == mapping.sourceWidth * mapping.sourceHeight, "plane size must match the mapping's source")
        return plane.withUnsafeBufferPointer {
            resample(Source(planes: [$0], window: .full(width: mapping.sourceWidth, height: mapping.sourceHeight)),
                     mapping: mapping, method: method)[0]
        }
    }

    /// Nearest and bilinear: one source point per target pixel centre.
    private static func pointSample(_ src: Source, _ m: GridMapping, _ method: ResampleMethod, _ win: Window,
                                    _ outs: [UnsafeMutablePointer<Float>]) {
        let dsw = Double(m.sourceWidth), dsh = Double(m.sourceHeight)
        let ox = src.window.x, oy = src.window.y, ww = src.window.width, wh = src.window.height
        let n = win.width
        let planes = src.planes.map { $0.baseAddress! }
        let xs = UnsafeMutablePointer<Double>.allocate(capacity: n), ys = UnsafeMutablePointer<Double>.allocate(capacity: n)
        // Per column of a row: the window column and row (Int.min = not covered) and, for bilinear, the weights.
        let cx = UnsafeMutablePointer<Int>.allocate(capacity: n), cy = UnsafeMutablePointer<Int>.allocate(capacity: n)
        let fx = UnsafeMutablePointer<Float>.allocate(capacity: n), fy = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { xs.deallocate(); ys.deallocate(); cx.deallocate(); cy.deallocate(); fx.deallocate(); fy.deallocate() }
        for row in 0..<win.height {
            m.fillRow(v: Double(win.y + row) + 0.5, u0: Double(win.x) + 0.5, count: n, xs: xs, ys: ys)
            let outRow = row * n
            if method == .nearest {
                for k in 0..<n {
                    let x = xs[k], y = ys[k]
                    cx[k] = -1
                    // Inside the source (false for NaN too), checked before any Int conversion.
                    guard x >= 0, y >= 0, x + 1e-10 < dsw, y + 1e-10 < dsh else { continue }
                    let ix = Int(x + 1e-10), iy = Int(y + 1e-10)
                    let wx = ix - ox, wy = iy - oy
                    guard wx >= 0, wy >= 0, wx < ww, wy < wh else { continue }
                    cx[k] = wy * ww + wx
                }
                for (p, s) in planes.enumerated() {
                    let o = outs[p] + outRow
                    for k in 0..<n { let b = cx[k]; if b >= 0 { o[k] = s[b] } }
                }
                continue
            }
            // Bilinear (GDAL's 4-sample form): the neighbours around (x − 0.5, y − 0.5).
            for k in 0..<n {
                let x = xs[k], y = ys[k]
                cx[k] = Int.min
                guard x >= 0, y >= 0, x + 1e-10 < dsw, y + 1e-10 < dsh else { continue }
                let gx = x - 0.5, gy = y - 0.5
                let ix = Int(gx.rounded(.down)), iy = Int(gy.rounded(.down))
                fx[k] = Float(gx - Double(ix)); fy[k] = Float(gy - Double(iy))
                cx[k] = ix - ox; cy[k] = iy - oy
            }
            for (p, s) in planes.enumerated() {
                let o = outs[p] + outRow
                for k in 0..<n {
                    let wx = cx[k], wy = cy[k]
                    guard wx != Int.min else { continue }
                    let ax = fx[k], ay = fy[k]
                    if wx >= 0, wy >= 0, wx + 1 < ww, wy + 1 < wh {
                        let b = wy * ww + wx
                        let v = (s[b] * (1 - ax) + s[b + 1] * ax) * (1 - ay) + (s[b + ww] * (1 - ax) + s[b + ww + 1] * ax) * ay
                        if !v.isNaN { o[k] = v; continue }
                    }
                    o[k] = bilinearRenormalised(s, wx: wx, wy: wy, ww: ww, wh: wh, ax: ax, ay: ay)
                }
            }
        }
    }

    /// Bilinear over the valid, in-window neighbours only, the weights renormalised; NaN when their weight is
    /// below 1e-5 (GDAL's rule).
    private static func bilinearRenormalised(_ s: UnsafePointer<Float>, wx: Int, wy: Int, ww: Int, wh: Int, ax: Float, ay: Float) -> Float {
        var sum: Double = 0, weight: Double = 0
        for dy in 0..<2 {
            let yy = wy + dy, fyw = Double(dy == 0 ? 1 - ay : ay)
            guard yy >= 0, yy < wh, fyw > 0 else { continue }
            for dx in 0..<2 {
                let xx = wx + dx, fxw = Double(dx == 0 ? 1 - ax : ax)
                guard xx >= 0, xx < ww, fxw > 0 else { continue }
                let v = s[yy * ww + xx]
                guard !v.isNaN else { continue }
                sum += Double(v) * fxw * fyw
                weight += fxw * fyw
            }
        }
        return weight < 1e-5 ? .nan : Float(sum / weight)
    }

    /// Average: every source pixel the target pixel's footprint overlaps, weighted by the overlapped area.
    /// The footprint is the source-space box spanned by the target pixel's top-left and bottom-right corners
    /// (as GDAL's `average`); a footprint thinner than a pixel still takes the pixel it lies in.
    private static func areaAverage(_ src: Source, _ m: GridMapping, _ win: Window, _ outs: [UnsafeMutablePointer<Float>]) {
        let ox = Double(src.window.x), oy = Double(src.window.y), ww = src.window.width, wh = src.window.height
        let n = win.width
        let planes = src.planes.map { $0.baseAddress! }
        let topX = UnsafeMutablePointer<Double>.allocate(capacity: n + 1), topY = UnsafeMutablePointer<Double>.allocate(capacity: n + 1)
        let botX = UnsafeMutablePointer<Double>.allocate(capacity: n + 1), botY = UnsafeMutablePointer<Double>.allocate(capacity: n + 1)
        defer { topX.deallocate(); topY.deallocate(); botX.deallocate(); botY.deallocate() }
        var sums = [Double](repeating: 0, count: planes.count), weights = sums
        for row in 0..<win.height {
            m.fillRow(v: Double(win.y + row), u0: Double(win.x), count: n + 1, xs: topX, ys: topY)
            m.fillRow(v: Double(win.y + row + 1), u0: Double(win.x), count: n + 1, xs: botX, ys: botY)
            for k in 0..<n {
                let ax = topX[k], ay = topY[k], bx = botX[k + 1], by = botY[k + 1]
                guard ax.isFinite, ay.isFinite, bx.isFinite, by.isFinite else { continue }
                // Footprint in window pixel space.
                // Clamped to just around the window, so that far-away footprints cannot overflow the Int conversions.
                let lo = -2.0, hx = Double(ww) + 2, hy = Double(wh) + 2
                let x0 = min(max(min(ax, bx) - ox, lo), hx), x1 = min(max(max(ax, bx) - ox, lo), hx)
                let y0 = min(max(min(ay, by) - oy, lo), hy), y1 = min(max(max(ay, by) - oy, lo), hy)
                let i0 = max(Int((x0 + 1e-10).rounded(.down)), 0), j0 = max(Int((y0 + 1e-10).rounded(.down)), 0)
                var i1 = min(Int((x1 - 1e-10).rounded(.up)), ww), j1 = min(Int((y1 - 1e-10).rounded(.up)), wh)
                if i0 == i1 && i1 < ww { i1 += 1 }
                if j0 == j1 && j1 < wh { j1 += 1 }
                guard i1 > i0, j1 > j0 else { continue }
                for p in sums.indices { sums[p] = 0; weights[p] = 0 }
                for j in j0..<j1 {
                    let wy = y1 - y0 > 1e-9 ? min(Double(j + 1), y1) - max(Double(j), y0) : 1
                    guard wy > 0 else { continue }
                    for i in i0..<i1 {
                        let wx = x1 - x0 > 1e-9 ? min(Double(i + 1), x1) - max(Double(i), x0) : 1
                        guard wx > 0 else { continue }
                        let w = wx * wy, idx = j * ww + i
                        for p in planes.indices {
                            let v = planes[p][idx]
                            if !v.isNaN { sums[p] += Double(v) * w; weights[p] += w }
                        }
                    }
                }
                let at = row * n + k
                for p in sums.indices where weights[p] > 0 { outs[p][at] = Float(sums[p] / weights[p]) }
            }
        }
    }
}
