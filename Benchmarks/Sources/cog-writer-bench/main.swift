// COG writer benchmark: how fast `COGStreamWriter` turns full-resolution blocks into a Cloud-Optimized GeoTIFF
// (encode + overviews + assembly + hash), with 1 and 2 writer threads feeding blocks row by row.
//
//   cd Benchmarks && swift build -c release --product cog-writer-bench && .build/release/cog-writer-bench [--size N] [--rounds R]
//
// Input: a noisy Float32 index plane (smooth field + 1e-5 noise, a NaN disc), the kind of plane that costs the most
// to DEFLATE; the int16 rows store the same plane quantised (`outputs.cog.dtype: int16`). MB/s counts the
// uncompressed full-resolution input bytes (4 per Float32 sample) per wall second, best of R rounds.
import Foundation
import Products
import RasterCore
import RasterIO

func arguments() -> (size: Int, rounds: Int) {
    var size = 4096, rounds = 3
    var args = CommandLine.arguments.dropFirst().makeIterator()
    while let a = args.next() {
        switch a {
        case "--size": size = Int(args.next() ?? "") ?? size
        case "--rounds": rounds = Int(args.next() ?? "") ?? rounds
        default: print("usage: cog-writer-bench [--size N] [--rounds R]"); exit(2)
        }
    }
    return (size, rounds)
}
let (size, rounds) = arguments()
let tile = 512
let across = (size + tile - 1) / tile

/// Block (bx, by) of the plane, band-sequential over its clipped size.
func block(_ bx: Int, _ by: Int) -> [Float] {
    let x0 = bx * tile, y0 = by * tile, cw = min(tile, size - x0), ch = min(tile, size - y0)
    var out = [Float](repeating: 0, count: cw * ch)
    var rng = SplitMix64(seed: UInt64(by * 10_000 + bx))
    for y in 0..<ch {
        for x in 0..<cw {
            let gx = x0 + x, gy = y0 + y
            let dx = Double(gx - size / 3), dy = Double(gy - size / 2)
            if dx * dx + dy * dy < Double(size * size) / 64 { out[y * cw + x] = .nan; continue }
            out[y * cw + x] = Float(0.3 + 0.5 * sin(Double(gx) / 150) * cos(Double(gy) / 90)) + Float(rng.next() % 1000) * 1e-5
        }
    }
    return out
}
let blocks = (0..<(across * across)).map { block($0 % across, $0 / across) }
let geo = GeoReference(transform: GeoTransform([500_000, 10, 0, 2_800_000, 0, -10]), crs: .epsg(32650))
let band = BandInfo(description: "ndvi", nodata: .nan)
let provenance = Provenance(version: "bench")
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cog-writer-bench-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }

/// Feeds every block from `threads` threads (a shared row-major counter) into `write`, then `finish`.
func run(threads: Int, write: @escaping @Sendable (Int, [Float]) throws -> Void, finish: () throws -> WrittenCOG) throws -> (Double, Int, Double) {
    final class Next: @unchecked Sendable { let lock = NSLock(); var i = 0 }
    let next = Next()
    let start = Date(), cpu0 = cpuSeconds()
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
        while true {
            let i: Int = next.lock.withLock { defer { next.i += 1 }; return next.i }
            guard i < blocks.count else { return }
            try! write(i, blocks[i])
        }
    }
    let out = try finish()
    return (Date().timeIntervalSince(start), out.file.bytes, cpuSeconds() - cpu0)
}

/// User + system CPU seconds of this process so far.
func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}

func loadavg() -> String { (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?" }

func row(_ name: String, _ threads: Int, _ wall: Double, _ cpu: Double, _ bytes: Int) -> String {
    let mb = Double(size * size * 4) / 1e6
    return "| \(name) | \(threads) | \(String(format: "%.2f", wall)) | \(String(format: "%.0f", mb / wall)) | \(String(format: "%.2f", cpu)) | "
        + "\(String(format: "%.0f", mb / cpu)) | \(String(format: "%.1f", Double(bytes) / 1048576)) |"
}

print("COG writer, \(size)² Float32 plane (\((size * size * 4) >> 20) MiB), \(tile)² blocks, DEFLATE level 1; load before: \(loadavg())")
print("| output | threads | best wall s | MB/s (wall) | CPU s of that round | MB per CPU s | file MiB |")
print("|---|---|---|---|---|---|---|")
for dtype in CloudOptimizedGeoTIFF.IndexDataType.allCases {
    for threads in [1, 2] {
        var best = Double.infinity, bytes = 0, cpu = 0.0
        for r in 0..<rounds {
            let path = dir.appendingPathComponent("\(dtype.rawValue)-\(threads)-\(r).tif").path
            let w = try COGIndexStreamWriter(path: path, width: size, height: size, bands: [band], geo: geo, dataType: dtype,
                                             provenance: provenance)
            let (t, n, c) = try run(threads: threads, write: { i, s in try w.write(blockX: i % across, blockY: i / across, samples: s) },
                                 finish: { try w.finish() })
            try FileManager.default.removeItem(atPath: path)
            if t < best { best = t; cpu = c }
            bytes = n
        }
        print(row("\(dtype.rawValue)", threads, best, cpu, bytes))
    }
}
// The whole-raster call (`CloudOptimizedGeoTIFF.writeIndex`, one thread: every block in row order).
var whole = Raster<Float>(width: size, height: size, bandCount: 1, bands: [band], geo: geo)
for (i, b) in blocks.enumerated() {
    let x0 = (i % across) * tile, y0 = (i / across) * tile, cw = min(tile, size - x0)
    for r in 0..<(b.count / cw) { for c in 0..<cw { whole[0, x0 + c, y0 + r] = b[r * cw + c] } }
}
for dtype in CloudOptimizedGeoTIFF.IndexDataType.allCases {
    var best = Double.infinity, bytes = 0, cpu = 0.0
    for r in 0..<rounds {
        let path = dir.appendingPathComponent("whole-\(dtype.rawValue)-\(r).tif").path
        let start = Date(), cpu0 = cpuSeconds()
        let out = try CloudOptimizedGeoTIFF.writeIndexFile(whole, to: path, dataType: dtype, provenance: provenance)
        let t = Date().timeIntervalSince(start)
        if t < best { best = t; cpu = cpuSeconds() - cpu0 }
        bytes = out.file.bytes
        try FileManager.default.removeItem(atPath: path)
    }
    print(row("\(dtype.rawValue), whole-raster writeIndex", 1, best, cpu, bytes))
}
print("load after: \(loadavg())")
