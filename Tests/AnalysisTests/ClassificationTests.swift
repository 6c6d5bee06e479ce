import XCTest
import Foundation
import RasterCore
import GroundStation
@testable import Analysis

final class ClassificationTests: XCTestCase {
    /// `intersect` (the classifier's vectorised loop) clears exactly the flags `contains` rejects, for all four
    /// kinds of ends, at the bounds, for NaN and infinities, and keeps cleared flags cleared.
    func testIntersectAgreesWithContains() throws {
        var rng = SplitMix64(seed: 21)
        var values: [Float] = [.nan, .infinity, -.infinity, 0.1, 0.3, Float(0.1).nextUp, Float(0.3).nextDown, 0, -0.0, 1e-45]
        values += (0..<1000).map { _ in Float(rng.nextUnit() * 1.2 - 0.4) }
        for text in ["[0.1,0.3)", "(0.1,0.3]", "[0.1,0.3]", "(0.1,0.3)", ">0.1", "<=0.3", "*", "=0.1", "[-inf,inf]"] {
            let iv = try ValueInterval(parsing: text)
            let before: [UInt8] = values.indices.map { $0 % 7 == 0 ? 0 : 1 }
            var mask = before
            values.withUnsafeBufferPointer { v in mask.withUnsafeMutableBufferPointer { iv.intersect(v, into: $0) } }
            for (i, v) in values.enumerated() {
                XCTAssertEqual(mask[i], before[i] == 1 && iv.contains(v) ? 1 : 0, "\(text) at \(v)")
            }
        }
    }

    /// `claim` (a rule taking its matching pixels, sixteen at a time) sets the class and closes the pixel exactly
    /// where the match flag is 1, for lengths around the vector width and a remainder.
    func testClaimSetsTheClassAndClosesMatchedPixelsOnly() {
        var rng = SplitMix64(seed: 7)
        for n in [0, 1, 15, 16, 17, 31, 32, 33, 100, 4099] {
            let match = (0..<n).map { _ in UInt8(rng.next() & 1) }
            let before = (0..<n).map { _ in UInt8(rng.next() % 9) }
            let openBefore = (0..<n).map { i in match[i] == 1 ? 1 : UInt8(rng.next() & 1) }   // a match is always open
            var classes = before, open = openBefore
            match.withUnsafeBufferPointer { m in
                classes.withUnsafeMutableBufferPointer { c in
                    open.withUnsafeMutableBufferPointer { ClassificationScheme.claim(code: 42, match: m, classes: c, open: $0) }
                }
            }
            for i in 0..<n {
                XCTAssertEqual(classes[i], match[i] == 1 ? 42 : before[i], "n \(n), pixel \(i)")
                XCTAssertEqual(open[i], match[i] == 1 ? 0 : openBefore[i], "n \(n), pixel \(i)")
            }
        }
    }

    func testIntervalParsingAndBounds() throws {
        let a = try ValueInterval(parsing: "[0.1, 0.3)")
        XCTAssertTrue(a.contains(0.1))
        XCTAssertTrue(a.contains(0.2999))
        XCTAssertFalse(a.contains(0.3))
        XCTAssertFalse(a.contains(.nan))
        let b = try ValueInterval(parsing: "(0.1,0.3]")
        XCTAssertFalse(b.contains(0.1))
        XCTAssertTrue(b.contains(0.3))
        XCTAssertTrue(try ValueInterval(parsing: ">=0.4").contains(0.4))
        XCTAssertFalse(try ValueInterval(parsing: ">0.4").contains(0.4))
        XCTAssertTrue(try ValueInterval(parsing: "<=-0.1").contains(-0.1))
        XCTAssertFalse(try ValueInterval(parsing: "<-0.1").contains(-0.1))
        XCTAssertTrue(try ValueInterval(parsing: "[0.6,inf]").contains(1e30))
        XCTAssertTrue(try ValueInterval(parsing: "*").contains(-5))
        XCTAssertFalse(try ValueInterval(parsing: "*").contains(.nan))
        XCTAssertTrue(try ValueInterval(parsing: "=3").contains(3))
        // Float32 boundary: a Float32 sample equal to Float(-0.1) belongs to [-0.1, 0.1).
        XCTAssertTrue(try ValueInterval(parsing: "[-0.1,0.1)").contains(Float(-0.1)))
        for bad in ["[0.3,0.1)", "[a,1)", "[0,1", "", ">x", "(1,2,3)"] {
            XCTAssertThrowsError(try ValueInterval(parsing: bad), bad) { e in
                guard case AnalysisError.badInterval(let expr, _) = e else { return XCTFail("wrong error \(e)") }
                XCTAssertEqual(expr, bad)
            }
        }
        // Round trip through the canonical text.
        XCTAssertEqual(try ValueInterval(parsing: a.description), a)
    }

    func testSchemeDecodesFromConfigAndFirstMatchWins() throws {
        let json = """
        {"classes": [{"code": 1, "name": "low", "color": "#000000"}, {"code": 2, "name": "mid", "color": "#111111"},
                     {"code": 3, "name": "any", "color": "#222222"}],
         "rules": [{"class": 1, "when": {"x": "<0.2"}},
                   {"class": 2, "when": {"x": "[0.1,0.5)", "y": ">0"}},
                   {"class": 3, "when": {"x": "*"}}],
         "defaultClass": 0}
        """
        let scheme = try JSONDecoder().decode(ClassificationScheme.self, from: Data(json.utf8))
        XCTAssertEqual(scheme.rules.count, 3)
        // x=0.15 matches rules 1 and 2 (y>0): first wins → 1. x=0.3,y=1 → 2. x=0.3,y=-1 → 3. NaN → default 0.
        let x: [Float] = [0.15, 0.3, 0.3, .nan]
        let y: [Float] = [1, 1, -1, 1]
        let r = try scheme.classify(inputs: ["x": x, "y": y], width: 4, height: 1)
        XCTAssertEqual(r.classes, [1, 2, 3, 0])
        // A rule mentioning an absent variable is skipped: without y, x=0.3 falls to rule 3.
        XCTAssertEqual(try scheme.classify(inputs: ["x": x], width: 4, height: 1).classes, [1, 3, 3, 0])
        // Encoding and decoding again gives the same scheme.
        let again = try JSONDecoder().decode(ClassificationScheme.self, from: JSONEncoder().encode(scheme))
        XCTAssertEqual(again, scheme)
    }

    func testSchemeValidationNamesTheKey() {
        let s = ClassificationScheme(classes: [ClassDefinition(code: 1, name: "a", color: "#000000")],
                                     rules: [.init(class: 9, when: ["x": .all])])
        XCTAssertThrowsError(try s.classify(inputs: ["x": [0]], width: 1, height: 1)) { e in
            XCTAssertEqual(e as? AnalysisError, .badScheme(key: "rules[0].class", reason: "class 9 is not declared in classes"))
        }
        XCTAssertThrowsError(try ClassificationScheme.default.classify(inputs: ["ndvi": [0, 1]], width: 3, height: 1)) { e in
            XCTAssertEqual(e as? AnalysisError, .sizeMismatch(name: "ndvi", expected: 3, actual: 2))
        }
    }

    func testDefaultSchemeAndQualityCodes() throws {
        // Pixels: water, dense veg, cropland, built-up, bare (bsi), snow, and four quality-forced pixels.
        let ndvi: [Float] = [-0.3, 0.8, 0.45, 0.1, 0.1, 0.05, 0.8, 0.8, 0.8, 0.8]
        let mndwi: [Float] = [0.4, -0.5, -0.3, -0.2, -0.3, 0.7, -0.5, -0.5, -0.5, -0.5]
        let ndsi = mndwi
        let nir: [Float] = [0.02, 0.4, 0.3, 0.2, 0.25, 0.6, 0.4, 0.4, 0.4, 0.4]
        let green: [Float] = [0.05, 0.06, 0.08, 0.12, 0.12, 0.7, 0.06, 0.06, 0.06, 0.06]
        let ndbi: [Float] = [-0.5, -0.4, -0.2, 0.15, 0.2, -0.5, -0.4, -0.4, -0.4, -0.4]
        let bsi: [Float] = [-0.3, -0.3, -0.1, 0.0, 0.2, -0.4, -0.3, -0.3, -0.3, -0.3]
        let quality: [UInt8] = [0, 0, 0, 0, 0, 0, 1, 3, 4, 5]
        let r = try ClassificationScheme.default.classify(
            inputs: ["NDVI": ndvi, "MNDWI": mndwi, "NDSI": ndsi, "nir": nir, "green": green, "NDBI": ndbi, "BSI": bsi],   // catalogue spelling
            quality: quality, width: 10, height: 1)
        XCTAssertEqual(r.classes, [LandUse.water, LandUse.denseVegetation, LandUse.cropland, LandUse.builtUp, LandUse.bareSoil,
                                   LandUse.snow, LandUse.nodata, LandUse.cloud, LandUse.cloudShadow, LandUse.snow])
        XCTAssertEqual(LandUse.classes.map(\.code), Array(0...8))
        XCTAssertEqual(ClassificationScheme.default.variables, ["ndsi", "nir", "green", "blue", "mndwi", "ndwi", "ndvi", "nbr", "bsi", "ndbi"])
        XCTAssertEqual(LandUse.colorTable(for: LandUse.classes).entries[1], LandCoverClass.water.color, "the scheme is GroundStation's")
        XCTAssertEqual(LandUse.classes.map(\.name), LandCoverClass.allCases.map(\.name))
    }

    func testDefaultSchemeSpectralCloudAndShadowComeBeforeWater() throws {
        // Bright cloud (MNDWI 0.1 > 0 would read as water), dark shadow (MNDWI 0.13), clear water, dense veg.
        let blue: [Float] = [0.55, 0.038, 0.092, 0.062]
        let nir: [Float] = [0.58, 0.08, 0.021, 0.31]
        let mndwi: [Float] = [0.108, 0.134, 0.76, -0.31]
        let ndvi: [Float] = [0.01, 0.6, -0.38, 0.77]
        let r = try ClassificationScheme.default.classify(inputs: ["blue": blue, "nir": nir, "mndwi": mndwi, "ndsi": mndwi, "ndvi": ndvi],
                                                          width: 4, height: 1)
        XCTAssertEqual(r.classes, [LandUse.cloud, LandUse.cloudShadow, LandUse.water, LandUse.denseVegetation])
    }

    func testOtsuOnBimodalHistogram() throws {
        // Two Gaussian-like modes at −0.4 (land) and +0.5 (water); the threshold must fall between them,
        // near the middle of the gap, and classify the two populations perfectly.
        var rng = SplitMix64(seed: 7)
        var land: [Float] = [], water: [Float] = []
        for _ in 0..<6000 { land.append(-0.4 + 0.08 * rng.gaussian()) }
        for _ in 0..<2000 { water.append(0.5 + 0.06 * rng.gaussian()) }
        let t = try XCTUnwrap(Otsu.threshold(land + water, lower: -1, upper: 1))
        XCTAssertGreaterThan(t, -0.1)
        XCTAssertLessThan(t, 0.25)
        XCTAssertEqual(land.filter { $0 > t }.count, 0)
        XCTAssertEqual(water.filter { $0 <= t }.count, 0)
        // A histogram with two single populated bins: the cut lies between them.
        var h = [Double](repeating: 0, count: 10)
        h[2] = 5; h[7] = 5
        let t2 = try XCTUnwrap(Otsu.threshold(histogram: h, lower: 0, upper: 10))
        XCTAssertGreaterThan(t2, 3)
        XCTAssertLessThanOrEqual(t2, 7)
        XCTAssertNil(Otsu.threshold([0.5, 0.5], lower: -1, upper: 1))
    }

    func testAutoWaterThresholdMovesTheWaterRule() throws {
        // A scene whose water has slightly negative MNDWI (turbid): fixed 0 misses it, Otsu finds it.
        var rng = SplitMix64(seed: 3)
        var mndwi: [Float] = [], truth: [UInt8] = []
        for i in 0..<4000 {
            let water = i % 4 == 0
            mndwi.append(water ? -0.05 + 0.03 * rng.gaussian() : -0.6 + 0.05 * rng.gaussian())
            truth.append(water ? 1 : 3)
        }
        let ndvi = [Float](repeating: 0.1, count: 4000)
        var scheme = ClassificationScheme.default
        let fixed = try scheme.classify(inputs: ["mndwi": mndwi, "ndvi": ndvi], width: 4000, height: 1)
        XCTAssertLessThan(fixed.classes.filter { $0 == 1 }.count, 1000)
        scheme.autoWater = .init(index: "mndwi", class: LandUse.water)
        let auto = try scheme.classify(inputs: ["mndwi": mndwi, "ndvi": ndvi], width: 4000, height: 1)
        let t = try XCTUnwrap(auto.waterThreshold)
        XCTAssertLessThan(t, -0.15)
        XCTAssertEqual(auto.classes, truth)
    }

    func testMinimumMappingUnit() {
        // 6×6 of class 4 with a 2-pixel island of 2 (8-connected diagonal pair), a 4-pixel block of 5
        // and a nodata pixel. MMU 3: the pair becomes 4, the block of 5 stays, nodata stays.
        var m = [UInt8](repeating: 4, count: 36)
        m[1 * 6 + 1] = 2; m[2 * 6 + 2] = 2          // diagonal pair → one 8-connected region of 2 px
        for (c, r) in [(3, 3), (4, 3), (3, 4), (4, 4)] { m[r * 6 + c] = 5 }
        m[0] = 0
        let out = MinimumMappingUnit.apply(m, width: 6, height: 6, minimumPixels: 3)
        XCTAssertEqual(out[1 * 6 + 1], 4)
        XCTAssertEqual(out[2 * 6 + 2], 4)
        XCTAssertEqual(out[3 * 6 + 3], 5)
        XCTAssertEqual(out[0], 0)
        XCTAssertEqual(out.filter { $0 == 5 }.count, 4)
        // Majority neighbour: a single pixel of 3 with 5 neighbours of class 1 and 3 of class 2 becomes 1.
        let w = 3
        var n: [UInt8] = [1, 1, 1, 1, 3, 2, 1, 2, 2]
        n = MinimumMappingUnit.apply(n, width: w, height: 3, minimumPixels: 2)
        XCTAssertEqual(n[4], 1)
        // MMU through the scheme.
        var s = ClassificationScheme(classes: [], rules: [.init(class: 1, when: ["x": try! ValueInterval(parsing: "<0.5")]),
                                                          .init(class: 2, when: ["x": .all])])
        s.minimumMappingUnit = 2
        XCTAssertEqual(try s.classify(inputs: ["x": [0, 0, 0.9, 0, 0]], width: 5, height: 1).classes, [1, 1, 1, 1, 1])
    }
}

/// Float helpers over the shared deterministic generator, for synthetic scenes.
extension SplitMix64 {
    mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) }
    mutating func gaussian() -> Float {
        let u1 = max(uniform(), 1e-7), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
