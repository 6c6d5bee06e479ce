import Foundation
import Pipeline
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// `tilepipe run` in windows (one per output block) against the whole-tile route it replaced: every raster the
/// same bit for bit (full resolution and overviews; Float32 compared by bit pattern), statistics within float
/// rounding, quicklooks, class counts and confusion matrices the same.
final class WindowedRunTests: XCTestCase {
    /// SampleTiles' default job (indices, land use, accuracy, quality masks for the two-date jobs, quicklooks,
    /// STAC, flood and burn pairs that read the written COGs).
    func testSampleTilesWindowedEqualsWholeTiles() throws {
        guard FileManager.default.fileExists(atPath: TestData.packageRoot.appendingPathComponent("SampleTiles/flood").path) else {
            throw Skip.because("SampleTiles/ absent")
        }
        let whole = try TestData.temporaryDirectory("windowed-whole"), windowed = try TestData.temporaryDirectory("windowed-win")
        defer { try? FileManager.default.removeItem(at: whole); try? FileManager.default.removeItem(at: windowed) }
        // 256-pixel blocks: the 1024² tiles are cut into 16 windows each (quicklooks at their full size).
        for (dir, w) in [(whole, false), (windowed, true)] {
            let c = try SampleTilesRun.config(output: dir, overrides: ["outputs.cog.tile_size=256"])
            var o = RunOptions(jobs: 2, toolVersion: "test")
            o.windowed = w
            let s = try PipelineRunner.run(config: c, options: o, logger: PipelineRunner.silentLogger)
            XCTAssertEqual(s.failed, 0, "\(s.failures)")
        }
        try Self.assertSameOutputs(whole, windowed)
    }

    /// A synthetic scene of several blocks with partial edge blocks, read from a file tiled like the output and from
    /// one whose tiles straddle the windows, with
    /// a quicklook whose boxes straddle window edges: the rasters are the same bit for bit, the quicklook maps of
    /// boxes inside one window too.
    func testMultiBlockSceneWindowedEqualsWholeScene() throws {
        let root = try TestData.temporaryDirectory("windowed-scene")
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try Self.writeScene(input.appendingPathComponent("aligned_20250101.tif").path, width: 700, height: 530, tileSize: 64)
        try Self.writeScene(input.appendingPathComponent("straddling_20250101.tif").path, width: 700, height: 530, tileSize: 48)
        var summaries: [RunSummary] = []
        for w in [false, true] {
            let s = try Self.runLoose(input, into: root.appendingPathComponent(w ? "windowed" : "whole"),
                                      yaml: root.appendingPathComponent("p-\(w).yaml"), indices: "[ndvi, ndwi, mndwi, nbr]",
                                      outputs: ["cog: {tile_size: 128}", "quicklooks: {indices: [ndvi, landuse], max_size: 300}"],
                                      windowed: w).summary
            XCTAssertEqual(s.failed, 0, "\(s.failures)")
            XCTAssertEqual(s.done, 2)
            summaries.append(s)
        }
        try Self.assertSameOutputs(root.appendingPathComponent("whole"), root.appendingPathComponent("windowed"))
        XCTAssertEqual(summaries[0].indices.keys.sorted(), summaries[1].indices.keys.sorted())
        for (name, a) in summaries[0].indices {
            guard let b = summaries[1].indices[name] else { continue }
            XCTAssertEqual(a.validCount, b.validCount, name)
            XCTAssertEqual(a.minimum, b.minimum, name)
            XCTAssertEqual(a.maximum, b.maximum, name)
            XCTAssertEqual(a.mean, b.mean, accuracy: 1e-9, name)
            XCTAssertEqual(a.standardDeviation, b.standardDeviation, accuracy: 1e-9, name)
        }
    }

    /// `plan` opens a loose GeoTIFF and a SampleTiles scene in windows of the output block size, in Z-order, edge
    /// windows clipped; it declines a tile to be resampled onto a reference grid and, with `windowed` off, any tile.
    /// Z-order covers every block once, and each aligned 2ᵏ×2ᵏ group of blocks runs as one stretch of windows, so a
    /// streaming writer's pending overview tiles do not grow with the scene's width.
    func testZOrderCoversEveryBlockAndKeepsQuadsTogether() {
        for (w, h) in [(300, 200), (1024, 1024), (1000, 3000), (64, 64), (5000, 700)] {
            let windows: [Window] = IndexJob.zOrderWindows(width: w, height: h, tileSize: 64)
            let across = (w + 63) / 64, down = (h + 63) / 64
            XCTAssertEqual(windows.count, across * down)
            let blocks: Set<Int> = Set(windows.map { (win: Window) -> Int in win.y / 64 * across + win.x / 64 })
            XCTAssertEqual(blocks.count, across * down, "each block once")
            var pixels = 0
            for win in windows { pixels += win.width * win.height }
            XCTAssertEqual(pixels, w * h)
            for k in 1...3 {
                let side = 1 << k
                var seen = Set<Int>(), last = -1
                for win in windows {
                    let group: Int = (win.y / 64 / side) * 1_000_000 + win.x / 64 / side
                    if group != last {
                        XCTAssertTrue(seen.insert(group).inserted, "group of \(side)² blocks split (\(w)x\(h))")
                        last = group
                    }
                }
            }
        }
    }

    func testPlanCutsTilesIntoOutputBlocks() throws {
        let root = try TestData.temporaryDirectory("windowed-plan")
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.writeScene(root.appendingPathComponent("s_20250101.tif").path, width: 300, height: 200, tileSize: 64)
        let found = try TileSourceDiscovery.discover([InputSpec(path: root.path, bands: ["blue": 1, "green": 2, "red": 3, "nir": 4, "swir16": 5, "swir22": 6])],
                                                     excluding: root.appendingPathComponent("out").path)
        let cog = try JSONDecoder().decode(CogSpec.self, from: Data(#"{"tileSize": 128}"#.utf8))
        var job = IndexJob(indices: ["ndvi"], outputDirectory: root.appendingPathComponent("out").path, cog: cog)
        let tile = try XCTUnwrap(found.tiles.first)
        let plan = try XCTUnwrap(try job.plan(tile))
        // Z-order: the 2×2 group of blocks first, then the column beyond it.
        XCTAssertEqual(plan.windows, [Window(x: 0, y: 0, width: 128, height: 128), Window(x: 128, y: 0, width: 128, height: 128),
                                      Window(x: 0, y: 128, width: 128, height: 72), Window(x: 128, y: 128, width: 128, height: 72),
                                      Window(x: 256, y: 0, width: 44, height: 128), Window(x: 256, y: 128, width: 44, height: 72)])
        job.abort(plan)
        job.windowed = false
        XCTAssertNil(try job.plan(tile))
        if FileManager.default.fileExists(atPath: TestData.packageRoot.appendingPathComponent("SampleTiles/flood").path) {
            let sample = try TileSourceDiscovery.discover([InputSpec(path: TestData.packageRoot.appendingPathComponent("SampleTiles/flood").path)])
            let scene = try XCTUnwrap(sample.tiles.first)
            job.windowed = true
            let p = try XCTUnwrap(try job.plan(scene))
            XCTAssertEqual(p.windows.count, (p.width + 127) / 128 * ((p.height + 127) / 128))
            job.abort(p)
        }
    }

    /// A tile with one undecodable block fails at that window, naming the file; nothing of it is left (no product,
    /// no temporary) and the other tile of the batch is done.
    func testCorruptWindowFailsTheTileAndLeavesNothing() throws {
        let root = try TestData.temporaryDirectory("windowed-corrupt")
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in"), out = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let bad = input.appendingPathComponent("bad_20250101.tif").path
        try Self.writeScene(bad, width: 512, height: 512, tileSize: 64)
        try Self.writeScene(input.appendingPathComponent("good_20250101.tif").path, width: 300, height: 200, tileSize: 64)
        try Self.corruptLastBlock(bad)
        let s = try Self.runLoose(input, into: out, yaml: root.appendingPathComponent("p.yaml"), indices: "[ndvi]",
                                  outputs: ["cog: {tile_size: 128}"]).summary
        XCTAssertEqual(s.done, 1)
        XCTAssertEqual(s.failures.map(\.tile), ["bad_20250101"])
        XCTAssertTrue(s.failures.first?.cause.contains(bad) ?? false, s.failures.first?.cause ?? "")
        XCTAssertEqual(s.failures.first?.stage, "ingest")
        let left = (FileManager.default.enumerator(atPath: out.appendingPathComponent("tiles/bad_20250101").path)?.allObjects as? [String]) ?? []
        XCTAssertEqual(left, [], "partial outputs left")
        XCTAssertEqual(TileFixtures.temporaries(out), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("tiles/good_20250101/good_20250101_ndvi.tif").path))
    }

    // MARK: helpers

    /// Writes `yaml` (`TileFixtures.minimalYAML` over the loose tiles of `input`, with `indices` and the further
    /// `outputs:` entries given) and runs it on two jobs through the windowed route or the whole-tile one.
    static func runLoose(_ input: URL, into out: URL, yaml: URL, indices: String, outputs: [String],
                         windowed: Bool = true) throws -> (config: PipelineConfig, summary: RunSummary) {
        let text = TileFixtures.minimalYAML(input: input.path, output: out.path, indices: indices)
            + outputs.map { "\n  " + $0 }.joined()
        try text.write(to: yaml, atomically: true, encoding: .utf8)
        let config = try PipelineConfig.load(path: yaml.path)
        var o = RunOptions(jobs: 2, toolVersion: "test")
        o.windowed = windowed
        return (config, try PipelineRunner.run(config: config, options: o, logger: PipelineRunner.silentLogger))
    }

    /// `writeScene` scenes named `names` (`width × height`, 64² blocks) in `root/in`, discovered as loose tiles with
    /// the six-band map.
    static func scenes(_ names: [String], in root: URL, width: Int, height: Int) throws -> [TileSource] {
        let input = root.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        for name in names {
            try writeScene(input.appendingPathComponent("\(name).tif").path, width: width, height: height, tileSize: 64)
        }
        let map = ["blue": 1, "green": 2, "red": 3, "nir": 4, "swir16": 5, "swir22": 6]
        return try TileSourceDiscovery.discover([InputSpec(path: input.path, bands: map)]).tiles
    }

    /// `outputs.cog` with blocks of `tileSize`².
    static func cog(tileSize: Int) throws -> CogSpec {
        try JSONDecoder().decode(CogSpec.self, from: Data(#"{"tileSize": \#(tileSize)}"#.utf8))
    }

    /// A 6-band UInt16 scene with smooth fields (so classes form regions), reflectance × 10000 (scale 0.0001),
    /// nodata 0 in a corner; DEFLATE in `tileSize` tiles.
    static func writeScene(_ path: String, width: Int, height: Int, tileSize: Int, scale: Double = 0.0001) throws {
        var samples = [UInt16](repeating: 0, count: width * height * 6)
        let means: [[Double]] = [[600, 700, 450, 250, 120, 80], [300, 600, 350, 3800, 1700, 750], [1200, 1500, 1900, 2400, 3100, 2600],
                                 [7800, 7900, 8100, 8300, 6000, 4500]]
        var state: UInt64 = 12345
        for y in 0..<height {
            for x in 0..<width {
                let f = (sin(Double(x) / 37) + cos(Double(y) / 23) + 2) / 4
                let cls = min(3, Int(f * 4))
                for b in 0..<6 {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    let noise = Double((state >> 33) % 1000) / 1000 - 0.5
                    let v = x + y < 40 ? 0 : max(1, means[cls][b] * (1 + 0.1 * noise))
                    samples[b * width * height + y * width + x] = UInt16(v)
                }
            }
        }
        let geo = GeoReference(transform: GeoTransform(originX: 600_000, pixelWidth: 10, originY: 2_800_000, pixelHeight: -10),
                               crs: CRS(epsg: 32650))
        let raster = Raster<UInt16>(width: width, height: height, samples: samples,
                                    bands: (0..<6).map { _ in BandInfo(nodata: 0, scale: scale) }, geo: geo)
        try GeoTIFFWriter.write(raster, to: path, options: GeoTIFFWriter.Options(compression: .deflate, tileSize: tileSize))
    }

    /// Makes the last block of the file undecodable: its zlib header becomes CM = 0 (no DEFLATE stream can start
    /// so) and the rest of the file (that block's data: the writer puts headers first, full-resolution tiles last)
    /// garbage. Garbage alone is not enough: it may happen to decode until the block is full, and zlib then stops
    /// without reaching the checksum. Checks that the first block still reads and the last does not.
    static func corruptLastBlock(_ path: String) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let start = try lastTileOffset(data)
        for i in start..<data.count { data[i] = UInt8(truncatingIfNeeded: i &* 151) }
        data[start] = 0
        data[start + 1] = 0
        try data.write(to: URL(fileURLWithPath: path))
        let r = try GeoTIFFReader(path: path)
        XCTAssertNoThrow(try r.read(window: Window(x: 0, y: 0, width: 64, height: 64)))
        XCTAssertThrowsError(try r.read())
    }

    /// The offset of the last entry of the first IFD's TileOffsets (classic little-endian TIFF, LONG offsets).
    static func lastTileOffset(_ d: Data) throws -> Int {
        func u16(_ at: Int) -> Int { Int(d[at]) | Int(d[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        struct Layout: Error, CustomStringConvertible { let description: String }
        guard d.count > 8, d[0] == 0x49, d[1] == 0x49, u16(2) == 42 else { throw Layout(description: "not a classic little-endian TIFF") }
        let ifd = u32(4)
        for e in 0..<u16(ifd) {
            let entry = ifd + 2 + 12 * e
            guard u16(entry) == 324 else { continue }
            let count = u32(entry + 4)
            XCTAssertEqual(u16(entry + 2), 4, "TileOffsets as LONG")
            return count == 1 ? u32(entry + 8) : u32(u32(entry + 8) + 4 * (count - 1))
        }
        throw Layout(description: "no TileOffsets in the first IFD")
    }

    /// Every output of `a` is in `b` and the same: rasters (every IFD) bit for bit, their metadata with statistics
    /// items within 1e-9 relative; JSON with numbers within 1e-9 relative; other files byte for byte
    /// (`pngTolerance`: PNGs may differ, they are compared by their size only).
    static func assertSameOutputs(_ a: URL, _ b: URL, pngTolerance: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws {
        let fa = TileFixtures.outputFiles(a), fb = TileFixtures.outputFiles(b)
        XCTAssertEqual(fa.keys.sorted(), fb.keys.sorted(), "output lists differ", file: file, line: line)
        for (rel, da) in fa.sorted(by: { $0.key < $1.key }) {
            guard let db = fb[rel] else { continue }
            if da == db { continue }
            switch (rel as NSString).pathExtension {
            case "tif":
                try assertSameRaster(a.appendingPathComponent(rel).path, b.appendingPathComponent(rel).path, file: file, line: line)
            case "json", "geojson":
                let ja = try JSONSerialization.jsonObject(with: da), jb = try JSONSerialization.jsonObject(with: db)
                XCTAssertTrue(jsonClose(ja, jb), "\(rel) differs beyond float rounding", file: file, line: line)
            case "png" where pngTolerance:
                continue
            default:
                XCTFail("\(rel) differs", file: file, line: line)
            }
        }
    }

    static func assertSameRaster(_ pa: String, _ pb: String, file: StaticString, line: UInt) throws {
        let ra = try GeoTIFFReader(path: pa), rb = try GeoTIFFReader(path: pb)
        XCTAssertEqual(ra.description.layout.overviewCount, rb.description.layout.overviewCount, pa, file: file, line: line)
        for level in 0...ra.description.layout.overviewCount {
            let xa = try GeoTIFFReader(path: pa, overview: level).read(), xb = try GeoTIFFReader(path: pb, overview: level).read()
            XCTAssertEqual(xa.sampleType, xb.sampleType, pa, file: file, line: line)
            let va = (0..<xa.bandCount).flatMap { xa.floatBand($0) }.map(\.bitPattern)
            let vb = (0..<xb.bandCount).flatMap { xb.floatBand($0) }.map(\.bitPattern)
            XCTAssertTrue(va == vb, "\(pa) level \(level): samples differ", file: file, line: line)
        }
        let ma = ra.description.bands.map(\.metadata), mb = rb.description.bands.map(\.metadata)
        XCTAssertEqual(ma.map { $0.keys.sorted() }, mb.map { $0.keys.sorted() }, pa, file: file, line: line)
        for (x, y) in zip(ma, mb) {
            for (k, v) in x where y[k] != v {
                guard let dx = Double(v), let dy = y[k].flatMap(Double.init) else { XCTFail("\(pa) \(k): \(v) vs \(y[k] ?? "-")", file: file, line: line); continue }
                XCTAssertEqual(dx, dy, accuracy: 1e-9 * max(1, abs(dx)), "\(pa) \(k)", file: file, line: line)
            }
        }
    }

    static func jsonClose(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case let (x as [String: Any], y as [String: Any]):
            return x.keys.sorted() == y.keys.sorted() && x.allSatisfy { jsonClose($0.value, y[$0.key]!) }
        case let (x as [Any], y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { jsonClose($0, $1) }
        case let (x as NSNumber, y as NSNumber):
            let dx = x.doubleValue, dy = y.doubleValue
            return dx == dy || abs(dx - dy) <= 1e-9 * max(1, abs(dx))
        case let (x as String, y as String):
            if x == y { return true }
            guard let dx = Double(x), let dy = Double(y) else { return false }
            return abs(dx - dy) <= 1e-9 * max(1, abs(dx))
        default:
            return "\(a)" == "\(b)"
        }
    }
}
