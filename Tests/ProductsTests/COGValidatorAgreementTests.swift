import Foundation
import Products
import TestSupport
import XCTest

/// Our COG check against GDAL's validator on real files of ../shared/data (COGs from rio-tiler-pds,
/// plain GeoTIFFs, GDAL's own odd regression rasters): the valid/invalid verdict must match on each.
final class COGValidatorAgreementTests: XCTestCase {
    func testVerdictMatchesGDALOnSharedData() throws {
        guard let data = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        _ = try Oracles.gdalValidate("/dev/null")   // skips when GDAL's python utilities are absent
        let files = (FileManager.default.enumerator(atPath: data.path)?.allObjects as? [String] ?? [])
            .filter { $0.lowercased().hasSuffix(".tif") || $0.lowercased().hasSuffix(".tiff") }
            .sorted()
        XCTAssertGreaterThan(files.count, 20)
        var compared = 0, validSeen = 0, invalidSeen = 0
        for f in files {
            let path = data.appendingPathComponent(f).path
            let gdal = try Oracles.gdalValidate(path)
            // GDAL refuses some odd files outright (not a verdict on layout); compare only real verdicts.
            guard gdal.output.contains("is a valid cloud optimized GeoTIFF")
                    || gdal.output.contains("is NOT a valid cloud optimized GeoTIFF") else { continue }
            let ours = CloudOptimizedGeoTIFF.validate(path: path)
            XCTAssertEqual(ours.isValid, gdal.valid, "\(f): ours \(ours.summary); GDAL: \(gdal.output)")
            compared += 1
            if gdal.valid { validSeen += 1 } else { invalidSeen += 1 }
        }
        XCTAssertGreaterThan(validSeen, 0, "no valid COG among the shared files")
        XCTAssertGreaterThan(invalidSeen, 0, "no invalid file among the shared files")
        print("compared \(compared) files: \(validSeen) valid, \(invalidSeen) not valid")
    }
}
