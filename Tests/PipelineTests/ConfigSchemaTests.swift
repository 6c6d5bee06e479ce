import Foundation
import Pipeline
import XCTest

/// One schema: the parser accepts exactly the keys docs/pipeline.md documents, refuses the rest with their
/// position, and reports every problem of a file in one run.
final class ConfigSchemaTests: XCTestCase {
    let minimum = """
        version: 1
        inputs:
          - path: tiles/
            bands: {blue: 1, green: 2, red: 3, nir: 4, swir16: 5, swir22: 6}
        indices: [ndvi, ndwi]
        outputs:
          directory: out
        """

    private func errors(_ yaml: String, overrides: [String] = []) -> [ConfigError] {
        do { _ = try PipelineConfig.parse(yaml: yaml, file: "p.yaml", overrides: overrides); return [] } catch let e as ConfigError {
            return e.all
        } catch {
            XCTFail("unexpected \(error)"); return []
        }
    }

    func testFourTyposGiveFourErrorsInOneRun() throws {
        let yaml = """
            version: 1
            inputs:
              - path: tiles/
                bandz: {red: 1}
            indicies: [ndvi]
            outputs:
              directory: out
              cog: {compresion: zstd}
            execution: {jobz: 2}
            """
        let all = errors(yaml)
        XCTAssertEqual(all.map(\.keyPath), ["inputs[0].bandz", "indicies", "outputs.cog.compresion", "execution.jobz"],
                       all.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(all.map(\.line), [4, 5, 8, 9])
        XCTAssertTrue(all.allSatisfy { $0.column != nil && $0.message.contains("unknown key") })
        // The thrown error prints all four, one per line, in file order.
        XCTAssertEqual(all[0].description, "p.yaml:4:5: inputs[0].bandz: unknown key 'bandz' (valid: path, bands, pattern, role, date, name)")
    }

    func testValueErrorsAndKeyErrorsAreAllReported() throws {
        let yaml = minimum + "\nexecution: {jobs: 0, readers: many, memory: lots}\nlogging: {format: xml}\n"
        let all = errors(yaml)
        XCTAssertEqual(Set(all.map(\.keyPath)), ["execution.jobs", "execution.readers", "execution.memory", "logging.format"],
                       all.map(\.description).joined(separator: "\n"))
    }

    /// Keys documented as not yet wired are refused with their position and the reason, not parsed and ignored.
    func testUnwiredKeysAreRefusedWithPosition() throws {
        for (section, key) in [("outputs.quicklooks", "legend"), ("outputs.quicklooks", "zlib_level"), ("report", "histogram_bins")] {
            let yaml: String
            if section == "report" {
                yaml = minimum + "\nreport:\n  \(key): 3\n"
            } else {
                yaml = minimum + "\n  quicklooks:\n    \(key): 3\n"
            }
            let e = try XCTUnwrap(errors(yaml).first, key)
            XCTAssertEqual(e.keyPath, "\(section).\(key)")
            XCTAssertNotNil(e.line, e.description)
            XCTAssertNotNil(e.column, e.description)
            XCTAssertTrue(e.message.contains("not supported"), e.message)
        }
        // An undocumented key anywhere, with its position.
        let e = try XCTUnwrap(errors(minimum + "\nmonitor: [{kind: flood, alert: {warningHa: 50}}]\n").first)
        XCTAssertEqual(e.keyPath, "monitor[0].alert")
        XCTAssertEqual(e.line, 8)
        XCTAssertEqual(e.column, 25)
    }

    /// docs/analysis.md once showed Analysis' Swift settings (`rules`, `autoWater`, `threshold: otsu`, `alert:`)
    /// as pipeline.yaml keys; the parser refuses them, and the docs no longer show them as keys.
    func testAnalysisDocsShowNoKeyTheParserRefuses() throws {
        for yaml in ["\nclassification: {rules: []}\n", "\nclassification: {autoWater: {index: mndwi}}\n",
                     "\nmonitor: [{kind: flood, threshold: otsu}]\n", "\nmonitor: [{kind: flood, alert: {warningHa: 5}}]\n"] {
            XCTAssertFalse(errors(minimum + yaml).isEmpty, yaml)
        }
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/analysis.md"), encoding: .utf8)
        for shown in ["  rules:", "autoWater: {", "threshold: otsu", "alert: {"] {
            XCTAssertFalse(doc.contains(shown), "docs/analysis.md still shows '\(shown)' as a config key")
        }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The keys of docs/pipeline.md's "Every key" table, expanded (`outputs.cog.tile_size`, `inputs[].role`, …).
    static func documentedKeys() throws -> Set<String> {
        let doc = try String(contentsOf: root.appendingPathComponent("docs/pipeline.md"), encoding: .utf8)
        var keys = Set<String>()
        for line in doc.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard cells.count > 3 else { continue }
            var base = ""
            for part in cells[1].split(separator: "`", omittingEmptySubsequences: false).enumerated().filter({ $0.offset % 2 == 1 }) {
                let name = String(part.element)
                if name.hasPrefix(".") {
                    keys.insert(base + name)
                } else {
                    keys.insert(name)
                    base = name.contains(".") ? String(name[..<name.lastIndex(of: ".")!]) : ""
                    // A list of mappings documents its members in the type cell: `{name, index, min}`.
                    if name.hasSuffix("[]"), let open = cells[2].range(of: "`{"), let close = cells[2].range(of: "}`") {
                        for member in cells[2][open.upperBound..<close.lowerBound].split(separator: ",") {
                            keys.insert("\(name).\(member.trimmingCharacters(in: .whitespaces))")
                        }
                    }
                }
            }
        }
        return keys
    }

    /// Every key the parser accepts is in docs/pipeline.md and every documented key is accepted: the parser's own
    /// list of valid keys (from an unknown-key error) in each section is compared with the table.
    func testParserAndDocumentationAgreeOnEveryKey() throws {
        let documented = try Self.documentedKeys()
        XCTAssertTrue(documented.contains("outputs.cog.tile_size") && documented.contains("inputs[].role"), "\(documented.sorted())")
        let base = minimum + "\nclassification: {classes: [{name: a}]}\nmonitor: [{kind: flood}]\n"
        let sections = ["": "", "inputs.0": "inputs[]", "calibration": "calibration", "masks": "masks",
                        "classification": "classification", "classification.classes.0": "classification.classes[]",
                        "monitor.0": "monitor[]", "outputs": "outputs", "outputs.cog": "outputs.cog",
                        "outputs.quicklooks": "outputs.quicklooks", "outputs.stac": "outputs.stac", "report": "report",
                        "execution": "execution", "logging": "logging", "grid": "grid"]
        var accepted = Set<String>()
        for (path, docPath) in sections {
            let e = try XCTUnwrap(errors(base, overrides: ["\(path.isEmpty ? "" : path + ".")zz_undocumented=1"]).first, path)
            XCTAssertTrue(e.message.contains("unknown key"), e.description)
            for key in e.validChoices { accepted.insert(docPath.isEmpty ? key : "\(docPath).\(key)") }
        }
        // Sections are keys too; their members are listed separately.
        let containers: Set<String> = ["inputs", "calibration", "masks", "classification", "monitor", "outputs", "report",
                                       "execution", "logging", "grid", "outputs.cog", "outputs.quicklooks", "outputs.stac",
                                       "classification.classes"]
        let leaves = accepted.subtracting(containers)
        let documentedLeaves = documented.map { $0.hasSuffix("[]") ? String($0.dropLast(2)) : $0 }.filter { !containers.contains($0) }
        XCTAssertEqual(leaves.subtracting(documentedLeaves).sorted(), [], "accepted by the parser but not documented")
        XCTAssertEqual(Set(documentedLeaves).subtracting(leaves).sorted(), [], "documented but refused by the parser")
    }

    func testIndexNamesMatchExactlyOrInLowerCase() throws {
        XCTAssertEqual(try PipelineConfig.parse(yaml: minimum.replacingOccurrences(of: "[ndvi, ndwi]", with: "[NDVI, ndwi2]")).indices,
                       ["ndvi", "ndwi"])
        let e = try XCTUnwrap(errors(minimum.replacingOccurrences(of: "[ndvi, ndwi]", with: "[ndvi, BaI]")).first)
        XCTAssertEqual(e.line, 5)
        XCTAssertEqual(e.column, 17)
        XCTAssertTrue(e.message.contains("did you mean BAI"), e.message)
    }

    func testDuplicateKeyPointsAtTheSecondOccurrenceWithoutEchoingTheFile() throws {
        let yaml = minimum + "\nname: first\nlogging: {level: info}\nname: second\n"
        let e = try XCTUnwrap(errors(yaml).first)
        XCTAssertEqual(e.line, 10, e.description)
        XCTAssertEqual(e.column, 1, e.description)
        XCTAssertTrue(e.message.contains("duplicate key 'name'"), e.message)
        XCTAssertTrue(e.message.contains("line 8"), e.message)
        XCTAssertFalse(e.description.contains("\n"), e.description)
        XCTAssertFalse(e.description.contains("tiles/"), "the file is echoed: \(e.description)")
    }
}
