// kernel-bench: Mpx/s of TilePipe's index kernels next to the C reference kernel, in one process.
//
// Cases (1 thread):
//   ndvi-u16     : Swift `ndvi(red:nir:nodata:into:)` (UInt16 in, Float out)  vs  C ref_ndvi_planar
//   fused6       : `computeIndices` of 6 indices in one chunked pass        vs  6 separate whole-buffer passes
//   (C bundle5   : the C reference's 5-index + class bundle, for scale)
// Sizes: cache-resident 256×256 (repeated) and memory-resident 4096×4096.
// Prints /proc/loadavg before and after: the machine is shared, figures move with its load.
import CNDVIReference
import Foundation
import Kernels

let quick = CommandLine.arguments.contains("--quick")
let repeats = quick ? 3 : 7

func loadavg() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "n/a"
}

/// Median seconds per call of `body` over `repeats` runs of `inner` calls each.
func measure(inner: Int, _ body: () -> Void) -> Double {
    body()  // warm
    var times: [Double] = []
    for _ in 0..<repeats {
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<inner { body() }
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 / Double(inner))
    }
    return times.sorted()[times.count / 2]
}

nonisolated(unsafe) var checksum: Double = 0
func sink(_ x: Float) { if x.isFinite { checksum += Double(x) } }

struct LCG { var s: UInt32; mutating func next() -> UInt32 { s = s &* 1664525 &+ 1013904223; return s >> 8 } }

func makeU16(_ n: Int, mean: UInt32, seed: UInt32) -> [UInt16] {
    var g = LCG(s: seed)
    return (0..<n).map { i in i < 512 ? 0 : UInt16(g.next() % (2 * mean)) }
}

print("kernel-bench: TilePipe kernels vs the C reference (1 thread)")
print("load before: \(loadavg())")
print("case                         size         Swift Mpx/s   ref Mpx/s   ratio")

func row(_ name: String, _ size: String, _ swift: Double, _ ref: Double, _ refName: String) {
    let pad = { (s: String, w: Int) in s.padding(toLength: w, withPad: " ", startingAt: 0) }
    print(pad(name, 29) + pad(size, 13) + pad(String(format: "%10.1f", swift), 14)
          + pad(String(format: "%10.1f", ref), 12) + String(format: "%6.2fx  (ref: %@)", swift / ref, refName))
}

for (label, side, inner) in [("cache 256²", 256, quick ? 50 : 400), ("memory 4096²", 4096, 1)] {
    let n = side * side
    let means: [UInt32] = [600, 800, 900, 2800, 2000, 1300]   // B, G, R, NIR, SWIR1, SWIR2 as in ndvi_ref.c
    let u16 = means.enumerated().map { makeU16(n, mean: $0.element, seed: 12345 + UInt32($0.offset)) }
    var out = [Float](repeating: 0, count: n)
    var outC = [Float](repeating: 0, count: n)

    // NDVI UInt16 -> Float.
    let tSwift = u16[2].withUnsafeBufferPointer { r in u16[3].withUnsafeBufferPointer { v in
        out.withUnsafeMutableBufferPointer { o in measure(inner: inner) { ndvi(red: r, nir: v, nodata: 0, into: o) } } } }
    let tC = u16[2].withUnsafeBufferPointer { r in u16[3].withUnsafeBufferPointer { v in
        outC.withUnsafeMutableBufferPointer { o in measure(inner: inner) { ref_ndvi_planar(r.baseAddress, v.baseAddress, o.baseAddress, n) } } } }
    var agree = true
    for i in 0..<n where !(out[i] == outC[i] || (out[i].isNaN && outC[i] == -9999)) { agree = false; break }
    row("ndvi-u16 (nodata 0)", label, Double(n) / tSwift / 1e6, Double(n) / tC / 1e6, "C ref_ndvi_planar" + (agree ? "" : " MISMATCH"))
    sink(out[n / 2])

    // Six indices over Float reflectance: fused chunked pass vs six separate passes.
    let names = ["blue", "green", "red", "nir", "swir16", "swir22"]
    var bands: [String: [Float]] = [:]
    for (k, name) in names.enumerated() { bands[name] = u16[k].map { $0 == 0 ? .nan : Float($0) * 1e-4 } }
    let six = ["NDVI", "NDWI", "MNDWI", "NBR", "NDBI", "NDMI"].map { IndexCatalog.lookup($0)! }
    // Caller-owned outputs (as a tile pipeline reuses its buffers): times the kernels, not malloc/page faults.
    let outs = (0..<6).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: n) }
    outs.forEach { $0.initialize(repeating: 0) }
    let views = bands.mapValues { a in a.withUnsafeBufferPointer { src in
        let q = UnsafeMutableBufferPointer<Float>.allocate(capacity: n); _ = q.initialize(from: src); return UnsafeBufferPointer(q) } }
    let tFused = measure(inner: inner) { try! computeIndices(six, bands: views, into: outs) }
    let tSeparate = measure(inner: inner) {
        for (k, index) in six.enumerated() { try! computeIndices([index], bands: views, into: [outs[k]], chunk: n) }
    }
    row("fused 6 indices", label, Double(n) / tFused / 1e6, Double(n) / tSeparate / 1e6, "6 separate passes")
    // The array-returning API allocates its outputs on every call (page faults for big rasters).
    let tFusedAlloc = measure(inner: inner) { sink(try! computeIndices(six, bands: bands, count: n)["NDVI"]![n / 3]) }
    let tSeparateAlloc = measure(inner: inner) {
        for index in six { sink(try! computeIndex(index, bands: bands, count: n)[n / 3]) }
    }
    row("fused 6, new arrays", label, Double(n) / tFusedAlloc / 1e6, Double(n) / tSeparateAlloc / 1e6, "6 separate, new arrays")
    sink(outs[0][n / 3])
    outs.forEach { $0.deallocate() }; views.values.forEach { $0.deallocate() }

    // The C reference bundle (5 indices + class, UInt16 in) for scale.
    let o = (0..<5).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: n) }
    let cls = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
    let p = u16.map { a in a.withUnsafeBufferPointer { src in
        let q = UnsafeMutablePointer<UInt16>.allocate(capacity: n); q.initialize(from: src.baseAddress!, count: n); return q } }
    let tBundle = measure(inner: inner) {
        ref_bundle5(p[0], p[1], p[2], p[3], p[4], p[5], o[0], o[1], o[2], o[3], o[4], cls, n)
    }
    sink(o[0][n / 3])
    o.forEach { $0.deallocate() }; p.forEach { $0.deallocate() }; cls.deallocate()
    row("fused 6 (vs C bundle5+class)", label, Double(n) / tFused / 1e6, Double(n) / tBundle / 1e6, "C ref_bundle5")
}
print("load after: \(loadavg())")
print(String(format: "checksum %.3f", checksum))
