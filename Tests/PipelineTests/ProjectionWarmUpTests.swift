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
