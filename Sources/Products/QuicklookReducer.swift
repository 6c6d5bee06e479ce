import Foundation
public import RasterCore

/// Builds a quicklook's map (the reduced plane `Quicklook.render` draws) window by window, so a scene never has
/// to be held to render its quicklook.
///
/// The boxes are `QuicklookResampler`'s: output pixel (ox, oy) of the `outWidth × outHeight` map covers source
/// columns `⌊ox·w/ow⌋ ..< max(that+1, ⌊(ox+1)·w/ow⌋)` (rows likewise); continuous values take the mean of the
/// finite samples (summed in Double, NaN when none), classes the most frequent value (ties → smallest). Windows
/// may arrive in any order and from several threads. A box inside one window sums its samples in the same
/// row-major order as the whole-plane resampler, so its mean is the same bit for bit; a box split across windows
/// (when the reduction factor does not divide the window size) sums each window's part apart and adds the parts
/// in a fixed order (top-left, top-right, bottom-left, bottom-right), so the map does not depend on the order
/// windows finish in, and such a mean may differ from the whole-plane one in the last bit of the Double sum.
/// Class maps are the same in every case. A raster that already fits is kept as is.
public final class QuicklookReducer: @unchecked Sendable {
    /// Source size.
    public let width: Int, height: Int
    /// Map size (`QuicklookResampler.size`).
    public let outWidth: Int, outHeight: Int
    /// Mode (classes) instead of mean.
    public let categorical: Bool
    private let lock = NSLock()
    private let columnBox: [Int32], rowBox: [Int32]
    private let identity: Bool
    private var values: [Float] = []           // identity: the samples themselves
    private var sums: [Double] = []            // continuous
    private var counts: [Int32] = []
    private var split: [Int: SplitBox] = [:]   // continuous boxes straddling a window edge: one sum per part
    private let columnStart: [Int], rowStart: [Int]
    private var classCounts: [UInt32] = []     // categorical: pixel × 256 slots would be too big; slots per code seen
    private var slotOfCode = [Int](repeating: -1, count: 256)
    private var codes: [UInt8] = []

    /// A reducer of a `width × height` plane to a map whose longest side is at most `longestSide`.
    /// `classCodes` are the codes a categorical plane may hold (others are counted too, at some cost).
    public init(width: Int, height: Int, longestSide: Int, categorical: Bool, classCodes: [UInt8] = []) {
        self.width = width; self.height = height
        (outWidth, outHeight) = QuicklookResampler.size(width: width, height: height, longestSide: longestSide)
        self.categorical = categorical
        identity = outWidth == width && outHeight == height
        func boxes(_ n: Int, _ out: Int) -> [Int32] {
            var b = [Int32](repeating: -1, count: n)
            for o in 0..<out {
                let a = o * n / out, e = max(a + 1, (o + 1) * n / out)
                for i in a..<min(e, n) where b[i] < 0 { b[i] = Int32(o) }
            }
            return b
        }
        columnBox = identity ? [] : boxes(width, outWidth)
        rowBox = identity ? [] : boxes(height, outHeight)
        let (ow, oh) = (outWidth, outHeight)
        columnStart = identity ? [] : (0..<ow).map { $0 * width / ow }
        rowStart = identity ? [] : (0..<oh).map { $0 * height / oh }
        if identity {
            // `values` is made by the first `add`: a tile is opened on the thread that plans tiles, and 4 bytes a
            // pixel of NaN there held back the run's first windows (about 4 ms for a 1024² tile's two reducers).
        } else if categorical {
            for c in Set(classCodes).sorted() { slotOfCode[Int(c)] = codes.count; codes.append(c) }
            classCounts = [UInt32](repeating: 0, count: outWidth * outHeight * max(codes.count, 1))
        } else {
            sums = [Double](repeating: 0, count: outWidth * outHeight)
            counts = [Int32](repeating: 0, count: outWidth * outHeight)
        }
    }

    /// Adds the samples of `window` (row-major, `window.width × window.height`).
    public func add(_ samples: [Float], window w: Window) {
        precondition(samples.count == w.width * w.height, "one sample per pixel of the window")
        lock.lock(); defer { lock.unlock() }
        if identity {   // row copies (memcpy), not a copy-on-write check per sample
            if values.isEmpty { values = noSamples() }
            values.withUnsafeMutableBufferPointer { v in
                samples.withUnsafeBufferPointer { s in
                    for y in 0..<w.height {
                        let src = y * w.width, dst = (w.y + y) * width + w.x
                        UnsafeMutableBufferPointer(rebasing: v[dst..<(dst + w.width)]).update(fromContentsOf: s[src..<(src + w.width)])
                    }
                }
            }
            return
        }
        // Which boxes this window cuts: their part goes to a separate sum (`SplitBox`).
        func cut(_ o: Int, _ start: [Int], _ box: [Int32], _ lo: Int, _ len: Int, _ n: Int) -> (cut: Bool, second: Bool) {
            let a = start[o]
            var e = a
            while e < n && box[e] == Int32(o) { e += 1 }
            return (a < lo || e > lo + len, a < lo)
        }
        for y in 0..<w.height {
            let oy = Int(rowBox[w.y + y])
            guard oy >= 0 else { continue }
            let row = y * w.width, outRow = oy * outWidth
            let rowCut = categorical ? (false, false) : cut(oy, rowStart, rowBox, w.y, w.height, height)
            var lastOx = -1, colCut = (cut: false, second: false)
            for x in 0..<w.width {
                let ox = Int(columnBox[w.x + x])
                guard ox >= 0 else { continue }
                let v = samples[row + x]
                guard v.isFinite else { continue }
                if categorical {
                    count(code: v, at: outRow + ox)
                    continue
                }
                if ox != lastOx { colCut = cut(ox, columnStart, columnBox, w.x, w.width, width); lastOx = ox }
                if rowCut.0 || colCut.cut {
                    let part = (rowCut.1 ? 2 : 0) + (colCut.second ? 1 : 0)
                    split[outRow + ox, default: SplitBox()].add(Double(v), part: part)
                } else {
                    sums[outRow + ox] += Double(v); counts[outRow + ox] += 1
                }
            }
        }
    }

    /// The parts of a box split across windows, summed apart.
    struct SplitBox {
        var sums: [Double] = [0, 0, 0, 0]
        var count: Int32 = 0
        mutating func add(_ v: Double, part: Int) { sums[part] += v; count += 1 }
        var total: Double { ((sums[0] + sums[1]) + sums[2]) + sums[3] }
    }

    private func count(code v: Float, at o: Int) {
        guard v >= 0, v <= 255, v == v.rounded() else { return }   // class maps hold UInt8 codes
        var slot = slotOfCode[Int(v)]
        if slot < 0 {   // a code not announced: widen every pixel's slots
            let k = max(codes.count, 1), k2 = codes.count + 1
            var wider = [UInt32](repeating: 0, count: outWidth * outHeight * k2)
            if !codes.isEmpty {
                for p in 0..<(outWidth * outHeight) { for s in 0..<codes.count { wider[p * k2 + s] = classCounts[p * k + s] } }
            }
            classCounts = wider
            slot = codes.count
            slotOfCode[Int(v)] = slot
            codes.append(UInt8(v))
        }
        classCounts[o * max(codes.count, 1) + slot] += 1
    }

    /// A map where no sample fell: `outWidth × outHeight` NaN.
    private func noSamples() -> [Float] { [Float](repeating: .nan, count: outWidth * outHeight) }

    /// The map (`outWidth × outHeight`, NaN where no finite sample fell).
    public func map() -> [Float] {
        lock.lock(); defer { lock.unlock() }
        if identity { return values.isEmpty ? noSamples() : values }
        var out = noSamples()
        if categorical {
            let k = max(codes.count, 1)
            let order = codes.indices.sorted { codes[$0] < codes[$1] }
            for p in 0..<out.count {
                var best = -1, bestCount: UInt32 = 0
                for s in order where classCounts[p * k + s] > bestCount { best = s; bestCount = classCounts[p * k + s] }
                if best >= 0 { out[p] = Float(codes[best]) }
            }
        } else {
            for p in 0..<out.count where counts[p] > 0 { out[p] = Float(sums[p] / Double(counts[p])) }
            for (p, b) in split where b.count > 0 { out[p] = Float(b.total / Double(b.count)) }
        }
        return out
    }

    /// `geo` of the source plane scaled to the map, as `Quicklook.render` scales it (render the map with this).
    public func mapGeo(_ geo: GeoReference?) -> GeoReference? {
        guard var g = geo, !identity else { return geo }
        let c = g.transform.coefficients
        let sx = Double(width) / Double(outWidth), sy = Double(height) / Double(outHeight)
        g.transform = GeoTransform([c[0], c[1] * sx, c[2] * sy, c[3], c[4] * sx, c[5] * sy])
        return g
    }
}
