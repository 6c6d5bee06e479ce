import XCTest
import RasterCore
@testable import RasterIO
import TestSupport

/// Seeded byte mutations of valid files (tiled and striped GeoTIFFs, PNGs): each either reads or fails with a
/// `RasterIOError` naming the file. A crash or trap here fails the whole test process.
final class MutatedFileTests: XCTestCase {
    func testMutatedTIFFsAndPNGsNeverCrash() throws {
        let dir = try TestData.temporaryDirectory("mutate")
        defer { try? FileManager.default.removeItem(at: dir) }
        var seeds: [String] = []
        var r = SyntheticRasters.make(Int16.self, width: 40, height: 23, bands: 3)
        r.bands[0].nodata = -1
        r.bands[0].description = "b1"
        r.geo = GeoReference(transform: GeoTransform(originX: 10, pixelWidth: 1, originY: 50, pixelHeight: -1), crs: .epsg(32631))
        for codec in [GeoTIFFWriter.Compression.none, .deflate, .lzw] {
            let p = dir.appendingPathComponent("seed-\(codec).tif").path
            try GeoTIFFWriter.write(r, to: p, options: .init(compression: codec, tileSize: 16))
            seeds.append(p)
        }
        let png = dir.appendingPathComponent("seed.png").path
        try PNGImage.write(PNGImage.Image(width: 30, height: 20, channels: 3, pixels: (0..<1800).map { UInt8($0 % 251) },
                                          text: [(key: "k", value: "v")]), to: png)
        seeds.append(png)
        if TestData.hasTool("gdal_translate") {
            // A striped, band-separate file in GDAL's own layout too.
            let strips = dir.appendingPathComponent("seed-strips.tif").path
            if try TestData.run("gdal_translate", ["-q", "-co", "INTERLEAVE=BAND", "-co", "BLOCKYSIZE=5", "-co", "COMPRESS=PACKBITS", seeds[0], strips]).status == 0 {
                seeds.append(strips)
            }
        }
        var rng = SplitMix64(seed: 2024)
        let limits = ResourceLimits(maxDecodedBytes: 64 << 20)
        var outcomes: [String: Int] = [:]
        for seed in seeds {
            let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: seed)))
            let rounds = Int(ProcessInfo.processInfo.environment["TILEPIPE_MUTATIONS"] ?? "") ?? 150
            for i in 0..<rounds {
                var bytes = original
                let edits = 1 + Int(rng.next() % 6)
                for _ in 0..<edits {
                    // Favour the header and directory, where structure lives.
                    let pos = rng.next() % 3 == 0 ? Int(rng.next() % UInt64(bytes.count)) : Int(rng.next() % UInt64(min(bytes.count, 400)))
                    switch rng.next() % 4 {
                    case 0: bytes[pos] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: bytes[pos] ^= 1 << UInt8(rng.next() % 8)
                    case 2: bytes[pos] = [0x00, 0xFF, 0x7F, 0x80][Int(rng.next() % 4)]
                    default: bytes = Array(bytes.prefix(max(8, pos)))
                    }
                    if bytes.count <= 8 { break }
                }
                let p = dir.appendingPathComponent("m\(i)-\((seed as NSString).lastPathComponent)").path
                try Data(bytes).write(to: URL(fileURLWithPath: p))
                do {
                    let a = try RasterFile.read(path: p, limits: limits)
                    _ = a.statistics(band: 0)
                    outcomes["read", default: 0] += 1
                } catch let e as RasterIOError {
                    XCTAssertEqual(e.path, p)
                    outcomes[e.kind, default: 0] += 1
                }
                try? FileManager.default.removeItem(atPath: p)
            }
        }
        print("mutated files: \(outcomes.sorted { $0.key < $1.key })")
        XCTAssertGreaterThan(outcomes.values.reduce(0, +), 0)
    }
}
