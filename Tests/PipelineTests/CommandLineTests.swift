import Foundation
import TestSupport
import XCTest

/// The built `tilepipe` on hostile or unusual command lines (issue 16 items 3 and 7): exit codes as the README
/// states, one clear message, never a crash. Runs through bash so `ulimit` can bound the stack and memory.
final class CommandLineTests: XCTestCase {
    var workspace: ToolWorkspace!
    var dir: URL { workspace.directory }

    override func setUpWithError() throws { workspace = try ToolWorkspace(label: "cli") }
    override func tearDownWithError() throws { workspace?.remove() }

    /// Runs `tilepipe ARGS` under `limits` (a bash prefix such as `ulimit -s 8192;`).
    func run(_ args: [String], limits: String = "") throws -> ToolWorkspace.Outcome { try workspace.run(args, shellPrefix: limits) }

    /// A 6-band tile in the test folder.
    func tile() throws -> String {
        let path = dir.appendingPathComponent("t.tif").path
        try TileFixtures.writeTile(path, size: 16, seed: 3)
        return path
    }

    func pipeline(_ extra: String = "") throws -> String {
        let path = dir.appendingPathComponent("pipeline.yaml").path
        try (TileFixtures.minimalYAML(input: dir.appendingPathComponent("in").path, output: dir.appendingPathComponent("out").path) + extra)
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testTenThousandNestedParenthesesExit64NamingTheLimit() throws {
        let t = try tile()
        let expression = String(repeating: "(", count: 10_000) + "x" + String(repeating: ")", count: 10_000)
        let r = try run(["calc", expression, "--band", "x=\(t):4", "--output", "o.tif"], limits: "ulimit -s 8192;")
        XCTAssertFalse(r.signalled, r.stderr)
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("limit of 256"), r.stderr)
        XCTAssertLessThan(r.stderr.count, 1000, "the expression is not echoed whole")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.tif").path))
    }

    /// The longest sum one argument can carry (Linux caps one argument at 128 KiB): the right result, no crash.
    func testLongSumGivesTheRightResult() throws {
        let t = try tile()
        let terms = 30_000
        let r = try run(["calc", Array(repeating: "x", count: terms).joined(separator: "+"), "--band", "x=\(t):4",
                         "--output", "sum.tif"], limits: "ulimit -s 8192;")
        XCTAssertEqual(r.status, 0, r.stderr)
        let one = try run(["calc", "x * \(terms)", "--band", "x=\(t):4", "--output", "one.tif"])
        XCTAssertEqual(one.status, 0, one.stderr)
        let a = try run(["info", "sum.tif", "--json"]), b = try run(["info", "one.tif", "--json"])
        XCTAssertEqual(a.status, 0)
        let sum = try XCTUnwrap(Self.mean(a.stdout)), product = try XCTUnwrap(Self.mean(b.stdout))
        XCTAssertGreaterThan(product, 0)
        XCTAssertEqual(sum, product, accuracy: product * 1e-5, "Float32 sums of 30,000 terms round, x × 30000 once")
    }

    static func mean(_ json: String) -> Double? {
        guard let doc = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let bands = doc["bands"] as? [[String: Any]], let stats = bands.first?["statistics"] as? [String: Any] else { return nil }
        return stats["mean"] as? Double
    }

    func testNegativeOptionValuesAndExpressionsStartingWithMinus() throws {
        let t = try tile()
        let offset = try run(["calc", "x", "--band", "x=\(t):4", "--scale", "0.0001", "--offset", "-0.2", "--output", "a.tif"])
        XCTAssertEqual(offset.status, 0, offset.stderr)
        let reference = try run(["calc", "x * 0.0001 - 0.2", "--band", "x=\(t):4", "--output", "b.tif"])
        XCTAssertEqual(reference.status, 0, reference.stderr)
        let ma = try XCTUnwrap(Self.mean(try run(["info", "a.tif", "--json"]).stdout))
        let mb = try XCTUnwrap(Self.mean(try run(["info", "b.tif", "--json"]).stdout))
        XCTAssertEqual(ma, mb, accuracy: 1e-6)
        XCTAssertEqual(try run(["index", "ndvi", "--band", "red=\(t):3", "--band", "nir=\(t):4", "--offset", "-0.01",
                                "--output", "n.tif"]).status, 0)
        for args in [["calc", "-x", "--band", "x=\(t):4", "--output", "m1.tif"],
                     ["calc", "--", "-x", "--band", "x=\(t):4", "--output", "m2.tif"],
                     ["calc", "--band", "x=\(t):4", "--output", "m3.tif", "--", "-x"],
                     ["calc", "-0.5*x", "--band", "x=\(t):4", "--output", "m4.tif"]] {
            let r = try run(args)
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
        }
        let m1 = try XCTUnwrap(Self.mean(try run(["info", "m1.tif", "--json"]).stdout))
        XCTAssertLessThan(m1, 0)
        XCTAssertEqual(Self.mean(try run(["info", "m2.tif", "--json"]).stdout), m1)
        XCTAssertEqual(Self.mean(try run(["info", "m3.tif", "--json"]).stdout), m1)
    }

    func testIndexNamesAreNotGuessed() throws {
        let t = try tile()
        let r = try run(["index", "BaI", "--band", "red=\(t):3", "--band", "nir=\(t):4", "--output", "bai.tif"])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("did you mean BAI"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n"), ["tilepipe: unknown index 'BaI': names are matched exactly (or all in lower case); did you mean BAI?"],
                       "one line, not followed by the root command's usage")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("bai.tif").path))
        XCTAssertEqual(try run(["index", "BAI", "--band", "red=\(t):3", "--band", "nir=\(t):4", "--output", "bai.tif"]).status, 0)
        XCTAssertEqual(try run(["index", "bai,ndvi", "--band", "red=\(t):3", "--band", "nir=\(t):4", "--output", "b2.tif"]).status, 0)
    }

    func testMissingInputFileExits2() throws {
        let missing = dir.appendingPathComponent("missing.tif").path
        for args in [["info", missing],
                     ["index", "ndvi", "--band", "red=\(missing)", "--band", "nir=\(missing):2", "--output", "x.tif"],
                     ["calc", "x", "--band", "x=\(missing)", "--output", "x.tif"],
                     ["validate", missing], ["run", missing]] {
            let r = try run(args)
            XCTAssertEqual(r.status, 2, "\(args[0]): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(missing), r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        }
    }

    func testValidateReportsEveryProblemOnItsOwnLine() throws {
        let path = try pipeline("\nindicies: [ndvi]\nexecution: {jobz: 2}\nlogging: {formt: json}\nreport: {titel: x}\n")
        let r = try run(["validate", path])
        XCTAssertEqual(r.status, 2)
        let lines = r.stderr.split(separator: "\n").filter { $0.contains("unknown key") }
        XCTAssertEqual(lines.count, 4, r.stderr)
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("tilepipe: \(path):") }, r.stderr)
        XCTAssertTrue(r.stderr.contains("4 problems"), r.stderr)
    }

    func testDuplicateKeyPointsAtItsLineWithoutEchoingTheFile() throws {
        let path = try pipeline("\nname: one\nname: two\n")
        let r = try run(["validate", path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("\(path):9:1: duplicate key 'name'"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertFalse(r.stderr.contains("outputs"), "the file is echoed: \(r.stderr)")
    }

    func testAliasBombThroughSetExits2QuicklyWithinOneGiB() throws {
        let path = try pipeline()
        XCTAssertLessThanOrEqual(ConfigLimitsTests.aliasBomb.utf8.count, 391)
        let r = try run(["validate", path, "--set", "name=" + ConfigLimitsTests.aliasBomb], limits: "ulimit -v 1048576;")
        XCTAssertFalse(r.signalled, r.stderr)
        XCTAssertEqual(r.status, 2, r.stderr)
        // Under a second on an idle machine (the refusal itself takes milliseconds: ConfigLimitsTests checks < 1 s
        // in process); 5 s here leaves room for process start-up on a loaded CI machine. Expanding the bomb would
        // take minutes and far more than 1 GiB.
        XCTAssertLessThan(r.seconds, 5, r.stderr)
        let run2 = try run(["run", path, "--dry-run", "--set", "name=" + ConfigLimitsTests.aliasBomb], limits: "ulimit -v 1048576;")
        XCTAssertEqual(run2.status, 2, run2.stderr)
    }

    func testHugeNumbersAndLongKeysExit2() throws {
        let path = try pipeline()
        let key = Array(repeating: "a", count: 40_000).joined(separator: ".")
        for set in ["execution.memory=1e300GiB", "execution.jobs=9223372036854775807", "outputs.cog.tile_size=1048576",
                    "calibration.scale=.nan", key + "=1"] {
            let r = try run(["run", path, "--dry-run", "--set", set], limits: "ulimit -s 8192;")
            XCTAssertFalse(r.signalled, r.stderr)
            XCTAssertEqual(r.status, 2, "\(set.prefix(40)): \(r.stderr)")
            XCTAssertLessThan(r.stderr.count, 500, r.stderr)
        }
        let file = try pipeline("\nexecution:\n  memory: 1e300GiB\n")
        let r = try run(["run", file, "--dry-run"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("\(file):9:11: execution.memory"), r.stderr)
    }

    /// A tile whose bands have no common name once failed with "…; the tile has " and nothing after it.
    func testNoMessageEndsEmpty() throws {
        let input = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try TileFixtures.writeTile(input.appendingPathComponent("t00_20250101.tif").path, size: 16, seed: 1,
                                   bandNames: ["", "", "", "", "", ""])
        let path = dir.appendingPathComponent("nameless.yaml").path
        try """
            version: 1
            inputs: [{path: \(input.path)}]
            indices: [ndvi]
            outputs: {directory: \(dir.appendingPathComponent("out").path)}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try run(["run", path, "--progress", "never"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("no band with a common name"), r.stderr)
        for line in r.stderr.split(separator: "\n") {
            XCTAssertFalse(line.hasSuffix(" has") || line.hasSuffix(" has ") || line.hasSuffix(": "), "empty ending: \(line)")
        }
        let lines = r.stderr.split(separator: "\n").filter { $0.contains("no configured index") }
        XCTAssertEqual(Set(lines).count, lines.count, "a message is repeated: \(r.stderr)")
    }
}
