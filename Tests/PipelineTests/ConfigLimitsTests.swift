import Foundation
import Pipeline
import XCTest

/// Bounded config input: file size, alias expansion, nesting, `--set` keys and values, and every number range-checked
/// (issue 16 item 3). Each case is an error with a position, never a crash, a hang or a huge allocation.
final class ConfigLimitsTests: XCTestCase {
    let minimum = """
        version: 1
        inputs:
          - path: tiles/
            bands: {blue: 1, green: 2, red: 3, nir: 4, swir16: 5, swir22: 6}
        indices: [ndvi, ndwi]
        outputs:
          directory: out
        """

    /// The classic 9 × 9 "billion laughs" (9⁹ strings when expanded).
    static let aliasBomb = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        """

    private func error(_ yaml: String, overrides: [String] = []) -> ConfigError? {
        do { _ = try PipelineConfig.parse(yaml: yaml, file: "p.yaml", overrides: overrides); return nil } catch let e as ConfigError {
            return e
        } catch {
            XCTFail("unexpected \(error)"); return nil
        }
    }

    func testAliasBombThroughSetIsRefusedAtOnce() throws {
        let start = Date()
        let e = try XCTUnwrap(error(minimum, overrides: ["name=" + Self.aliasBomb]))
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
        XCTAssertEqual(e.file, "--set name")
        XCTAssertTrue(e.message.contains("more than \(ConfigLimits.maxNodes) values"), e.message)
    }

    func testAliasBombInTheFileIsRefusedWithItsPosition() throws {
        let start = Date()
        let e = try XCTUnwrap(error(minimum + "\nregions:\n" + Self.aliasBomb.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")))
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
        XCTAssertEqual(e.file, "p.yaml")
        XCTAssertNotNil(e.line)
        XCTAssertTrue(e.message.contains("aliases"), e.message)
    }

    func testReasonableAliasesStillWork() throws {
        let yaml = """
            version: 1
            inputs:
              - {path: a/, bands: &b {red: 3, nir: 4}}
              - {path: b/, bands: *b}
            indices: [ndvi]
            outputs: {directory: out}
            """
        XCTAssertEqual(try PipelineConfig.parse(yaml: yaml).inputs[1].bands, ["red": 3, "nir": 4])
    }

    func testDeepNestingIsRefused() throws {
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        XCTAssertNotNil(error(minimum, overrides: ["name=" + deep]))
        XCTAssertNotNil(error(minimum + "\nname: " + deep + "\n"))
        let e = try XCTUnwrap(error(minimum + "\nname: " + String(repeating: "[", count: 80) + String(repeating: "]", count: 80) + "\n"))
        XCTAssertTrue(e.message.contains("deeper than \(ConfigLimits.maxDepth)"), e.message)
    }

    func testLargeFileIsRefusedBeforeItIsReadWhole() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("pipeline.yaml").path
        var text = minimum + "\n# padding\n"
        text += String(repeating: "# " + String(repeating: "x", count: 1000) + "\n", count: 2 * 1024)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PipelineConfig.load(path: path)) { error in
            let e = error as? ConfigError
            XCTAssertEqual(e?.file, path)
            XCTAssertTrue(e?.message.contains("larger than 1 MiB") == true, "\(error)")
        }
        // A special file that never ends is refused too, without reading it whole.
        XCTAssertThrowsError(try PipelineConfig.load(path: "/dev/zero"))
        XCTAssertThrowsError(try PipelineConfig.load(path: dir.path)) { error in
            XCTAssertTrue("\(error)".contains("directory"), "\(error)")
        }
    }

    /// The numbers of the issue, in the file: exit-2 errors with file:line:column, never a trap or an allocation.
    func testHugeAndNonFiniteNumbersAreRefusedWithTheirPosition() throws {
        let cases: [(String, String)] = [
            ("\nexecution:\n  memory: 1e300GiB\n", "execution.memory"),
            ("\nexecution:\n  jobs: 9223372036854775807\n", "execution.jobs"),
            ("\nexecution:\n  max_in_flight: 99999999999999999999999\n", "execution.max_in_flight"),
            ("\ncalibration:\n  scale: .nan\n", "calibration.scale"),
            ("\ncalibration:\n  offset: -.inf\n", "calibration.offset"),
            ("\nmasks:\n  max_reflectance: .inf\n", "masks.max_reflectance"),
            ("\nmonitor:\n  - {kind: flood, threshold: .nan}\n", "monitor[0].threshold"),
        ]
        for (tail, key) in cases {
            let e = try XCTUnwrap(error(minimum + tail), key)
            XCTAssertEqual(e.keyPath, key)
            XCTAssertEqual(e.file, "p.yaml")
            XCTAssertEqual(e.line, 9, e.description)
            XCTAssertNotNil(e.column, e.description)
        }
        let tile = try XCTUnwrap(error(minimum + "\n  cog: {tile_size: 1048576}\n"))
        XCTAssertEqual(tile.keyPath, "outputs.cog.tile_size")
        XCTAssertEqual(tile.line, 8)
        XCTAssertTrue(tile.message.contains("at most 4096"), tile.message)
        XCTAssertTrue(try XCTUnwrap(error(minimum.replacingOccurrences(of: "red: 3", with: "red: 70000"))).message.contains("at most"))
        XCTAssertNil(ByteSize.parse("1e300GiB"))
        XCTAssertNil(ByteSize.parse("9e18"))
        XCTAssertEqual(ByteSize.parse("1.5KiB"), 1536)
    }

    func testSetValuesHaveTheSameLimits() throws {
        for set in ["execution.memory=1e300GiB", "execution.jobs=9223372036854775807", "outputs.cog.tile_size=1048576",
                    "calibration.scale=.nan"] {
            let e = try XCTUnwrap(error(minimum, overrides: [set]), set)
            XCTAssertEqual(e.file, "--set " + set.prefix { $0 != "=" })
            XCTAssertFalse(e.description.contains(": \(e.keyPath): "), "the key is named twice: \(e.description)")
        }
    }

    func testLongSetKeysAreRefusedWithoutRecursion() throws {
        let parts = Array(repeating: "a", count: 40_000).joined(separator: ".")
        let e = try XCTUnwrap(error(minimum, overrides: [parts + "=1"]))
        XCTAssertEqual(e.file, "--set")
        XCTAssertLessThan(e.description.count, 300, "the key is not echoed whole")
        let e2 = try XCTUnwrap(error(minimum, overrides: [Array(repeating: "a", count: 20_000).joined(separator: ".") + "=1"]))
        XCTAssertTrue(e2.message.contains("at most \(ConfigLimits.maxKeyParts)"), e2.message)
        XCTAssertNotNil(error(minimum, overrides: ["outputs..directory=x"]))
        // Deep but allowed keys still work, iteratively.
        XCTAssertEqual(try PipelineConfig.parse(yaml: minimum, overrides: ["inputs.0.bands.red=3", "outputs.cog.tile_size=256"])
            .outputs.cog?.tileSize, 256)
    }

    /// 300 explicit classes once passed validate and trapped in the run (class codes are UInt8); bad colours,
    /// empty intervals, unknown schemes and impossible dates are refused with their position too.
    func testClassesAndDatesAreChecked() throws {
        let many = (0..<300).map { "{name: c\($0)}" }.joined(separator: ", ")
        let e = try XCTUnwrap(error(minimum + "\nclassification: {classes: [\(many)]}\n"))
        XCTAssertEqual(e.keyPath, "classification.classes")
        XCTAssertTrue(e.message.contains("1 to 254"), e.message)
        XCTAssertNoThrow(try PipelineConfig.parse(yaml: minimum + "\nclassification: {classes: [\((0..<254).map { "{name: c\($0)}" }.joined(separator: ", "))]}\n"))
        let bad = errors(minimum + """

            classification:
              scheme: landcover
              classes:
                - {name: a, index: ndvi, min: 0.5, max: 0.2, color: red}
            monitor: [{kind: flood, before: 2025-13-45}]
            """)
        XCTAssertEqual(bad.map(\.keyPath), ["classification.scheme", "classification.classes[0].max", "classification.classes[0].color",
                                           "monitor[0].before"], bad.map(\.description).joined(separator: "\n"))
    }

    private func errors(_ yaml: String) -> [ConfigError] {
        do { _ = try PipelineConfig.parse(yaml: yaml, file: "p.yaml"); return [] } catch let e as ConfigError { return e.all } catch {
            XCTFail("\(error)"); return []
        }
    }
}
