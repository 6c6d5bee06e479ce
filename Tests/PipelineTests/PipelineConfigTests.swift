import Pipeline
import XCTest

final class PipelineConfigTests: XCTestCase {
    /// The minimum of issue 5, verbatim.
    let minimum = """
        version: 1
        inputs:
          - path: tiles/
            bands: {blue: 1, green: 2, red: 3, nir: 4, swir16: 5, swir22: 6}   # loose multi-band tiles with no scene manifest
        indices: [ndvi, ndwi]
        outputs:
          directory: out
        """

    func testMinimumConfigVerbatim() throws {
        let c = try PipelineConfig.parse(yaml: minimum, file: "pipeline.yaml")
        XCTAssertEqual(c.version, 1)
        XCTAssertEqual(c.inputs, [InputSpec(path: "tiles/", bands: ["blue": 1, "green": 2, "red": 3, "nir": 4, "swir16": 5, "swir22": 6])])
        XCTAssertEqual(c.indices, ["ndvi", "ndwi"])
        XCTAssertEqual(c.outputs.directory, "out")
        XCTAssertNil(c.execution)
    }

    func testRepositoryPipelineYamlIsValid() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("pipeline.yaml").path
        XCTAssertNoThrow(try PipelineConfig.load(path: path))
    }

    private func error(_ yaml: String, overrides: [String] = []) -> ConfigError? {
        do { _ = try PipelineConfig.parse(yaml: yaml, file: "p.yaml", overrides: overrides); return nil } catch let e as ConfigError { return e } catch {
            XCTFail("unexpected \(error)"); return nil
        }
    }

    func testUnknownTopLevelKeyHasLineColumnAndChoices() throws {
        let e = try XCTUnwrap(error(minimum + "\nstagez: [a]\n"))
        XCTAssertEqual(e.file, "p.yaml")
        XCTAssertEqual(e.line, 8)
        XCTAssertEqual(e.column, 1)
        XCTAssertTrue(e.message.contains("stagez"))
        XCTAssertTrue(e.validChoices.contains("indices"))
        XCTAssertTrue(e.description.hasPrefix("p.yaml:8:1: stagez: unknown key"), e.description)
    }

    func testUnknownNestedKey() throws {
        let yaml = minimum.replacingOccurrences(of: "  directory: out", with: "  directory: out\n  cogg: {}")
        let e = try XCTUnwrap(error(yaml))
        XCTAssertEqual(e.line, 8)
        XCTAssertEqual(e.column, 3)
        XCTAssertEqual(e.keyPath, "outputs.cogg")
        XCTAssertEqual(e.validChoices, ["directory", "cog", "quicklooks", "stac", "crs", "rgb"])
    }

    func testWrongTypeReportsValuePosition() throws {
        let yaml = minimum.replacingOccurrences(of: "green: 2", with: "green: two")
        let e = try XCTUnwrap(error(yaml))
        XCTAssertEqual(e.line, 4)
        XCTAssertEqual(e.column, 29)
        XCTAssertEqual(e.keyPath, "inputs[0].bands.green")
        XCTAssertTrue(e.message.contains("expected an integer"), e.message)
    }

    func testUnknownIndexListsValidNames() throws {
        let e = try XCTUnwrap(error(minimum.replacingOccurrences(of: "[ndvi, ndwi]", with: "[ndvi, nvdi]")))
        XCTAssertEqual(e.line, 5)
        XCTAssertEqual(e.column, 17)
        XCTAssertTrue(e.message.contains("nvdi"))
        XCTAssertTrue(e.validChoices.contains("ndvi") && e.validChoices.contains("nbr"))
    }

    func testIndexNeedingUnmappedBand() throws {
        let yaml = minimum.replacingOccurrences(of: ", swir22: 6", with: "").replacingOccurrences(of: "[ndvi, ndwi]", with: "[nbr]")
        let e = try XCTUnwrap(error(yaml))
        XCTAssertEqual(e.line, 4)
        XCTAssertTrue(e.message.contains("swir22"), e.message)
    }

    func testEnumValueAndVersion() throws {
        let e1 = try XCTUnwrap(error(minimum + "\nlogging: {format: xml}\n"))
        XCTAssertEqual(e1.validChoices, ["text", "json"])
        XCTAssertEqual(e1.line, 8)
        let e2 = try XCTUnwrap(error(minimum.replacingOccurrences(of: "version: 1", with: "version: 2")))
        XCTAssertEqual(e2.line, 1)
        XCTAssertEqual(e2.column, 10)
    }

    func testYAMLSyntaxErrorHasPosition() throws {
        let e = try XCTUnwrap(error("version: 1\ninputs: [\n  - a\n"))
        XCTAssertNotNil(e.line)
        XCTAssertTrue(e.message.contains("invalid YAML"))
    }

    func testMissingRequiredKeys() throws {
        XCTAssertTrue(try XCTUnwrap(error("version: 1\nindices: [ndvi]\noutputs: {directory: o}\n")).message.contains("inputs"))
        XCTAssertTrue(try XCTUnwrap(error("version: 1\ninputs: [{path: a}]\n")).message.contains("outputs"))
    }

    /// A pipeline without an index would fail every tile once the run started ("no configured index can be
    /// computed"): it is refused at load, missing or empty alike.
    func testAPipelineWithoutAnIndexIsRefused() throws {
        let missing = try XCTUnwrap(error("version: 1\ninputs: [{path: a}]\noutputs: {directory: o}\n"))
        XCTAssertTrue(missing.message.contains("missing required key 'indices'"), missing.message)
        XCTAssertTrue(missing.message.contains("indices: [ndvi]"), "the message shows the fix: \(missing.message)")
        let empty = try XCTUnwrap(error("version: 1\ninputs: [{path: a}]\nindices: []\noutputs: {directory: o}\n"))
        XCTAssertEqual(empty.line, 3)
        XCTAssertTrue(empty.message.contains("no index listed"), empty.message)
    }

    func testOverrides() throws {
        let c = try PipelineConfig.parse(yaml: minimum, overrides: ["outputs.directory=/tmp/x", "execution.jobs=3",
                                                                    "indices=[nbr, ndvi]", "inputs.0.path=other/"])
        XCTAssertEqual(c.outputs.directory, "/tmp/x")
        XCTAssertEqual(c.execution?.jobs, 3)
        XCTAssertEqual(c.indices, ["nbr", "ndvi"])
        XCTAssertEqual(c.inputs[0].path, "other/")
        let e = try XCTUnwrap(error(minimum, overrides: ["execution.jobs=many"]))
        XCTAssertEqual(e.file, "--set execution.jobs")
        XCTAssertNil(e.line)
        let e2 = try XCTUnwrap(error(minimum, overrides: ["outputs.dirx=1"]))
        XCTAssertEqual(e2.keyPath, "outputs.dirx")
    }

    func testExtendedSections() throws {
        let yaml = minimum + """

            name: anxi-tea
            calibration: {mode: scale, scale: 0.0001, offset: 0}
            masks: {clouds: true, min_reflectance: 0.0}
            classification: {scheme: landuse, classes: [{name: water, index: ndwi, min: 0.2}]}
            monitor: [{kind: flood, threshold: 0.1, min_area_m2: 5000, vectorize: true}]
            report: {formats: [html, csv], title: Anxi}
            execution: {jobs: 2, max_in_flight: 4, memory: 2GiB}
            logging: {format: json, level: debug}
            """
        let c = try PipelineConfig.parse(yaml: yaml)
        XCTAssertEqual(c.calibration?.scale, 0.0001)
        XCTAssertEqual(c.classification?.classes?.first?.index, "ndwi")
        XCTAssertEqual(c.monitor?.first?.kind, "flood")
        XCTAssertEqual(c.execution?.memory, "2GiB")
        XCTAssertEqual(ByteSize.parse("2GiB"), 2 << 30)
        XCTAssertNotNil(error(minimum + "\nexecution: {memory: lots}\n"))
        XCTAssertNotNil(error(minimum + "\nmonitor: [{kind: tsunami}]\n"))
    }
}
