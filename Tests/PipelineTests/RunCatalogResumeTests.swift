import Foundation
import Pipeline
import Products
import RasterIO
import TestSupport
import XCTest

final class RunCatalogResumeTests: XCTestCase {
    var root: URL!
    override func setUpWithError() throws { root = try TestData.temporaryDirectory("pipeline-resume") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func config(_ out: String = "out", indices: String = "[ndvi, ndwi]") throws -> PipelineConfig {
        try PipelineConfig.parse(yaml: TileFixtures.minimalYAML(input: root.appendingPathComponent("tiles").path,
                                                                  output: root.appendingPathComponent(out).path, indices: indices))
    }

    func run(_ c: PipelineConfig, fresh: Bool = false) throws -> RunSummary {
        try PipelineRunner.run(config: c, options: RunOptions(jobs: 2, maxInFlight: 3, fresh: fresh, toolVersion: "test-1"),
                               logger: PipelineRunner.silentLogger)
    }

    func testRunWritesIndicesCatalogAndSummary() throws {
        try TileFixtures.writeTiles(count: 5, into: root.appendingPathComponent("tiles"))
        let s = try run(try config())
        XCTAssertEqual([s.total, s.done, s.skipped, s.failed], [5, 5, 0, 0])
        // Per tile: ndvi and ndwi COGs, the land-use COG with its GIS sidecars (.tif.aux.xml, .qml), NDVI and
        // land-use quicklooks with world files and CRS .aux.xml, and the STAC item (the tiles are dated by the
        // `_20250101` token of their names).
        XCTAssertEqual(s.outputCount, 5 * 12)
        let out = root.appendingPathComponent("out")
        // The NDVI raster is the formula over the input bands, pixel for pixel.
        let input = try GeoTIFFReader(path: root.appendingPathComponent("tiles/t02_20250101.tif").path)
        let red = try input.readFloatBand(2), nir = try input.readFloatBand(3)
        let ndviReader = try GeoTIFFReader(path: out.appendingPathComponent("tiles/t02_20250101/t02_20250101_ndvi.tif").path)
        let ndvi = try ndviReader.readFloatBand(0)
        XCTAssertEqual(ndviReader.description.bands.first?.description, "ndvi")
        XCTAssertEqual(ndviReader.description.geo, input.description.geo)
        XCTAssertEqual(ndviReader.description.sampleType, .float32)
        XCTAssertTrue(ndviReader.description.bands[0].nodata?.isNaN ?? false, "nodata must be NaN")
        let cog = CloudOptimizedGeoTIFF.validate(path: ndviReader.description.path)
        XCTAssertTrue(cog.isValid, cog.summary)
        XCTAssertTrue(ndvi[0].isNaN, "0/0 must be NaN")
        for i in [1, 100, 4095] { XCTAssertEqual(ndvi[i], (nir[i] - red[i]) / (nir[i] + red[i]), accuracy: 1e-6) }
        // Catalog rows and statistics.
        let catalog = try RunCatalog(directory: out.path)
        XCTAssertEqual(try catalog.integrityCheck(), "ok")
        let rows = try catalog.allTiles()
        XCTAssertEqual(rows.map(\.status), Array(repeating: TileStatus.done, count: 5))
        let st = try XCTUnwrap(rows[2].result?.indices["ndvi"])
        XCTAssertEqual(st.count + st.invalid, 64 * 64)
        XCTAssertEqual(st.invalid, 1)
        let valid = ndvi.filter { !$0.isNaN }.map(Double.init)
        XCTAssertEqual(st.mean, valid.reduce(0, +) / Double(valid.count), accuracy: 1e-9)
        let runJSON = try XCTUnwrap(FileManager.default.contents(atPath: out.appendingPathComponent("run.json").path))
        XCTAssertEqual(try JSONDecoder().decode(RunSummary.self, from: runJSON).done, 5)
    }

    func testRerunSkipsUnchangedAndRedoesChangedOrDamaged() throws {
        let tiles = root.appendingPathComponent("tiles")
        try TileFixtures.writeTiles(count: 6, into: tiles)
        let c = try config()
        _ = try run(c)
        let out = root.appendingPathComponent("out")
        let before = TileFixtures.outputFiles(out)

        var s = try run(c)
        XCTAssertEqual([s.done, s.skipped, s.failed], [0, 6, 0])

        // Changed input (new content), missing output, damaged output (same size, flipped byte).
        try TileFixtures.writeTile(tiles.appendingPathComponent("t01_20250101.tif").path, size: 64, seed: 999)
        try FileManager.default.removeItem(at: out.appendingPathComponent("tiles/t03_20250101/t03_20250101_ndwi.tif"))
        let damaged = out.appendingPathComponent("tiles/t04_20250101/t04_20250101_ndvi.tif")
        var bytes = try Data(contentsOf: damaged)
        bytes[bytes.count - 10] ^= 0xFF
        try bytes.write(to: damaged)
        s = try run(c)
        XCTAssertEqual([s.done, s.skipped, s.failed], [3, 3, 0])
        let after = TileFixtures.outputFiles(out)
        XCTAssertNotEqual(after["tiles/t01_20250101/t01_20250101_ndvi.tif"], before["tiles/t01_20250101/t01_20250101_ndvi.tif"])
        XCTAssertEqual(after["tiles/t03_20250101/t03_20250101_ndwi.tif"], before["tiles/t03_20250101/t03_20250101_ndwi.tif"])
        XCTAssertEqual(after["tiles/t04_20250101/t04_20250101_ndvi.tif"], before["tiles/t04_20250101/t04_20250101_ndvi.tif"])

        // A config change redoes everything; --fresh too.
        s = try run(try config(indices: "[ndvi, ndwi, nbr]"))
        XCTAssertEqual([s.done, s.skipped], [6, 0])
        s = try run(try config(indices: "[ndvi, ndwi, nbr]"), fresh: true)
        XCTAssertEqual([s.done, s.skipped], [6, 0])
    }

    func testBadTileIsListedAndOthersAreDone() throws {
        let tiles = root.appendingPathComponent("tiles")
        try TileFixtures.writeTiles(count: 4, into: tiles)
        try Data("II*\0 not a tiff".utf8).write(to: tiles.appendingPathComponent("t01b_20250101.tif"))
        let s = try run(try config())
        XCTAssertEqual([s.done, s.failed], [4, 1])
        XCTAssertEqual(s.exitCode, 1)
        XCTAssertEqual(s.failures.first?.tile, "t01b_20250101")
        XCTAssertEqual(s.failures.first?.stage, "discover")
        XCTAssertEqual(s.failures.first?.kind, .corrupt)
        XCTAssertTrue(s.failures.first?.cause.contains("t01b_20250101.tif") ?? false)
        let rows = try RunCatalog(directory: root.appendingPathComponent("out").path).allTiles()
        XCTAssertEqual(rows.first { $0.id == "t01b_20250101" }?.status, .failed)
        // The failed tile is retried on the next run; done tiles are skipped.
        let again = try run(try config())
        XCTAssertEqual([again.done, again.skipped, again.failed], [0, 4, 1])
    }

    func testOutputFolderInsideInputFolderIsNotReadAsInput() throws {
        try TileFixtures.writeTiles(count: 2, into: root.appendingPathComponent("tiles"))
        var c = try config()
        c.outputs.directory = root.appendingPathComponent("tiles/out").path
        XCTAssertEqual(try run(c).done, 2)
        let again = try run(c)
        XCTAssertEqual([again.total, again.skipped], [2, 2], "outputs were discovered as tiles")
    }

    func testIndicesATileLacksBandsForAreSkippedWithAWarning() throws {
        let tiles = root.appendingPathComponent("tiles")
        try FileManager.default.createDirectory(at: tiles, withIntermediateDirectories: true)
        // A 4-band sensor (no SWIR), bands named in the file: ndvi is computed, nbr is not.
        try TileFixtures.writeTile(tiles.appendingPathComponent("four_20250101.tif").path, size: 32, seed: 5,
                                   bandNames: ["blue", "green", "red", "nir"])
        let c = try PipelineConfig.parse(yaml: """
            version: 1
            inputs: [{path: \(tiles.path)}]
            indices: [ndvi, nbr]
            outputs: {directory: \(root.appendingPathComponent("out").path)}
            """)
        let s = try run(c)
        XCTAssertEqual([s.done, s.failed], [1, 0])
        XCTAssertEqual(s.outputCount, 11, "ndvi and land-use COGs (with the class map's .aux.xml and .qml), their quicklooks with world files and CRS .aux.xml, the STAC item (dated by its name)")
        XCTAssertEqual(s.warnings, ["indices nbr not computed: the tile has no swir22 band (four_20250101)"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("out/tiles/four_20250101/four_20250101_ndvi.tif").path))
        XCTAssertEqual(try run(c).skipped, 1, "a tile with skipped indices is still up to date on rerun")
        // No computable index at all is a failure of the tile.
        let only = try PipelineConfig.parse(yaml: """
            version: 1
            inputs: [{path: \(tiles.path)}]
            indices: [nbr]
            outputs: {directory: \(root.appendingPathComponent("out2").path)}
            """)
        let f = try run(only)
        XCTAssertEqual([f.done, f.failed], [0, 1])
        XCTAssertEqual(f.failures.first?.stage, "compute")
        XCTAssertTrue(f.failures.first?.cause.contains("swir22") ?? false)
    }

    func testStaleTemporariesAreRemovedAtStart() throws {
        try TileFixtures.writeTiles(count: 2, into: root.appendingPathComponent("tiles"))
        let dir = root.appendingPathComponent("out/tiles/t00_20250101")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // A temporary of a process id that cannot be alive (above pid_max).
        try Data([1, 2, 3]).write(to: dir.appendingPathComponent(".t00_20250101_ndvi.tif.tmp-99999999-abc"))
        _ = try run(try config())
        XCTAssertEqual(TileFixtures.temporaries(root.appendingPathComponent("out")), [])
    }

    func testUnreadableInputAndUnwritableOutputCannotStart() throws {
        var c = try config()
        c.inputs[0].path = root.appendingPathComponent("nope").path
        XCTAssertThrowsError(try run(c)) { XCTAssertEqual(($0 as? PipelineError).map { if case .inputUnreadable = $0 { true } else { false } }, true) }
        try TileFixtures.writeTiles(count: 1, into: root.appendingPathComponent("tiles"))
        c = try config()
        try Data().write(to: root.appendingPathComponent("file"))
        c.outputs.directory = root.appendingPathComponent("file/out").path
        XCTAssertThrowsError(try run(c)) { XCTAssertEqual(($0 as? PipelineError).map { if case .outputUnwritable = $0 { true } else { false } }, true) }
    }
}
