import Foundation
import Pipeline
import Products
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// `outputs.rgb`: the key (parsed, refused when malformed, in the config hash), and the per-tile true-colour
/// picture it turns on: the same file from the whole-tile and the windowed route, recorded as an output with its hash
/// (resume skips the tile; a missing picture recomputes it), a `visual` STAC asset, and a warning (not a failure)
/// for a tile without a blue band.
final class TrueColorRunTests: XCTestCase {
    let minimum = """
        version: 1
        inputs:
          - path: tiles/
            bands: {blue: 1, green: 2, red: 3, nir: 4}
        indices: [ndvi]
        outputs:
          directory: out
        """

    func testKeyIsParsedRefusedWhenMalformedAndHashed() throws {
        let off = try PipelineConfig.parse(yaml: minimum, file: "p.yaml")
        XCTAssertNil(off.outputs.rgb)
        XCTAssertFalse(TileProductOptions.from(off).trueColor)
        let on = try PipelineConfig.parse(yaml: minimum + "\n  rgb: true\n", file: "p.yaml")
        XCTAssertEqual(on.outputs.rgb, true)
        XCTAssertTrue(TileProductOptions.from(on).trueColor)
        let no = try PipelineConfig.parse(yaml: minimum + "\n  rgb: false\n", file: "p.yaml")
        XCTAssertFalse(TileProductOptions.from(no).trueColor)
        // On changes the outputs, so the hash; off is the default, so the hash of a config without the key.
        XCTAssertNotEqual(PipelineRunner.configHash(on), PipelineRunner.configHash(off))
        XCTAssertEqual(PipelineRunner.configHash(no), PipelineRunner.configHash(off))
        // With it on, the tile's plan lists the picture and loads red, green and blue.
        let job = IndexJob(indices: ["ndvi"], outputDirectory: "/tmp/x-out", products: TileProductOptions.from(on))
        XCTAssertTrue(job.expectedOutputs(tile: "t").contains("tiles/t/t_rgb.tif"))
        XCTAssertTrue(Set(job.neededBands).isSuperset(of: ["red", "green", "blue"]), "\(job.neededBands)")
        XCTAssertFalse(IndexJob(indices: ["ndvi"], outputDirectory: "/tmp/x-out", products: TileProductOptions.from(off))
            .expectedOutputs(tile: "t").contains("tiles/t/t_rgb.tif"))
        // A value that is not a boolean is refused with its position.
        do {
            _ = try PipelineConfig.parse(yaml: minimum + "\n  rgb: colour\n", file: "p.yaml")
            XCTFail("rgb: colour was accepted")
        } catch let e as ConfigError {
            let first = try XCTUnwrap(e.all.first)
            XCTAssertEqual(first.keyPath, "outputs.rgb")
            XCTAssertEqual(first.line, 8)
            XCTAssertNotNil(first.column)
            XCTAssertTrue(first.description.hasPrefix("p.yaml:8:"), first.description)
        }
    }

    /// A 700×530 scene (partial edge blocks) and a second one read from a file tiled across the windows: the
    /// windowed run writes the same `_rgb.tif` bytes as the whole-tile run (and every other output the same), the
    /// picture is a recorded output with the hash of its bytes and a `visual` STAC asset; a rerun skips both tiles,
    /// and a deleted picture brings its tile back.
    func testWholeAndWindowedRunsWriteTheSamePicture() throws {
        let root = try TestData.temporaryDirectory("truecolor-run")
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try WindowedRunTests.writeScene(input.appendingPathComponent("aligned_20250101.tif").path, width: 700, height: 530, tileSize: 64)
        try WindowedRunTests.writeScene(input.appendingPathComponent("straddling_20250101.tif").path, width: 700, height: 530, tileSize: 48)
        var configs: [PipelineConfig] = []
        for w in [false, true] {
            let (c, s) = try WindowedRunTests.runLoose(input, into: root.appendingPathComponent(w ? "windowed" : "whole"),
                                                       yaml: root.appendingPathComponent("p-\(w).yaml"), indices: "[ndvi]",
                                                       outputs: ["cog: {tile_size: 128}", "rgb: true"], windowed: w)
            XCTAssertEqual(s.failed, 0, "\(s.failures)")
            XCTAssertEqual(s.done, 2)
            XCTAssertEqual(s.warnings, [])
            configs.append(c)
        }
        let whole = root.appendingPathComponent("whole"), windowed = root.appendingPathComponent("windowed")
        for id in ["aligned_20250101", "straddling_20250101"] {
            let rel = "tiles/\(id)/\(id)_rgb.tif"
            let a = try Data(contentsOf: whole.appendingPathComponent(rel)), b = try Data(contentsOf: windowed.appendingPathComponent(rel))
            XCTAssertEqual(a, b, "\(rel): the windowed route wrote other bytes than the whole-tile route")
            // Recorded with the hash of its bytes.
            let recorded = try XCTUnwrap(try RunCatalog(directory: windowed.path).outputs(tile: id).first { $0.path == rel })
            XCTAssertEqual(recorded.hash, Fingerprint.file(windowed.appendingPathComponent(rel).path))
            XCTAssertEqual(recorded.bytes, b.count)
            // 3 bands stretched over the tile's valid pixels: both ends reached, the corner (nodata input) 0.
            let r = try GeoTIFFReader(path: windowed.appendingPathComponent(rel).path).read(UInt8.self, window: nil, bands: [0, 1, 2])
            XCTAssertEqual(r.bands.map(\.description), ["red", "green", "blue"])
            XCTAssertEqual(r.samples[0], 0)
            XCTAssertEqual(r.samples.max(), 255)
            XCTAssertGreaterThan(Set(r.samples).count, 30, "a picture, not a few flat colours")
            // The STAC asset.
            let item = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: windowed.appendingPathComponent("tiles/\(id)/\(id)_item.json"))) as? [String: Any])
            let asset = try XCTUnwrap((item["assets"] as? [String: [String: Any]])?["rgb"])
            XCTAssertEqual(asset["roles"] as? [String], ["visual"])
            XCTAssertEqual(asset["type"] as? String, "image/tiff; application=geotiff; profile=cloud-optimized")
            XCTAssertEqual(asset["href"] as? String, "./\(id)_rgb.tif")
            XCTAssertEqual((asset["bands"] as? [[String: Any]])?.compactMap { $0["eo:common_name"] as? String }, ["red", "green", "blue"])
        }
        try WindowedRunTests.assertSameOutputs(whole, windowed)
        // Resume: nothing changed, both skipped; the picture of one tile deleted, that tile is done again.
        var o = RunOptions(jobs: 2, toolVersion: "test")
        o.windowed = true
        XCTAssertEqual(try PipelineRunner.run(config: configs[1], options: o, logger: PipelineRunner.silentLogger).skipped, 2)
        try FileManager.default.removeItem(at: windowed.appendingPathComponent("tiles/aligned_20250101/aligned_20250101_rgb.tif"))
        let again = try PipelineRunner.run(config: configs[1], options: o, logger: PipelineRunner.silentLogger)
        XCTAssertEqual(again.done, 1)
        XCTAssertEqual(again.skipped, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: windowed.appendingPathComponent("tiles/aligned_20250101/aligned_20250101_rgb.tif").path))
    }

    /// Two shards with `outputs.rgb: true` merged: every tile's picture is in the merged catalog with its hash, and
    /// the merged folder equals the unsharded run (pictures, items with their `rgb` asset, collection).
    func testShardsMergeThePictures() throws {
        let root = try TestData.temporaryDirectory("truecolor-shards")
        defer { try? FileManager.default.removeItem(at: root) }
        let tiles = root.appendingPathComponent("tiles")
        try TileFixtures.writeTiles(count: 4, into: tiles)
        func runInto(_ out: String, shard: ShardSpec) throws -> RunSummary {
            let c = try PipelineConfig.parse(yaml: TileFixtures.minimalYAML(input: tiles.path, output: root.appendingPathComponent(out).path,
                                                                              indices: "[ndvi]") + "\n  rgb: true\n")
            return try PipelineRunner.run(config: c, options: RunOptions(jobs: 2, shard: shard, toolVersion: "test-1"),
                                          logger: PipelineRunner.silentLogger)
        }
        XCTAssertEqual(try runInto("whole", shard: .whole).done, 4)
        for i in 0..<2 { _ = try runInto("s\(i)", shard: ShardSpec(index: i, count: 2, source: "test")) }
        let merged = try ShardMerge.merge(shards: (0..<2).map { root.appendingPathComponent("s\($0)").path },
                                          output: root.appendingPathComponent("merged").path, toolVersion: "test-1")
        XCTAssertEqual(merged.done, 4)
        let outputs = try RunCatalog(directory: root.appendingPathComponent("merged").path).allOutputs().filter { $0.path.hasSuffix("_rgb.tif") }
        XCTAssertEqual(outputs.count, 4)
        for o in outputs {
            XCTAssertEqual(o.hash, Fingerprint.file(root.appendingPathComponent("merged").appendingPathComponent(o.path).path), o.path)
        }
        XCTAssertEqual(TileFixtures.outputFiles(root.appendingPathComponent("merged")),
                       TileFixtures.outputFiles(root.appendingPathComponent("whole")))
    }

    /// A tile without a blue band: done, its indices written, no picture, and a warning naming the tile — on both routes.
    func testTileWithoutBlueWarnsAndWritesNoPicture() throws {
        let root = try TestData.temporaryDirectory("truecolor-noblue")
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try WindowedRunTests.writeScene(input.appendingPathComponent("noblue_20250101.tif").path, width: 300, height: 200, tileSize: 64)
        for w in [false, true] {
            let out = root.appendingPathComponent(w ? "windowed" : "whole")
            let c = try PipelineConfig.parse(yaml: """
                version: 1
                inputs:
                  - path: \(input.path)
                    bands: {green: 2, red: 3, nir: 4, swir16: 5, swir22: 6}
                indices: [ndvi]
                outputs:
                  directory: \(out.path)
                  rgb: true
                """, file: "p.yaml")
            var o = RunOptions(jobs: 2, toolVersion: "test")
            o.windowed = w
            let s = try PipelineRunner.run(config: c, options: o, logger: PipelineRunner.silentLogger)
            XCTAssertEqual(s.failed, 0, "\(s.failures)")
            XCTAssertEqual(s.done, 1)
            XCTAssertEqual(s.warnings.count, 1, "\(s.warnings)")
            let warning = s.warnings.first ?? ""
            XCTAssertTrue(warning.contains("no true-colour picture") && warning.contains("blue") && warning.contains("noblue_20250101"), warning)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("tiles/noblue_20250101/noblue_20250101_rgb.tif").path))
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("tiles/noblue_20250101/noblue_20250101_ndvi.tif").path))
        }
    }
}
