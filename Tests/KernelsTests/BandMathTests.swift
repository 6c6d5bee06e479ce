import RasterCore
import XCTest
@testable import Kernels

final class BandMathTests: XCTestCase {
    func eval(_ text: String, _ bands: [String: [Float]], chunk: Int = 4096) throws -> [Float] {
        let e = try BandMathExpression(parsing: text, bands: Set(bands.keys))
        return e.evaluate(bands: bands, count: bands.values.first?.count ?? 1, chunk: chunk)
    }

    /// Every catalogue formula, parsed as band math, equals the catalogue's fused kernel; so does the
    /// index called as a function, positionally and with `name()`.
    func testBandMathEqualsCatalogueKernelForEveryFormula() throws {
        var rng = SplitMix64(seed: 5)
        let n = 5000
        let bands = randomBands(["blue", "green", "red", "rededge1", "nir", "swir16", "swir22"], count: n, nanRate: 0.05, rng: &rng)
        let fused = try computeIndices(IndexCatalog.all, bands: bands, count: n, chunk: 512)
        for index in IndexCatalog.all {
            let want = fused[index.name]!
            let forms = [index.formula,
                         "\(index.name.lowercased())(\(index.requiredBands.joined(separator: ", ")))",
                         "\(index.name)()"]
            for form in forms {
                let e = try BandMathExpression(parsing: form, bands: Set(bands.keys))
                XCTAssertEqual(Set(e.referencedBands), Set(index.requiredBands), form)
                let got = e.evaluate(bands: bands, count: n, chunk: 700)
                var bad = 0
                for i in 0..<n where !close(got[i], want[i], tolerance: 2e-5) {
                    bad += 1
                    if bad < 4 { XCTFail("\(index.name) via '\(form)' pixel \(i): \(got[i]) vs \(want[i])") }
                }
                XCTAssertEqual(bad, 0, "\(index.name) via '\(form)'")
            }
        }
    }

    func testPrecedenceAndAssociativity() throws {
        let x: [String: [Float]] = ["x": [3]]
        XCTAssertEqual(try eval("-2 ^ 2 + x", x), [-1])         // -(2^2) + 3
        XCTAssertEqual(try eval("2 ^ 3 ^ 2", x), [512])         // right-associative
        XCTAssertEqual(try eval("1 + 2 * x - 8 / 4", x), [5])
        XCTAssertEqual(try eval("(1 + 2) * x", x), [9])
        XCTAssertEqual(try eval("x ** 2 × 2 ÷ 3 − 1", x), [5])
        XCTAssertEqual(try eval("-x", x), [-3])
        XCTAssertEqual(try eval("2^-1", x), [0.5])
    }

    func testComparisonsLogicAndFunctions() throws {
        let b: [String: [Float]] = ["a": [1, 2, 3, .nan], "b": [3, 2, 1, 1]]
        func same(_ got: [Float], _ want: [Float], _ msg: String) {
            XCTAssertTrue(zip(got, want).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(msg): \(got) vs \(want)")
        }
        same(try eval("a < b", b), [1, 0, 0, .nan], "<")
        same(try eval("a >= b", b), [0, 1, 1, .nan], ">=")
        same(try eval("a == 2 or b == 1", b), [0, 1, 1, .nan], "or")
        same(try eval("a > 1 and not (b > 1)", b), [0, 0, 1, .nan], "and/not")
        same(try eval("where(a > b, a, b * 10)", b), [30, 20, 3, .nan], "where")
        same(try eval("min(a, b, 2)", b), [1, 2, 1, .nan], "min")
        same(try eval("max(a, b)", b), [3, 2, 3, .nan], "max")
        same(try eval("clamp(a, 1.5, 2.5)", b), [1.5, 2, 2.5, .nan], "clamp")
        same(try eval("abs(b - a)", b), [2, 0, 2, .nan], "abs")
        same(try eval("sqrt(a - 2)", b), [.nan, 0, 1, .nan], "sqrt of negative")
        same(try eval("log(a - 1)", b), [.nan, 0, Float(log(2.0)), .nan], "log")
        same(try eval("exp(a * 0)", b), [1, 1, 1, .nan], "exp")
        same(try eval("a / (b - 2)", b), [1, .nan, -3, .nan], "division by zero is NaN")
    }

    func testEvaluationIsChunkInvariant() throws {
        var rng = SplitMix64(seed: 1)
        let bands = randomBands(["nir", "red", "swir22"], count: 3001, nanRate: 0.1, rng: &rng)
        let text = "where(ndvi() > 0.3, nbr(nir, swir22) * 1000, -(red ^ 2) + max(nir, 0.2))"
        let a = try eval(text, bands, chunk: 1), b = try eval(text, bands, chunk: 37), c = try eval(text, bands, chunk: 4096)
        XCTAssertEqual(a.count, 3001)
        for i in 0..<3001 {
            XCTAssertTrue((a[i] == b[i] && b[i] == c[i]) || (a[i].isNaN && b[i].isNaN && c[i].isNaN), "pixel \(i)")
        }
    }

    func testConstantExpressionBroadcasts() throws {
        let e = try BandMathExpression(parsing: "1 + 2", bands: [])
        XCTAssertEqual(e.evaluate(bands: [:], count: 3), [3, 3, 3])
    }

    func testErrorsCarryTheirColumn() {
        func error(_ text: String, _ bands: Set<String> = ["nir", "red"]) -> KernelError? {
            do { _ = try BandMathExpression(parsing: text, bands: bands); return nil } catch { return error }
        }
        guard case let .unknownBand(_, column, name, _)? = error("(nir - rde) / 2") else { return XCTFail("unknown band") }
        XCTAssertEqual(column, 8); XCTAssertEqual(name, "rde")
        guard case let .unknownFunction(_, column2, name2)? = error("nir + foo(red)") else { return XCTFail("unknown function") }
        XCTAssertEqual(column2, 7); XCTAssertEqual(name2, "foo")
        guard case let .syntax(_, column3, _)? = error("nir + * red") else { return XCTFail("syntax") }
        XCTAssertEqual(column3, 7)
        guard case let .syntax(_, column4, _)? = error("(nir - red") else { return XCTFail("unclosed") }
        XCTAssertEqual(column4, 11)
        guard case let .syntax(_, column5, _)? = error("nir $ red") else { return XCTFail("bad char") }
        XCTAssertEqual(column5, 5)
        guard case let .arity(_, column6, function, _, got)? = error("1 + clamp(nir, 0)") else { return XCTFail("arity") }
        XCTAssertEqual(column6, 5); XCTAssertEqual(function, "clamp"); XCTAssertEqual(got, 2)
        guard case .arity? = error("ndvi(nir)") else { return XCTFail("index arity") }
        guard case let .unknownBand(_, _, name7, _)? = error("evi()") else { return XCTFail("evi() needs blue") }
        XCTAssertEqual(name7, "blue")
        guard case .syntax? = error("") else { return XCTFail("empty") }
        XCTAssertTrue("\(error("(nir - rde) / 2")!)".contains("column 8"))
    }
}
