import Foundation
import Pipeline
import TestSupport
import XCTest

/// `inputs[].role`: with a pre-event and a post-event input, a two-date job compares the latest pre tile with the
/// earliest post tile (the pair that brackets the event), not the earliest and latest dates of the group.
final class RolePairingTests: XCTestCase {
    func testRolesChooseThePairThatBracketsTheEvent() throws {
        let dir = try TestData.temporaryDirectory("role-pairing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pre = dir.appendingPathComponent("pre"), post = dir.appendingPathComponent("post")
        for d in [pre, post] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        try PairPhaseTests.writeDated(pre.appendingPathComponent("a_20250101.tif").path, date: "2025-01-01", water: false)
        try PairPhaseTests.writeDated(pre.appendingPathComponent("a_20250201.tif").path, date: "2025-02-01", water: false)
        try PairPhaseTests.writeDated(post.appendingPathComponent("a_20250301.tif").path, date: "2025-03-01", water: true)
        try PairPhaseTests.writeDated(post.appendingPathComponent("a_20250401.tif").path, date: "2025-04-01", water: true)
        func floodMaps(roles: Bool) throws -> [String] {
            let out = dir.appendingPathComponent(roles ? "out-roles" : "out-plain")
            let yaml = """
                version: 1
                inputs:
                  - path: \(pre.path)\(roles ? "\n    role: pre" : "")
                  - path: \(post.path)\(roles ? "\n    role: post" : "")
                indices: [ndvi, ndwi, mndwi]
                monitor:
                  - {kind: flood}
                outputs:
                  directory: \(out.path)
                """
            let c = try PipelineConfig.parse(yaml: yaml)
            let s = try PipelineRunner.run(config: c, options: RunOptions(jobs: 1, toolVersion: "test"), logger: PipelineRunner.silentLogger)
            XCTAssertEqual(s.exitCode, 0, s.text)
            return try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("pairs/flood").path).filter { $0.hasSuffix(".tif") }
        }
        XCTAssertEqual(try floodMaps(roles: false), ["a_2025-01-01_2025-04-01.tif"], "without roles: earliest → latest")
        XCTAssertEqual(try floodMaps(roles: true), ["a_2025-02-01_2025-03-01.tif"], "with roles: latest pre → earliest post")
    }
}
