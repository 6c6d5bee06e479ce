import Analysis
import XCTest

/// The default scheme on real-imagery cases: burn scars are not built-up, snow only where the prior allows it,
/// and the spectral cloud rules give way to a product quality band.
final class LandUsePriorTests: XCTestCase {
    // Pixels: 0 fresh burn scar (NBR −0.25, NDBI 0.2), 1 built-up (NBR 0.02, NDBI 0.1), 2 snow-like (NDSI 0.6,
    // bright), 3 bright blue (cloud-like), 4 dark (shadow-like).
    let inputs: [String: [Float]] = [
        "ndvi": [0.12, 0.1, 0.02, 0.1, 0.1], "nbr": [-0.25, 0.02, 0.3, 0.1, 0.1], "ndbi": [0.2, 0.1, -0.6, 0.0, 0.0],
        "bsi": [0.05, 0.0, -0.4, 0.0, 0.0], "mndwi": [-0.3, -0.2, 0.6, -0.1, -0.1], "ndsi": [-0.3, -0.2, 0.6, -0.1, -0.1],
        "nir": [0.15, 0.25, 0.5, 0.4, 0.03], "green": [0.08, 0.12, 0.7, 0.3, 0.03], "blue": [0.07, 0.12, 0.7, 0.3, 0.02],
    ]

    func testBurnScarIsBareSoilNotBuiltUp() throws {
        let r = try ClassificationScheme.default.classify(inputs: inputs, width: 5, height: 1)
        XCTAssertEqual(r.classes[0], LandUse.bareSoil, "NBR < −0.1: a burn scar, not built-up")
        XCTAssertEqual(r.classes[1], LandUse.builtUp)
        XCTAssertEqual(r.classes[2], LandUse.snow)
        XCTAssertEqual(r.classes[3], LandUse.cloud)
        XCTAssertEqual(r.classes[4], LandUse.cloudShadow)
    }

    func testSnowPriorDropsTheSnowRule() throws {
        let r = try ClassificationScheme.default.classify(inputs: inputs, width: 5, height: 1,
                                                          context: ClassificationContext(snowPlausible: false))
        XCTAssertNotEqual(r.classes[2], LandUse.snow, "no snow where the prior rules it out")
        let q: [UInt8] = [0, 0, 5, 0, 0]
        let forced = try ClassificationScheme.default.classify(inputs: inputs, quality: q, width: 5, height: 1,
                                                               context: ClassificationContext(snowPlausible: false))
        XCTAssertEqual(forced.classes[2], LandUse.snow, "the product's QA snow flag still counts")
    }

    func testQualityBandReplacesSpectralCloudRules() throws {
        let r = try ClassificationScheme.default.classify(inputs: inputs, width: 5, height: 1,
                                                          context: ClassificationContext(cloudsFromQuality: true))
        XCTAssertNotEqual(r.classes[3], LandUse.cloud, "bright but clear in the QA band: not cloud")
        XCTAssertNotEqual(r.classes[4], LandUse.cloudShadow)
    }

    func testBurnSieveIsAMinimumMappingUnit() throws {
        // A 6×6 burn (class 6) with a 1-pixel unburned hole, and one isolated burned pixel far away.
        let w = 12, h = 8
        var c = [UInt8](repeating: 3, count: w * h)
        for y in 1..<7 { for x in 1..<7 { c[y * w + x] = 6 } }
        c[3 * w + 3] = 3
        c[6 * w + 10] = 4
        let out = AffectedAreaSieve.apply(c, width: w, height: h, affected: [4, 5, 6, 7], unaffected: 3, minimumPixels: 9)
        XCTAssertEqual(out[3 * w + 3], 6, "the hole takes its burned neighbours' class")
        XCTAssertEqual(out[6 * w + 10], 3, "an isolated burned pixel is below the mapping unit")
        XCTAssertEqual(out.filter { $0 == 6 }.count, 36)
    }
}
