import XCTest
import Kernels
import RasterCore
import RasterIO
import TestSupport

/// Kernels against published products: NASA MODIS MYD13A1 NDVI/EVI and eo-learn's Sentinel-2 NDVI.
final class RealDataTests: XCTestCase {
    func dataFolder(_ name: String) throws -> URL {
        guard let root = TestData.sharedData else { throw Skip.because("../shared/data absent") }
        let url = root.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Skip.because("\(name) absent") }
        return url
    }

    func band(_ path: String, _ b: Int = 0) throws -> [Float] {
        try GeoTIFFReader(path: path).readFloatBand(b)
    }

    /// NASA's NDVI layer is trunc(10000 × NDVI): our 10000 × NDVI must lie in the interval truncation
    /// allows on 100 % of valid pixels (0.01 slack for Float32 rounding). EVI with scale 1e-4 within
    /// 1 (+0.01) of NASA's EVI on ≥ 99.9 % of valid pixels; every other pixel is an EVI2-backup pixel.
    func testMODISAgainstNASA() throws {
        let dir = try dataFolder("modis-myd13a1_rio-tiler-pds")
        let p = dir.appendingPathComponent("MYD13A1.A2020153.h30v10.006.2020170024036").path
        let red = try band(p + "_RR_B04.TIF"), nir = try band(p + "_NIRR_B05.TIF"), blue = try band(p + "_BR_B06.TIF")
        let nasaNDVI = try band(p + "_NDVI_B01.TIF"), nasaEVI = try band(p + "_EVI_B02.TIF")   // nodata (−3000) → NaN
        let n = red.count
        let scaled = { (a: [Float]) in a.map { $0 * 1e-4 } }
        let out = try computeIndices(["NDVI", "EVI", "EVI2"].map { IndexCatalog.lookup($0)! },
                                     bands: ["red": scaled(red), "nir": scaled(nir), "blue": scaled(blue)], count: n)
        let ndvi = out["NDVI"]!, evi = out["EVI"]!, evi2 = out["EVI2"]!

        var valid = 0, inInterval = 0, leaked = 0
        for i in 0..<n {
            if red[i].isNaN || nir[i].isNaN { if !ndvi[i].isNaN { leaked += 1 }; continue }
            guard !nasaNDVI[i].isNaN else { continue }
            valid += 1
            let v = Double(ndvi[i]) * 10000, nd = Double(nasaNDVI[i])
            let lo = nd > 0 ? nd : (nd == 0 ? -1 : nd - 1), hi = nd >= 0 ? nd + 1 : nd
            if v >= lo - 0.01 && v <= hi + 0.01 { inInterval += 1 }
        }
        XCTAssertGreaterThan(valid, 140_000, "SOURCES.md: 146,342 valid pixels")
        XCTAssertEqual(inInterval, valid, "NDVI outside NASA's truncation interval on \(valid - inInterval) pixels")
        XCTAssertEqual(leaked, 0, "input nodata must stay nodata")

        var eviValid = 0, eviOK = 0, backupOK = 0, neither = 0
        for i in 0..<n where !red[i].isNaN && !nir[i].isNaN && !blue[i].isNaN && !nasaEVI[i].isNaN {
            eviValid += 1
            let nasa = Double(nasaEVI[i])
            if abs(Double(evi[i]) * 10000 - nasa) <= 1.01 { eviOK += 1 }
            else if abs(Double(evi2[i]) * 10000 - nasa) <= 1.01 { backupOK += 1 }
            else { neither += 1 }
        }
        let fraction = Double(eviOK) / Double(eviValid)
        print("MODIS: NDVI in NASA's truncation interval on \(inInterval)/\(valid) valid pixels; EVI within 1 on \(eviOK)/\(eviValid) (\(String(format: "%.4f", fraction * 100)) %); the other \(backupOK) match NASA's EVI2 backup algorithm; unexplained \(neither)")
        XCTAssertGreaterThanOrEqual(fraction, 0.999)
        XCTAssertEqual(neither, 0, "pixels off that are not EVI2-backup pixels")
    }

    /// NDVI from Sentinel-2 bands 4 and 8 equals eo-learn's EXPECTED_NDVI within 1e-6 on every pixel.
    func testSentinel2NDVIEqualsEoLearn() throws {
        let dir = try dataFolder("sentinel2-l1c-timeseries_eo-learn")
        var worst: Float = 0, compared = 0
        for date in ["20150711", "20150731", "20150820", "20150830", "20150909"] {
            let scene = dir.appendingPathComponent("S2_L1C_TOA_\(date)_13bands.tif").path
            let red = try band(scene, 3), nir = try band(scene, 7)
            let expected = try band(dir.appendingPathComponent("EXPECTED_NDVI_\(date).tif").path)
            let ours = try computeIndices([IndexCatalog.lookup("NDVI")!], bands: ["red": red, "nir": nir], count: red.count)["NDVI"]!
            for i in 0..<red.count where expected[i].isFinite {
                compared += 1
                XCTAssertTrue(ours[i].isFinite, "\(date) pixel \(i) is NaN, expected \(expected[i])")
                worst = max(worst, abs(ours[i] - expected[i]))
            }
        }
        print("S2 eo-learn: \(compared) pixels compared, worst |diff| \(worst)")
        XCTAssertEqual(compared, 5 * 101 * 100)
        XCTAssertLessThanOrEqual(worst, 1e-6)
    }
}
