import XCTest
import RasterCore
import Analysis

/// Quality-masked pixels of a scheme other than the land-use one: its codes 6–8 are classes of its own, so a
/// masked pixel becomes nodata (0) or the scheme's declared `maskedClass`, never one of its classes.
final class CustomSchemeMaskingTests: XCTestCase {
    /// Eight classes, one NDVI interval each: [-1,-0.75) → 1, …, [0.75,1] → 8.
    static let eightClasses: ClassificationScheme = {
        let classes = (1...8).map { ClassDefinition(code: UInt8($0), name: "class \($0)", color: "#000000") }
        let rules = (1...8).map { k -> ClassificationScheme.Rule in
            let lo = -1 + Double(k - 1) * 0.25
            return .init(class: UInt8(k), when: ["ndvi": k == 8 ? try! ValueInterval(parsing: ">=\(lo)") : try! ValueInterval(parsing: "[\(lo),\(lo + 0.25))")])
        }
        return ClassificationScheme(classes: classes, rules: rules, defaultClass: 0)
    }()

    /// NDVI values in classes 6, 7, 8, 6, 7, 8, 1 with quality codes: clear, clear, clear, nodata, cloud, shadow, snow.
    let ndvi: [Float] = [0.3, 0.6, 0.9, 0.3, 0.6, 0.9, -0.9]
    let quality: [UInt8] = [0, 0, 0, 1, 3, 4, 5]

    func testMaskedPixelsOfACustomSchemeAreNodataNotItsClasses() throws {
        let r = try Self.eightClasses.classify(inputs: ["ndvi": ndvi], quality: quality, width: 7, height: 1)
        // Clear pixels keep their classes 6/7/8; masked ones are 0, not the land-use cloud/shadow/snow codes 6/7/8.
        XCTAssertEqual(r.classes, [6, 7, 8, 0, 0, 0, 0])
        // The land-use scheme still forces its own classes from the same quality codes.
        XCTAssertEqual(ClassificationScheme.default.forcedClass(quality: 3), LandUse.cloud)
        XCTAssertEqual(Self.eightClasses.forcedClass(quality: 3), 0)
        XCTAssertNil(Self.eightClasses.forcedClass(quality: 0))
    }

    func testADeclaredMaskedClassTakesTheMaskedPixels() throws {
        var scheme = Self.eightClasses
        scheme.maskedClass = 255
        let r = try scheme.classify(inputs: ["ndvi": ndvi], quality: quality, width: 7, height: 1)
        XCTAssertEqual(r.classes, [6, 7, 8, 255, 255, 255, 255])
    }

    func testAMaskedClassThatARuleAssignsIsRefused() {
        var scheme = Self.eightClasses
        scheme.maskedClass = 6
        XCTAssertThrowsError(try scheme.classify(inputs: ["ndvi": ndvi], quality: quality, width: 7, height: 1)) { e in
            guard case AnalysisError.badScheme(let key, _) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(key, "maskedClass")
        }
    }
}
