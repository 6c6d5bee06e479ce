import Foundation
import Pipeline
import RasterCore
import RasterIO
import TestSupport
import XCTest

/// A custom `classification.classes` scheme through `tilepipe run` with a flood job: reports name its classes,
/// and the flood map does not depend on the scheme (two-date jobs read the quality masks, never class codes).
final class CustomSchemeTests: XCTestCase {
    /// Runs the two dated tiles of `PairPhaseTests` (half the tile floods) with `classification` and a flood job.
    static func run(_ root: URL, name: String, classification: String) throws -> (out: URL, summary: RunSummary) {
        var input = root.appendingPathComponent("in")
        if !FileManager.default.fileExists(atPath: input.path) { input = try PairPhaseTests.writePair(root) }
        let out = root.appendingPathComponent(name)
        let yaml = """
            version: 1
            inputs:
              - path: \(input.path)
            indices: [ndvi, ndwi, mndwi]
            \(classification)
            monitor:
              - {kind: flood}
            outputs:
              directory: \(out.path)
            """
        let file = root.appendingPathComponent("\(name).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let s = try PipelineRunner.run(config: try PipelineConfig.load(path: file.path), options: RunOptions(jobs: 1, toolVersion: "test"),
                                       logger: PipelineRunner.silentLogger)
        XCTAssertEqual(s.exitCode, 0, s.text)
        return (out, s)
    }

    /// The pixels of the run's one flood map.
    static func floodMap(_ out: URL) throws -> [UInt8] {
        let dir = out.appendingPathComponent("pairs/flood")
        let name = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: dir.path).first { $0.hasSuffix(".tif") })
        let r: Raster<UInt8> = try GeoTIFFReader(path: dir.appendingPathComponent(name).path).read(UInt8.self, window: nil, bands: [0])
        return r.samples
    }

    func testTwoClassSchemeNamesItsClassesAndLeavesTheFloodMapAlone() throws {
        let root = try TestData.temporaryDirectory("custom-scheme")
        defer { try? FileManager.default.removeItem(at: root) }
        let reference = try Self.run(root, name: "default", classification: "classification: {scheme: landuse}")
        let custom = try Self.run(root, name: "custom", classification: """
            classification:
              classes:
                - {name: Forest, index: ndvi, min: 0.3}
                - {name: Other, index: ndvi, max: 0.3}
            """)
        // areas.csv and report.json name the scheme's classes, never the land-use ones.
        let csv = try String(contentsOf: custom.out.appendingPathComponent("areas.csv"), encoding: .utf8)
        let csvNames = Set(csv.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[3]) })   // place,date,class_code,class
        XCTAssertEqual(csvNames, ["Forest", "Other"], csv)
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: custom.out.appendingPathComponent("report.json"))) as? [String: Any]
        let areas = try XCTUnwrap((doc?["summary"] as? [String: Any])?["areas"] as? [[String: Any]])
        XCTAssertEqual(Set(areas.compactMap { $0["name"] as? String }), ["Forest", "Other"])
        let legend = try XCTUnwrap((doc?["report"] as? [String: Any])?["classes"] as? [[String: Any]])
        XCTAssertEqual(legend.compactMap { $0["name"] as? String }, ["Forest", "Other"])
        // Before the flood every pixel is vegetation (Forest), so the first date's Forest area is the whole tile.
        let forest = areas.first { $0["name"] as? String == "Forest" && $0["date"] as? String == "2025-01-01" }
        XCTAssertEqual(try XCTUnwrap(forest?["hectares"] as? Double), 32 * 32 * 100 / 10_000, accuracy: 1e-9)
        // The flood map is the default scheme's, pixel for pixel.
        let map = try Self.floodMap(custom.out)
        XCTAssertEqual(map, try Self.floodMap(reference.out))
        XCTAssertEqual(map.filter { $0 == 3 }.count, 16 * 32, "half the tile is newly flooded")
    }

    /// A scheme whose 6th and 7th classes are land (water and dry land here): none of their pixels is masked
    /// as cloud or shadow by the flood job, and the change matrix counts them.
    func testSixthAndSeventhClassesAreNotCloud() throws {
        let root = try TestData.temporaryDirectory("custom-scheme-67")
        defer { try? FileManager.default.removeItem(at: root) }
        let reference = try Self.run(root, name: "default", classification: "classification: {scheme: landuse}")
        let never = (1...5).map { "    - {name: unused\($0), index: ndvi, min: 5}" }.joined(separator: "\n")
        let custom = try Self.run(root, name: "seven", classification: """
            classification:
              classes:
            \(never)
                - {name: Wet, index: ndwi, min: 0}
                - {name: Dry, index: ndwi, max: 0}
            """)
        let map = try Self.floodMap(custom.out)
        XCTAssertFalse(map.contains(0), "no pixel of class 6 or 7 is masked")
        XCTAssertEqual(map, try Self.floodMap(reference.out))
        let change = try XCTUnwrap(try RunCatalog(directory: custom.out.path).allPairs().first { $0.job == "change" })
        let classes = try XCTUnwrap(change.changeClasses), m = try XCTUnwrap(change.changePixels)
        let dry = try XCTUnwrap(classes.firstIndex(of: 7)), wet = try XCTUnwrap(classes.firstIndex(of: 6))
        XCTAssertEqual(m[dry][wet], 16 * 32, "Dry → Wet counted as change, not masked as shadow → cloud")
    }
}
