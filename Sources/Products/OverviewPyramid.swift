public import RasterCore

/// Builds the reduced-resolution levels of a Cloud-Optimized GeoTIFF.
///
/// Each level is `ceil(w/2) × ceil(h/2)` of the previous one; levels are added until one fits in a single
/// `tileSize` block (a raster that already fits gets no overview). Every output pixel (c, r) comes from the
/// 2×2 block of source pixels (2c…2c+1, 2r…2r+1) that lie inside the source (1 or 2 pixels on odd edges).
public enum OverviewPyramid {
    /// How 2×2 blocks are reduced.
    public enum Resampling: String, Sendable, Codable {
        /// Mean of the valid (finite, non-nodata) samples; nodata only when none is valid. Integer types round
        /// to nearest. Edges stay bright: nodata never enters the mean (domain.md §3 item 6).
        case average
        /// Most frequent valid value; ties go to the smallest value; nodata only when none is valid.
        /// Never invents a value that is not in the block: the rule for class maps.
        case mode
        /// The top-left valid sample of the block (row-major scan), nodata when none is valid.
        case nearest
    }

    /// The overview levels of `raster` (not including `raster` itself), each with a transform scaled by 2ⁿ.
    public static func levels<S: RasterSample>(of raster: Raster<S>, resampling: Resampling,
                                              tileSize: Int = 512) -> [Raster<S>] {
        var out: [Raster<S>] = []
        var current = raster
        while current.width > tileSize || current.height > tileSize {
            current = reduce(current, resampling: resampling)
            out.append(current)
        }
        return out
    }

    /// The sizes `levels(of:)` gives a `width × height` raster, full resolution first: each level halves (rounding
    /// up) until one fits in a single `tileSize` block.
    public static func levelSizes(width: Int, height: Int, tileSize: Int = 512) -> [(width: Int, height: Int)] {
        var out = [(width, height)]
        var (w, h) = (width, height)
        while w > tileSize || h > tileSize {
            (w, h) = ((w + 1) / 2, (h + 1) / 2)
            out.append((w, h))
        }
        return out
    }

    /// One 2× reduction of every band.
    /// Specialised for the product types (Float32 indices, UInt8 class maps): unspecialised, every sample moves
    /// through value witnesses.
    @_specialize(where S == Float)
    @_specialize(where S == UInt8)
    public static func reduce<S: RasterSample>(_ src: Raster<S>, resampling: Resampling) -> Raster<S> {
        let w = (src.width + 1) / 2, h = (src.height + 1) / 2
        var geo = src.geo
        if let g = src.geo {
            // Halving: the new pixel is twice as large; the origin stays at the same corner.
            geo?.transform = g.transform.scaled(by: 2)
        }
        var out = Raster<S>(width: w, height: h, bandCount: src.bandCount, bands: src.bands, geo: geo, metadata: src.metadata)
        for b in 0..<src.bandCount {
            src.withBand(b) { s in
                out.withMutableBand(b) { d in
                    reduce(s, width: src.width, height: src.height, stride: src.width, info: src.bands[b], resampling: resampling,
                           into: d, stride: w)
                }
            }
        }
        return out
    }

    /// One 2× reduction of a `width × height` region of one band (`src`, rows `srcStride` apart) into
    /// `ceil(width/2) × ceil(height/2)` samples of `dst` (rows `dstStride` apart): the rule of `reduce`, so a tile
    /// reduced alone gives the samples the whole level gives there (tiles are even-sized, so no 2×2 block
    /// straddles two tiles). `info` gives the nodata that is skipped and written when no sample is valid.
    @_specialize(where S == Float)
    @_specialize(where S == UInt8)
    public static func reduce<S: RasterSample>(_ s: UnsafeBufferPointer<S>, width: Int, height: Int, stride srcStride: Int,
                                               info: BandInfo, resampling: Resampling,
                                               into d: UnsafeMutableBufferPointer<S>, stride dstStride: Int) {
        let w = (width + 1) / 2, h = (height + 1) / 2
        let fill = S(clampingDouble: info.nodata ?? 0)
        // The valid samples of each 2×2 block in row-major order, in a fixed-size tuple (no heap array per call).
        // The average adds them in that order from 0, as `reduce(0, +)` over them does (`mean`).
        let floatAverage = S.self == Float.self && resampling == .average
        for r in 0..<h {
            let y0 = 2 * r * srcStride, hasY1 = 2 * r + 1 < height
            var first = 0
            if floatAverage, hasY1, width >= 2, let sb = s.baseAddress, let db = d.baseAddress {
                // Index overviews: whole 2×2 blocks of this row pair without branches on the data.
                first = width / 2
                sb.withMemoryRebound(to: Float.self, capacity: s.count) { f in
                    (db + r * dstStride).withMemoryRebound(to: Float.self, capacity: first) { o in
                        averageRow(f + y0, f + y0 + srcStride, pairs: first, nodata: info.nodata, fill: Float(info.nodata ?? 0), into: o)
                    }
                }
            }
            for c in first..<w {
                let x0 = 2 * c, hasX1 = 2 * c + 1 < width
                var block: (Double, Double, Double, Double) = (0, 0, 0, 0)
                var n = 0
                @inline(__always) func take(_ v: Double) {
                    guard v.isFinite && !info.isNodata(v) else { return }
                    switch n {
                    case 0: block.0 = v
                    case 1: block.1 = v
                    case 2: block.2 = v
                    default: block.3 = v
                    }
                    n += 1
                }
                take(s[y0 + x0].doubleValue)
                if hasX1 { take(s[y0 + x0 + 1].doubleValue) }
                if hasY1 {
                    take(s[y0 + srcStride + x0].doubleValue)
                    if hasX1 { take(s[y0 + srcStride + x0 + 1].doubleValue) }
                }
                let value: Double
                if n == 0 { d[r * dstStride + c] = fill; continue }
                switch resampling {
                case .average:
                    var sum = 0 + block.0
                    if n > 1 { sum += block.1 }
                    if n > 2 { sum += block.2 }
                    if n > 3 { sum += block.3 }
                    value = mean(sum, n)
                case .nearest: value = block.0
                case .mode: value = mode(block, count: n)
                }
                d[r * dstStride + c] = S(clampingDouble: value)
            }
        }
    }

    /// `reduce`'s average of whole 2×2 blocks of Float samples (`top` and `bottom` rows, `2 × pairs` samples each)
    /// into `pairs` samples, the same bits as the general loop: the valid samples (finite, not `nodata`) summed
    /// from 0 in row-major order (an invalid one adds +0, which changes no sum that starts from +0), divided by
    /// their count; `fill` where none is valid.
    /// Four blocks at a time in SIMD lanes (the same operations per lane, in Double, so the same bits), the last
    /// `pairs % 4` one by one.
    @inline(__always) static func averageRow(_ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, pairs: Int,
                                             nodata: Double?, fill: Float, into out: UnsafeMutablePointer<Float>) {
        let nd = nodata ?? .nan   // v != NaN holds for every v
        let ndv = SIMD4<Double>(repeating: nd), zero = SIMD4<Double>(repeating: 0), one = SIMD4<Double>(repeating: 1)
        let fills = SIMD4<Double>(repeating: Double(fill))   // exact, and exact again as Float
        @inline(__always) func valid(_ v: SIMD4<Double>) -> SIMDMask<SIMD4<Int64>> {
            (v - v) .== zero .& (v .!= ndv)   // finite (∞ − ∞ and NaN − NaN are NaN) and not nodata
        }
        var c = 0
        while c + 4 <= pairs {
            let t = UnsafeRawPointer(top + 2 * c).loadUnaligned(as: SIMD8<Float>.self)
            let u = UnsafeRawPointer(bottom + 2 * c).loadUnaligned(as: SIMD8<Float>.self)
            let a = SIMD4<Double>(t.evenHalf), b = SIMD4<Double>(t.oddHalf)
            let e = SIMD4<Double>(u.evenHalf), f = SIMD4<Double>(u.oddHalf)
            let va = valid(a), vb = valid(b), ve = valid(e), vf = valid(f)
            var sum = zero
            sum += zero.replacing(with: a, where: va)
            sum += zero.replacing(with: b, where: vb)
            sum += zero.replacing(with: e, where: ve)
            sum += zero.replacing(with: f, where: vf)
            let n = zero.replacing(with: one, where: va) + zero.replacing(with: one, where: vb)
                + zero.replacing(with: one, where: ve) + zero.replacing(with: one, where: vf)
            var m = sum                                             // n = 1
            m.replace(with: sum * 0.5, where: n .== 2)
            m.replace(with: sum / 3, where: n .== 3)
            m.replace(with: sum * 0.25, where: n .== 4)
            m.replace(with: fills, where: n .== zero)
            UnsafeMutableRawPointer(out + c).storeBytes(of: SIMD4<Float>(m), as: SIMD4<Float>.self)
            c += 4
        }
        for c in c..<pairs {
            let a = Double(top[2 * c]), b = Double(top[2 * c + 1]), e = Double(bottom[2 * c]), f = Double(bottom[2 * c + 1])
            let va = a.isFinite && a != nd, vb = b.isFinite && b != nd, ve = e.isFinite && e != nd, vf = f.isFinite && f != nd
            var sum = 0.0
            sum += va ? a : 0
            sum += vb ? b : 0
            sum += ve ? e : 0
            sum += vf ? f : 0
            let n = (va ? 1 : 0) + (vb ? 1 : 0) + (ve ? 1 : 0) + (vf ? 1 : 0)
            out[c] = n == 0 ? fill : Float(mean(sum, n))
        }
    }

    /// `sum / n` for n = 1…4 valid samples: a product with ½ or ¼ is the same correctly rounded value as the
    /// division, so only n = 3 divides.
    @inline(__always) static func mean(_ sum: Double, _ n: Int) -> Double {
        n == 4 ? sum * 0.25 : n == 3 ? sum / 3 : n == 2 ? sum * 0.5 : sum
    }

    /// The most frequent of the first `count` values of `block`; ties → the smallest (the first value taken when
    /// a later one is not more frequent, nor as frequent and smaller). Unused slots are NaN, equal to nothing, so
    /// their count is 0 and they are never taken; the six pairwise comparisons give every count.
    @inline(__always) static func mode(_ block: (Double, Double, Double, Double), count n: Int) -> Double {
        let v0 = block.0, v1 = n > 1 ? block.1 : .nan, v2 = n > 2 ? block.2 : .nan, v3 = n > 3 ? block.3 : .nan
        @inline(__always) func one(_ b: Bool) -> Int { b ? 1 : 0 }
        let e01 = one(v0 == v1), e02 = one(v0 == v2), e03 = one(v0 == v3)
        let e12 = one(v1 == v2), e13 = one(v1 == v3), e23 = one(v2 == v3)
        var best = v0, bestCount = 1 + e01 + e02 + e03
        @inline(__always) func consider(_ v: Double, _ count: Int) {
            if count > bestCount || (count == bestCount && v < best) { best = v; bestCount = count }
        }
        consider(v1, one(v1 == v1) + e01 + e12 + e13)
        consider(v2, one(v2 == v2) + e02 + e12 + e23)
        consider(v3, one(v3 == v3) + e03 + e13 + e23)
        return best
    }
}
