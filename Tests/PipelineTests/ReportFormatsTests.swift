import Foundation
import Pipeline
import Products
import TestSupport
import XCTest

/// `report.formats`: a run writes the reports of the formats it names and no others, removes those an earlier run of
/// the same folder left, and a later run without the key writes all of them again.
final class ReportFormatsTests: XCTestCase {
    private func run(_ root: URL, report: String) throws {
        let yaml = TileFixtures.minimalYAML(input: root.appendingPathComponent("tiles").path,
                                            output: root.appendingPathComponent("out").path) + "\n" + report
        let config = try PipelineConfig.parse(yaml: yaml)
        let s = try PipelineRunner.run(config: config, options: RunOptions(jobs: 1, toolVersion: "test"), logger: PipelineRunner.silentLogger)
        XCTAssertEqual(s.exitCode, 0, s.text)
    }

    private func reports(_ root: URL) -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("out").path)) ?? []
        return Set(names).intersection(ReportWriter.fileNames)
    }

    func testOnlyTheNamedFormatsAreWrittenAndOthersRemoved() throws {
        let root = try TestData.temporaryDirectory("report-formats")
        defer { try? FileManager.default.removeItem(at: root) }
        try TileFixtures.writeTiles(count: 2, into: root.appendingPathComponent("tiles"), size: 32)

        try run(root, report: "")
        XCTAssertEqual(reports(root), Set(ReportWriter.fileNames), "all formats by default")

        try run(root, report: "report: {formats: [json, md]}")
        XCTAssertEqual(reports(root), ["report.json", "report.md"])

        try run(root, report: "report: {formats: [csv]}")
        XCTAssertEqual(reports(root), ["areas.csv", "changes.csv", "disasters.csv", "failures.csv", "regions.csv"])

        try run(root, report: "")
        XCTAssertEqual(reports(root), Set(ReportWriter.fileNames), "a run without the key must not keep the earlier subset")
    }
}
