import XCTest
@testable import Kernels

final class CatalogTests: XCTestCase {
    func testCatalogueHoldsTheRequiredIndices() {
        let required = ["NDVI", "EVI", "EVI2", "SAVI", "MSAVI", "OSAVI", "GNDVI", "NDRE", "NDWI", "MNDWI", "NDMI",
                        "NBR", "NBR2", "NDBI", "BSI", "NDSI", "AWEInsh", "AWEIsh", "NDDI", "MIRBI", "BAI"]
        XCTAssertGreaterThanOrEqual(IndexCatalog.all.count, 22)
        for name in required { XCTAssertNotNil(IndexCatalog.lookup(name), name) }
        for index in IndexCatalog.all {
            XCTAssertFalse(index.formula.isEmpty, index.name)
            XCTAssertFalse(index.requiredBands.isEmpty, index.name)
            XCTAssertFalse(index.reference.isEmpty, index.name)
            XCTAssertFalse(index.outputDomain.isEmpty, index.name)
        }
    }

    func testNamesAndAliasesAreUniqueCaseInsensitively() {
        var seen: [String: String] = [:]
        for index in IndexCatalog.all {
            for key in [index.name] + index.aliases {
                XCTAssertNil(seen[key.lowercased()], "\(key) of \(index.name) clashes with \(seen[key.lowercased()] ?? "")")
                seen[key.lowercased()] = index.name
            }
        }
    }

    /// Names match as listed, all lower case or all upper case, and through the listed aliases; any other spelling
    /// (`BaI`) is an ambiguity error naming what it could mean, never a silent match.
    func testLookupMatchesListedSpellingsAndAliasesOnly() {
        XCTAssertEqual(IndexCatalog.lookup("ndvi")?.name, "NDVI")
        XCTAssertEqual(IndexCatalog.lookup(" NDVI ")?.name, "NDVI")
        XCTAssertEqual(IndexCatalog.lookup("aweinsh")?.name, "AWEInsh")
        XCTAssertEqual(IndexCatalog.lookup("AWEInsh")?.name, "AWEInsh")
        XCTAssertEqual(IndexCatalog.lookup("msavi2")?.name, "MSAVI")
        XCTAssertEqual(IndexCatalog.lookup("CIgreen")?.name, "GCI")
        XCTAssertNil(IndexCatalog.lookup("ndvx"))
        XCTAssertNil(IndexCatalog.lookup("BaI"))
        XCTAssertNil(IndexCatalog.lookup("Ndvi"))
        XCTAssertThrowsError(try IndexCatalog.require("BaI")) { error in
            XCTAssertEqual(error as? KernelError, .ambiguousIndex(name: "BaI", candidates: ["BAI"]))
            XCTAssertTrue("\(error)".contains("did you mean BAI"), "\(error)")
        }
        XCTAssertThrowsError(try IndexCatalog.require("ndvx")) { error in
            guard case .unknownIndex? = error as? KernelError else { return XCTFail("\(error)") }
        }
    }

    /// The NDWI trap (domain.md §3 item 13): NDWI is McFeeters (green, nir); Gao's is NDMI (nir, swir16).
    func testNDWIIsMcFeetersAndGaoIsNDMI() throws {
        let ndwi = try XCTUnwrap(IndexCatalog.lookup("NDWI"))
        XCTAssertEqual(ndwi.requiredBands, ["green", "nir"])
        let gao = try XCTUnwrap(IndexCatalog.lookup("ndwi_gao"))
        XCTAssertEqual(gao.name, "NDMI")
        XCTAssertEqual(gao.requiredBands, ["nir", "swir16"])
    }

    /// SAVI and EVI each carry their own L (domain.md §4.1: one shared L is a known bug).
    func testSAVIAndEVIHaveTheirOwnConstants() throws {
        XCTAssertEqual(try XCTUnwrap(IndexCatalog.lookup("SAVI")).constants["L"], 0.5)
        let evi = try XCTUnwrap(IndexCatalog.lookup("EVI"))
        XCTAssertEqual(evi.constants, ["G": 2.5, "C1": 6, "C2": 7.5, "L": 1])
        // And the kernels use them: SAVI(n=0.5, r=0.1) = 1.5·0.4/1.1; EVI(n=0.5, r=0.1, b=0.05) = 2.5·0.4/(0.5+0.6−0.375+1).
        let bands: [String: [Float]] = ["nir": [0.5], "red": [0.1], "blue": [0.05]]
        let r = try computeIndices([IndexCatalog.lookup("SAVI")!, evi], bands: bands, count: 1)
        XCTAssertEqual(Double(r["SAVI"]![0]), 1.5 * 0.4 / 1.1, accuracy: 1e-6)
        XCTAssertEqual(Double(r["EVI"]![0]), 2.5 * 0.4 / 1.725, accuracy: 1e-6)
    }

    func testUnknownIndexErrorListsValidNames() {
        XCTAssertThrowsError(try IndexCatalog.require("foo")) { error in
            guard case let .unknownIndex(name, valid) = error as? KernelError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "foo")
            XCTAssertTrue(valid.contains("NDVI") && valid.contains("NBR"))
            XCTAssertTrue("\(error)".contains("NDVI"))
        }
    }

    func testMissingBandErrorNamesTheBandAndTheIndex() {
        let evi = IndexCatalog.lookup("EVI")!
        XCTAssertThrowsError(try computeIndices([evi], bands: ["nir": [0.3], "red": [0.1]], count: 1)) { error in
            guard case let .missingBand(band, index, available) = error as? KernelError else { return XCTFail("\(error)") }
            XCTAssertEqual(band, "blue")
            XCTAssertEqual(index, "EVI")
            XCTAssertEqual(Set(available), ["nir", "red"])
            let text = "\(error)"
            XCTAssertTrue(text.contains("'blue'") && text.contains("EVI"), text)
        }
    }

    func testShortBandIsAnError() {
        XCTAssertThrowsError(try computeIndices([IndexCatalog.lookup("NDVI")!], bands: ["nir": [0.3], "red": [0.1]], count: 2)) { error in
            XCTAssertEqual(error as? KernelError, .bandLength(band: "nir", count: 1, expected: 2))
        }
    }
}
