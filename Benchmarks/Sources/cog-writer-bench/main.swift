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
func run(threads: Int, write: @escaping @Sendable (Int, [Float]) throws -> Void, finish: () throws -> WrittenCOG) throws -> (Double, Int) {
    final class Next: @unchecked Sendable { let lock = NSLock(); var i = 0 }
    let next = Next()
    let start = Date()
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
        while true {
            let i: Int = next.lock.withLock { defer { next.i += 1 }; return next.i }
            guard i < blocks.count else { return }
            try! write(i, blocks[i])
        }
    }
    let out = try finish()
    return (Date().timeIntervalSince(start), out.file.bytes)
}

func loadavg() -> String { (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?" }

print("COG writer, \(size)² Float32 plane (\(size * size * 4 >> 20) MiB), \(tile)² blocks, DEFLATE level 1; load before: \(loadavg())")
print("| output | threads | best s | MB/s | file MiB |")
print("|---|---|---|---|---|")
for dtype in CloudOptimizedGeoTIFF.IndexDataType.allCases {
    for threads in [1, 2] {
        var best = Double.infinity, bytes = 0
        for r in 0..<rounds {
            let path = dir.appendingPathComponent("\(dtype.rawValue)-\(threads)-\(r).tif").path
            let w = try COGIndexStreamWriter(path: path, width: size, height: size, bands: [band], geo: geo, dataType: dtype,
                                             provenance: provenance)
            let (t, n) = try run(threads: threads, write: { i, s in try w.write(blockX: i % across, blockY: i / across, samples: s) },
                                 finish: { try w.finish() })
            try FileManager.default.removeItem(atPath: path)
            best = min(best, t); bytes = n
        }
        print("| \(dtype.rawValue) | \(threads) | \(String(format: "%.2f", best)) | \(String(format: "%.0f", Double(size * size * 4) / best / 1e6)) | \(String(format: "%.1f", Double(bytes) / 1048576)) |")
    }
}
print("load after: \(loadavg())")
