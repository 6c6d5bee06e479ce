import Foundation
import GroundStation
import RasterCore
import RasterIO
import TestSupport
import XCTest
@testable import Pipeline

/// `PipelineRunner.warmProjection`: the first tile's WGS84 transform is made on another thread at a run's start.
final class ProjectionWarmUpTests: XCTestCase {
    /// A tile in a CRS no other test uses (UTM 33S): after the warm-up the shared transform exists, so the tile's own
    /// first call does not have to open PROJ's database.
    func testFirstTileTransformIsMadeAhead() throws {
        let dir = try TestData.temporaryDirectory("warm-proj")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.tif").path
        let geo = GeoReference(transform: GeoTransform(originX: 300_000, pixelWidth: 30, originY: 8_900_000, pixelHeight: -30),
                               crs: CRS(epsg: 32733))
        let raster = Raster<UInt16>(width: 16, height: 16, samples: [UInt16](repeating: 1000, count: 16 * 16),
                                    bands: [BandInfo(description: "red")], geo: geo)
        try GeoTIFFWriter.write(raster, to: path)
        XCTAssertFalse(CRSTransform.isShared(from: "EPSG:32733", to: "EPSG:4326"), "another test made the transform first")

        let tile = TileSource(input: TileInput(id: "t", files: [path], date: nil, source: .loose(path: path, bandMap: nil)))
        XCTAssertEqual(PipelineRunner.warmProjection(for: tile).wait(timeout: .now() + 30), .success)
        XCTAssertTrue(CRSTransform.isShared(from: "EPSG:32733", to: "EPSG:4326"))
    }

    /// A run refused before its first tile (here: its output folder is a file) returns only once the warm-up has
    /// ended: the process that exits next must not tear PROJ down under it (a crash seen on a run refused for a
    /// planted link). The tile's CRS (UTM 34S) is used by no other test.
    func testAFailedRunReturnsAfterTheWarmUp() throws {
        let dir = try TestData.temporaryDirectory("warm-proj-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tiles = dir.appendingPathComponent("tiles")
        try FileManager.default.createDirectory(at: tiles, withIntermediateDirectories: true)
        let geo = GeoReference(transform: GeoTransform(originX: 300_000, pixelWidth: 30, originY: 8_900_000, pixelHeight: -30),
                               crs: CRS(epsg: 32734))
        let raster = Raster<UInt16>(width: 16, height: 16, samples: [UInt16](repeating: 1000, count: 16 * 16 * 6),
                                    bands: ["blue", "green", "red", "nir", "swir16", "swir22"].map { BandInfo(description: $0) }, geo: geo)
        try GeoTIFFWriter.write(raster, to: tiles.appendingPathComponent("t_20250101.tif").path)
        let out = dir.appendingPathComponent("out")
        try Data("a file where the output folder should be".utf8).write(to: out)
        let cfg = dir.appendingPathComponent("p.yaml")
        try TileFixtures.minimalYAML(input: tiles.path, output: out.path).write(to: cfg, atomically: true, encoding: .utf8)
        XCTAssertFalse(CRSTransform.isShared(from: "EPSG:32734", to: "EPSG:4326"), "another test made the transform first")
        XCTAssertThrowsError(try PipelineRunner.run(config: try PipelineConfig.load(path: cfg.path), options: RunOptions(jobs: 2, toolVersion: "test"),
                                                    logger: PipelineRunner.silentLogger))
        XCTAssertTrue(CRSTransform.isShared(from: "EPSG:32734", to: "EPSG:4326"), "run returned while the warm-up was still running")
    }

    /// No tile, or one whose header cannot be read: nothing is made and nothing fails (the tile reports it itself).
    func testUnreadableTileIsLeftToTheTile() throws {
        XCTAssertEqual(PipelineRunner.warmProjection(for: nil).wait(timeout: .now() + 1), .success)
        let dir = try TestData.temporaryDirectory("warm-proj-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bad.tif").path
        try Data("not a tiff".utf8).write(to: URL(fileURLWithPath: path))
        let tile = TileSource(input: TileInput(id: "bad", files: [path], date: nil, source: .loose(path: path, bandMap: nil)))
        XCTAssertEqual(PipelineRunner.warmProjection(for: tile).wait(timeout: .now() + 30), .success)
    }
}
