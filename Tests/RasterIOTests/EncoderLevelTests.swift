import XCTest
import RasterCore
@testable import RasterIO
import TestSupport

/// The writer's fast default codec levels (issue 9): a nil level must encode exactly as the documented default
/// (DEFLATE 1, ZSTD 1), which is a real level change (a slow level gives other bytes), and stay lossless.
final class EncoderLevelTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try TestData.temporaryDirectory("levels") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A 256×256 Float32 plane of smooth signal plus pseudo-random noise (SplitMix64), like an index tile.
    private func noisyPlane() -> Raster<Float> {
        var rng = SplitMix64(seed: 9)
        let n = 256
        var samples = [Float](repeating: 0, count: n * n)
        for y in 0..<n {
            for x in 0..<n {
                let noise = Float(rng.next() % 1000) / 20_000
                samples[y * n + x] = Float(x + y) / Float(2 * n) + noise
            }
        }
        return Raster(width: n, height: n, samples: samples, bands: [BandInfo(description: "ndvi", nodata: .nan)])
    }

    private func bytes(_ raster: Raster<Float>, _ options: GeoTIFFWriter.Options, _ name: String) throws -> Data {
        let path = dir.appendingPathComponent(name).path
        try GeoTIFFWriter.write(raster, to: path, options: options)
        let back = try GeoTIFFReader(path: path).read(Float.self)
        XCTAssertEqual(back.samples.map(\.bitPattern), raster.samples.map(\.bitPattern), "lossless: \(name)")
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    func testNilLevelEncodesAsTheFastDefault() throws {
        let plane = noisyPlane()
        for codec in [GeoTIFFWriter.Compression.deflate, .zstd] {
            XCTAssertEqual(GeoTIFFWriter.Options.defaultLevel(for: codec), 1)
            let implicit = try bytes(plane, .init(compression: codec, tileSize: 128), "\(codec)-nil.tif")
            let one = try bytes(plane, .init(compression: codec, level: 1, tileSize: 128), "\(codec)-1.tif")
            let slow = try bytes(plane, .init(compression: codec, level: 9, tileSize: 128), "\(codec)-9.tif")
            XCTAssertEqual(implicit, one, "\(codec): nil level must be level 1")
            XCTAssertNotEqual(implicit, slow, "\(codec): level 9 should encode differently, else the level is ignored")
        }
        XCTAssertNil(GeoTIFFWriter.Options.defaultLevel(for: .lzw))
        XCTAssertNil(GeoTIFFWriter.Options.defaultLevel(for: .none))
    }
}
