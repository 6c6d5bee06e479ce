import Foundation
import Pipeline
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// The second phase on synthetic loose tiles: pairing by id without dates, and the refusal of misaligned grids.
final class PairPhaseTests: XCTestCase {
    /// A 6-band tile with an acquisition date in its metadata; `shift` moves the grid by whole pixels.
    static func writeDated(_ path: String, date: String, shift: Double = 0, water: Bool) throws {
        let size = 32, n = size * size
        var samples = [UInt16](repeating: 0, count: n * 6)
        for i in 0..<n {
            let wet = water && i % size < size / 2
            // blue, green, red, nir, swir16, swir22 (reflectance × 10000): water is dark in NIR, vegetation bright.
            let v: [UInt16] = wet ? [900, 1100, 700, 200, 100, 80] : [500, 800, 600, 4000, 2000, 1000]
            for b in 0..<6 { samples[b * n + i] = v[b] }
        }
        let geo = GeoReference(transform: GeoTransform(originX: 600_000 + shift * 10, pixelWidth: 10, originY: 2_780_000, pixelHeight: -10),
                               crs: CRS(epsg: 32650))
        let r = Raster<UInt16>(width: size, height: size, samples: samples,
                               bands: ["blue", "green", "red", "nir", "swir16", "swir22"].map { BandInfo(description: $0, scale: 0.0001) },
                               geo: geo, metadata: ["ACQUISITION_DATE": date])
        try GeoTIFFWriter.write(r, to: path)
    }

    /// `in/x_20250101.tif` (dry) and `in/x_20250301.tif` (its western half water, its grid shifted east by `shift`
    /// pixels) under `root`; returns `in`.
    static func writePair(_ root: URL, shift: Double = 0) throws -> URL {
        let input = root.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try writeDated(input.appendingPathComponent("x_20250101.tif").path, date: "2025-01-01T00:00:00Z", water: false)
        try writeDated(input.appendingPathComponent("x_20250301.tif").path, date: "2025-03-01T00:00:00Z", shift: shift, water: true)
        return input
    }

    static func config(_ input: URL, _ output: URL, job: String = "{kind: flood}") throws -> PipelineConfig {
        let yaml = """
            version: 1
            inputs:
              - path: \(input.path)
            indices: [ndvi, ndwi, mndwi]
            monitor:
              - \(job)
            outputs:
              directory: \(output.path)
            """
        let file = output.deletingLastPathComponent().appendingPathComponent("p-\(output.lastPathComponent).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try PipelineConfig.load(path: file.path)
    }

    func testPairKeyDropsDates() {
        XCTAssertEqual(PairPhase.pairKey("TGY1_20250602_r0c0"), "TGY1_r0c0")
        XCTAssertEqual(PairPhase.pairKey("a_2025-01-01"), "a")
        XCTAssertEqual(PairPhase.pairKey("T50_r1c2_20250101"), PairPhase.pairKey("T50_r1c2_20250301"))
    }

    func testAlignedPairGivesFloodAndChange() throws {
        let root = try TestData.temporaryDirectory("pair-aligned")
        defer { try? FileManager.default.removeItem(at: root) }
        let input = try Self.writePair(root)
        let out = root.appendingPathComponent("out")
        let s = try PipelineRunner.run(config: try Self.config(input, out), options: RunOptions(jobs: 1, toolVersion: "test"),
                                       logger: PipelineRunner.silentLogger)
        XCTAssertEqual(s.exitCode, 0, s.text)
        let pairs = try RunCatalog(directory: out.path).allPairs()
        XCTAssertEqual(pairs.map(\.job).sorted(), ["change", "flood"])
        let flood = try XCTUnwrap(pairs.first { $0.job == "flood" })
        XCTAssertEqual(flood.index, "mndwi")
        XCTAssertEqual([flood.before, flood.after], ["2025-01-01", "2025-03-01"])
        // Half the tile turned to water: 16 of 32 columns, all rows.
        XCTAssertEqual(flood.classPixels["3"], 16 * 32)
        let change = try XCTUnwrap(pairs.first { $0.job == "change" })
        let classes = try XCTUnwrap(change.changeClasses), m = try XCTUnwrap(change.changePixels)
        let from = try XCTUnwrap(classes.firstIndex(of: 5)), to = try XCTUnwrap(classes.firstIndex(of: 1))
        XCTAssertEqual(m[from][to], 16 * 32, "dense vegetation → water")
    }

    func testJobWithDatesNoPairHasIsAWarning() throws {
        let root = try TestData.temporaryDirectory("pair-nodates")
        defer { try? FileManager.default.removeItem(at: root) }
        let input = try Self.writePair(root)
        let out = root.appendingPathComponent("out")
        let c = try Self.config(input, out, job: "{kind: burn, before: \"2024-01-01\", after: \"2025-03-01\"}")
        let s = try PipelineRunner.run(config: c, options: RunOptions(jobs: 1, toolVersion: "test"), logger: PipelineRunner.silentLogger)
        XCTAssertEqual(s.exitCode, 0, s.text)
        XCTAssertEqual(try RunCatalog(directory: out.path).allPairs().map(\.job), ["change"])
        XCTAssertTrue(s.warnings.contains { $0.hasPrefix("monitor burn: no tile pair with dates 2024-01-01 → 2025-03-01") }, "\(s.warnings)")
    }

    /// Runs the two dated tiles, the after one shifted east by `shift` pixels (10 m each), with a flood job.
    static func runShifted(_ name: String, shift: Double) throws -> (out: URL, summary: RunSummary, root: URL) {
        let root = try TestData.temporaryDirectory(name)
        let input = try writePair(root, shift: shift)
        let out = root.appendingPathComponent("out")
        let s = try PipelineRunner.run(config: try config(input, out), options: RunOptions(jobs: 2, toolVersion: "test"),
                                       logger: PipelineRunner.silentLogger)
        return (out, s, root)
    }

    /// The after date on a grid shifted by 2.4 pixels is resampled onto the before grid (bilinear index planes,
    /// nearest class map and mask): the water of its 16 western columns lands 2.4 columns east, and the two
    /// western columns it does not cover are masked.
    func testShiftedPairIsResampledOntoTheBeforeGrid() throws {
        let (out, s, root) = try Self.runShifted("pair-shifted", shift: 2.4)
        defer { try? FileManager.default.removeItem(at: root) }
        XCTAssertEqual(s.exitCode, 0, s.text)
        let pairs = try RunCatalog(directory: out.path).allPairs()
        XCTAssertEqual(pairs.map(\.job).sorted(), ["change", "flood"])
        let flood = try XCTUnwrap(pairs.first { $0.job == "flood" })
        XCTAssertNil(flood.failure)
        // Before-grid column c samples the after grid at c − 1.9: columns 0–1 fall outside it (masked, 0); columns
        // 2–17 are water; column 18 blends after columns 15 (water, MNDWI 0.83) and 16 (dry, −0.43) 0.4 : 0.6,
        // MNDWI 0.08 > 0: water. So 17 flooded columns, 13 dry.
        XCTAssertEqual(flood.classPixels["0"], 2 * 32)
        XCTAssertEqual(flood.classPixels["3"], 17 * 32)
        XCTAssertEqual(flood.classPixels["1"], 13 * 32)
        // The map is on the before date's grid.
        let map = try GeoTIFFReader(path: out.appendingPathComponent(try XCTUnwrap(flood.raster)).path)
        XCTAssertEqual(map.description.geo?.transform.originX, 600_000)
        // Nearest class map: column c takes after column c − 2, water for c in 2…17.
        let change = try XCTUnwrap(pairs.first { $0.job == "change" })
        let classes = try XCTUnwrap(change.changeClasses), m = try XCTUnwrap(change.changePixels)
        let from = try XCTUnwrap(classes.firstIndex(of: 5)), to = try XCTUnwrap(classes.firstIndex(of: 1))
        XCTAssertEqual(m[from][to], 16 * 32, "dense vegetation → water")
    }

    /// Dates that do not overlap cannot be paired: each job on the pair fails, naming both files.
    func testPairWithoutOverlapFailsNamingBothFiles() throws {
        let (out, s, root) = try Self.runShifted("pair-apart", shift: 100)
        defer { try? FileManager.default.removeItem(at: root) }
        XCTAssertEqual(s.exitCode, 1)
        XCTAssertEqual(s.done, 2, "both tiles are done; the pair failed")
        let f = s.failures.filter { $0.stage.hasPrefix("pair") }
        XCTAssertEqual(f.map(\.stage).sorted(), ["pair change", "pair flood"])
        for e in f {
            XCTAssertTrue(e.cause.contains("x_20250101.tif") && e.cause.contains("x_20250301.tif") && e.cause.contains("do not overlap"), e.cause)
            XCTAssertEqual(e.kind, .config, "grids that cannot be aligned are a config matter (set grid:), not corrupt data")
        }
        XCTAssertTrue(try RunCatalog(directory: out.path).allPairs().allSatisfy { $0.outputs.isEmpty })
        let failures = try String(contentsOf: out.appendingPathComponent("failures.csv"), encoding: .utf8)
        XCTAssertTrue(failures.contains("do not overlap"), failures)
    }
}
